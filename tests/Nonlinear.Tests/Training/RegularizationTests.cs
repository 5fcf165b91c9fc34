using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

public sealed class RegularizationTests
{
    private static Parameter Weights(params float[] values) => new("weight", Tensor.FromArray(values, values.Length));

    [Fact]
    public void L2_adds_rate_times_weight_and_L1_adds_rate_times_sign_to_weights_only()
    {
        var w = Weights(2f, -0.5f, 0f);
        var b = new Parameter("bias", Tensor.FromArray(new[] { 3f }, 1), decays: false);
        new Regularization(RegularizationKind.L2, 0.1).AddGradient([w, b]);
        Assert.Equal([0.2f, -0.05f, 0f], w.Gradient.Span.ToArray());
        Assert.Equal(0f, b.Gradient.Span[0]);

        w.ZeroGradient();
        new Regularization(RegularizationKind.L1, 0.1).AddGradient([w, b]);
        Assert.Equal([0.1f, -0.1f, 0f], w.Gradient.Span.ToArray());
        Assert.Equal(0f, b.Gradient.Span[0]);
    }

    [Fact]
    public void Penalty_matches_the_formulas_in_float64()
    {
        var w = Weights(2f, -0.5f, 0f);
        Assert.Equal(0.1 * 2.5, new Regularization(RegularizationKind.L1, 0.1).Penalty([w]), 12);
        Assert.Equal(0.1 * 0.5 * (4 + 0.25), new Regularization(RegularizationKind.L2, 0.1).Penalty([w]), 12);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_that_is_negative_or_not_finite_is_refused(double rate)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new Regularization(RegularizationKind.L1, rate));

    [Fact]
    public void L1_training_drives_the_weights_of_useless_inputs_to_zero()
    {
        // y depends on x1 only; x2 is noise. Under L1 the weights from x2 shrink far more than without it.
        var rng = new Random(3);
        int n = 200;
        var x = new float[n * 2];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = (float)(rng.NextDouble() * 2 - 1);
            x[2 * i + 1] = (float)(rng.NextDouble() * 2 - 1);
            y[i] = 2 * x[2 * i];
        }

        var data = new Dataset("line", Tensor.FromArray(x, n, 2), Tensor.FromArray(y, n, 1), TaskKind.Regression);
        double NoiseWeight(Regularization? reg)
        {
            var model = Sequential.Parse("dense:1");
            model.Build(data.FeatureShape, seed: 1);
            var trainer = new Trainer(model, new MeanSquaredError(), new Sgd(0.05)) { Regularization = reg };
            trainer.Fit(data, epochs: 60, batchSize: 10, seed: 1);
            return Math.Abs(((Dense)model.Layers[0]).Weight.Value.Span[1]);
        }

        double plain = NoiseWeight(null), l1 = NoiseWeight(new Regularization(RegularizationKind.L1, 0.01));
        Assert.True(l1 < 0.01, $"L1 left the noise weight at {l1}");
        Assert.True(l1 < plain || plain < 1e-3, $"plain {plain}, l1 {l1}");
    }

    [Fact]
    public void TrainEpoch_one_epoch_at_a_time_reproduces_Fit_bit_for_bit()
    {
        var data = SyntheticData.Spiral(200, 0.05, seed: 2);
        float[] Run(bool byEpoch)
        {
            var model = Sequential.Parse("dense:8,tanh,dense:8,relu,dense:1");
            model.Build(data.FeatureShape, seed: 4);
            var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), new Adam(0.01)) { Regularization = new Regularization(RegularizationKind.L2, 0.001) };
            if (byEpoch)
            {
                for (int e = 1; e <= 5; e++)
                {
                    Assert.NotNull(trainer.TrainEpoch(data, e, batchSize: 10, seed: 7));
                }
            }
            else
            {
                trainer.Fit(data, epochs: 5, batchSize: 10, seed: 7);
            }

            return model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        }

        Assert.Equal(Run(false), Run(true));
    }
}
