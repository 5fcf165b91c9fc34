using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class TrainingDiagnosticsTests
{
    /// <summary>Runs the model forward on <paramref name="x"/> and shows the batch to the diagnostics as one epoch.</summary>
    private static EpochDiagnostics ObserveOneBatch(Sequential model, Tensor x, TrainingDiagnostics diagnostics)
    {
        model.Forward(x, training: true);
        ITrainingObserver observer = diagnostics;
        observer.BatchEnded(model, x, 1, 1);
        observer.EpochEnded(model, 1);
        return diagnostics.History[^1];
    }

    private static Tensor Filled(int rows, int columns, Func<int, int, float> value)
    {
        var t = new Tensor(rows, columns);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                t[r, c] = value(r, c);
            }
        }

        return t;
    }

    [Fact]
    public void A_relu_layer_whose_inputs_are_all_negative_is_entirely_dead()
    {
        var model = Sequential.Parse("dense:8,relu,dense:1");
        model.Build(new TensorShape(3), seed: 1);
        var dense = (Dense)model.Layers[0];
        dense.Weight.Value.Span.Clear();
        dense.Bias.Value.Fill(-1);
        var x = Filled(16, 3, (r, c) => r - c);
        var epoch = ObserveOneBatch(model, x, new TrainingDiagnostics());
        Assert.Equal(1.0, epoch.Layers[1].DeadShare);
        Assert.Equal(1.0, epoch.Layers[1].NegativeShare);
        Assert.True(double.IsNaN(epoch.Layers[0].DeadShare));
    }

    [Fact]
    public void A_unit_alive_on_a_single_sample_of_the_epoch_is_not_dead()
    {
        var model = Sequential.Parse("relu");
        model.Build(new TensorShape(4), seed: 1);
        var diagnostics = new TrainingDiagnostics();
        ITrainingObserver observer = diagnostics;

        // Units 0 and 1 are positive once (unit 0 in batch 1, unit 1 in batch 2); units 2 and 3 never.
        var first = Filled(8, 4, (r, c) => c == 0 && r == 5 ? 0.5f : -1f);
        var second = Filled(8, 4, (r, c) => c == 1 && r == 0 ? 2f : c == 3 ? 0f : -3f);
        model.Forward(first, training: true);
        observer.BatchEnded(model, first, 1, 1);
        model.Forward(second, training: true);
        observer.BatchEnded(model, second, 1, 2);
        observer.EpochEnded(model, 1);
        Assert.Equal(0.5, diagnostics.History[0].Layers[0].DeadShare);

        // A new epoch starts from scratch: only unit 0 lives in it.
        model.Forward(first, training: true);
        observer.BatchEnded(model, first, 2, 1);
        observer.EpochEnded(model, 2);
        Assert.Equal(0.75, diagnostics.History[1].Layers[0].DeadShare);
        Assert.Equal(2, diagnostics.History[1].Epoch);
    }

    [Fact]
    public void Leaky_relu_units_never_die_but_their_negative_share_is_reported()
    {
        var model = Sequential.Parse("leaky_relu");
        model.Build(new TensorShape(4), seed: 1);
        var x = Filled(8, 4, (r, c) => c < 3 ? -1f - r : 1f);
        var layer = ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[0];
        Assert.True(double.IsNaN(layer.DeadShare));
        Assert.Equal(0.75, layer.NegativeShare);
    }

    [Theory]
    [InlineData("tanh", false)]
    [InlineData("sigmoid", false)]
    [InlineData("softsign", false)]
    [InlineData("hardtanh", true)]
    [InlineData("hardsigmoid", true)]
    [InlineData("gaussian", false)]
    public void A_saturating_layer_fed_plus_or_minus_twenty_is_entirely_saturated(string activation, bool canDie)
    {
        // At |x| = 20 every one of these derivatives is below 1% of its peak (softsign's is 1/441 of 1); the hard
        // variants' derivative is exactly 0 on a whole stretch, so their units also count as dead. The Gaussian's
        // is 0 at 20 too (underflow) but only at one point inside [-6, 6], its peak: it cannot die.
        var model = Sequential.Parse(activation);
        model.Build(new TensorShape(10), seed: 1);
        var x = Filled(32, 10, (r, c) => (r + c) % 2 == 0 ? 20f : -20f);
        var layer = ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[0];
        Assert.Equal(1.0, layer.SaturatedShare);
        Assert.Equal(canDie, !double.IsNaN(layer.DeadShare));
        if (canDie)
        {
            Assert.Equal(1.0, layer.DeadShare);
        }
    }

    [Fact]
    public void A_step_layer_is_entirely_dead_whatever_it_is_fed_and_a_sine_layer_never_is()
    {
        var x = Filled(32, 10, (r, c) => (r - 16) * 0.37f + c);
        var step = Sequential.Parse("step");
        step.Build(new TensorShape(10), seed: 1);
        var stepLayer = ObserveOneBatch(step, x, new TrainingDiagnostics()).Layers[0];
        Assert.Equal(1.0, stepLayer.DeadShare);
        Assert.True(double.IsNaN(stepLayer.SaturatedShare));
        var sine = Sequential.Parse("sin");
        sine.Build(new TensorShape(10), seed: 1);
        var sineLayer = ObserveOneBatch(sine, x, new TrainingDiagnostics()).Layers[0];
        Assert.True(double.IsNaN(sineLayer.DeadShare));
        Assert.True(double.IsNaN(sineLayer.SaturatedShare));
    }

    [Fact]
    public void A_tanh_layer_fed_small_inputs_is_not_saturated()
    {
        var model = Sequential.Parse("tanh");
        model.Build(new TensorShape(10), seed: 1);
        var x = Filled(32, 10, (r, c) => ((r * 10) + c - 160) / 100f);
        Assert.Equal(0.0, ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[0].SaturatedShare);
    }

    [Fact]
    public void Output_statistics_match_a_direct_computation()
    {
        var model = Sequential.Parse("identity");
        model.Build(new TensorShape(5), seed: 1);
        var x = Filled(40, 5, (r, c) => MathF.Sin((r * 5) + c) * 3);
        var stats = ObserveOneBatch(model, x, new TrainingDiagnostics { HistogramBins = 10 }).Layers[0].Output!;
        var values = x.Span.ToArray().Select(v => (double)v).ToArray();
        double mean = values.Average();
        Assert.Equal(200, stats.Count);
        Assert.Equal(mean, stats.Mean, 1e-5);
        Assert.Equal(Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average()), stats.Std, 1e-5);
        Assert.Equal(values.Min(), stats.Min);
        Assert.Equal(values.Max(), stats.Max);
        Assert.Equal(200, stats.Histogram.Sum());
        Assert.Equal(10, stats.Histogram.Count);
        Assert.Equal(0, stats.NonFinite);

        // Bins by hand: [min, max] cut into ten equal parts.
        double width = (stats.HistogramHigh - stats.HistogramLow) / 10;
        var expected = new long[10];
        foreach (double v in values)
        {
            expected[Math.Clamp((int)((v - stats.HistogramLow) / width), 0, 9)]++;
        }

        Assert.Equal(expected, stats.Histogram);
    }

    [Fact]
    public void Non_finite_outputs_are_counted_and_located()
    {
        var model = Sequential.Parse("dense:3,relu,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 };
        ITrainingObserver observer = diagnostics;
        var finite = Filled(4, 2, (r, c) => r + c);
        var broken = Filled(4, 2, (r, c) => r == 2 && c == 1 ? float.NaN : r + c);
        foreach (var (x, batch) in new[] { (finite, 1), (finite, 2), (broken, 3), (finite, 4) })
        {
            model.Forward(x, training: true);
            observer.BatchEnded(model, x, 1, batch);
        }

        observer.EpochEnded(model, 1);
        var location = diagnostics.FirstNonFinite;
        Assert.NotNull(location);
        Assert.Equal((1, 3, 0, "output"), (location.Epoch, location.Batch, location.LayerIndex, location.What));
        Assert.Equal("epoch 1, batch 3, layer 1 (dense:3) output", diagnostics.History[0].FirstNonFinite);

        // Sample 2's three dense outputs are NaN (NaN * w), and so are its relu outputs.
        Assert.Equal(3, diagnostics.History[0].Layers[0].Output!.NonFinite);
        Assert.Equal(3, diagnostics.History[0].Layers[1].Output!.NonFinite);
        Assert.Equal(4 * 4 * 3 - 3, diagnostics.History[0].Layers[0].Output!.Count);
    }

    [Fact]
    public void Huge_but_finite_gradients_are_not_reported_as_non_finite()
    {
        // Elements of 1e20 are finite floats, but the float norm of them overflows to infinity.
        var model = Sequential.Parse("dense:3,relu,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 };
        var x = Filled(4, 2, (r, c) => r + c);
        model.Forward(x, training: true);
        var dense = model.Layers.OfType<Dense>().First();
        dense.Weight.Gradient.Span.Fill(1e20f);
        ITrainingObserver observer = diagnostics;
        observer.BatchEnded(model, x, 1, 1);
        observer.EpochEnded(model, 1);
        Assert.True(float.IsInfinity(System.Numerics.Tensors.TensorPrimitives.Norm<float>(dense.Weight.Gradient.Span)));
        Assert.Null(diagnostics.FirstNonFinite);

        dense.Weight.Gradient.Span[1] = float.NaN;
        observer.BatchEnded(model, x, 2, 1);
        observer.EpochEnded(model, 2);
        Assert.Equal((0, "weight gradient"), (diagnostics.FirstNonFinite!.LayerIndex, diagnostics.FirstNonFinite.What));
    }

    [Fact]
    public void A_diverging_run_reports_where_the_first_non_finite_value_appeared()
    {
        // One sample in 64 overflows the first layer. The loss can stay finite on that batch (a logit of -inf
        // with target 0 costs nothing) while the gradients are NaN: the diagnostics see it there, in the first
        // layer's output, and the trainer stops at the next batch, whose loss is NaN.
        var data = SyntheticData.Moons(64, 0.1, seed: 1);
        data.Features[37, 0] = 3e38f;
        data.Features[37, 1] = 3e38f;
        var model = Sequential.Parse("dense:8,relu,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), new Sgd(0.01));
        var diagnostics = new TrainingDiagnostics();
        trainer.Diagnostics = diagnostics;
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, epochs: 3, batchSize: 8, seed: 2));
        var location = diagnostics.FirstNonFinite!;
        Assert.Equal(e.Epoch, location.Epoch);
        Assert.InRange(location.Batch, 1, e.Batch);
        Assert.Equal((0, "output"), (location.LayerIndex, location.What));
        Assert.Equal(location.ToString(), diagnostics.Latest!.FirstNonFinite);
    }

    [Fact]
    public void Gradient_norms_are_the_epoch_mean_of_each_batch_weight_gradient_norm()
    {
        var data = SyntheticData.Moons(96, 0.1, seed: 1);
        var model = Sequential.Parse("dense:16,tanh,dense:8,relu,dense:1");
        model.Build(data.FeatureShape, seed: 3);
        var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), new Sgd(0.1));
        var diagnostics = new TrainingDiagnostics();
        trainer.Diagnostics = diagnostics;
        var sums = new double[model.Layers.Count];
        trainer.BatchEnded += _ =>
        {
            // The optimizer has stepped but the gradients are still this batch's (they are zeroed before the next).
            foreach (int i in new[] { 0, 2, 4 })
            {
                var g = ((Dense)model.Layers[i]).Weight.Gradient.Span.ToArray();
                sums[i] += Math.Sqrt(g.Sum(v => (double)v * v));
            }
        };
        trainer.Fit(data, epochs: 1, batchSize: 32, seed: 1);
        var epoch = diagnostics.History.Single();
        foreach (int i in new[] { 0, 2, 4 })
        {
            Assert.Equal(sums[i] / 3, epoch.Layers[i].GradientNorm, sums[i] / 3 * 1e-5);
        }

        Assert.True(double.IsNaN(epoch.Layers[1].GradientNorm));
        Assert.Equal(epoch.Layers[0].GradientNorm / epoch.Layers[4].GradientNorm, epoch.GradientRatio, 1e-12);
    }

    [Fact]
    public void GradientFlow_measures_the_same_norms_as_a_direct_computation()
    {
        var data = SyntheticData.Spiral(64, 0.05, seed: 1);
        var model = Sequential.Parse("dense:8,sigmoid,dense:8,sigmoid,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var before = ((Dense)model.Layers[0]).Weight.Value.Span.ToArray();
        var result = GradientFlow.Measure(model, data.Features, data.Targets, new BinaryCrossEntropyWithLogits());
        Assert.Equal([0, 2, 4], result.Layers.Select(l => l.Index));
        foreach (var layer in result.Layers)
        {
            var g = ((Dense)model.Layers[layer.Index]).Weight.Gradient.Span.ToArray();
            Assert.Equal(Math.Sqrt(g.Sum(v => (double)v * v)), layer.Norm, layer.Norm * 1e-5);
        }

        Assert.Equal(result.Layers[0].Norm / result.Layers[2].Norm, result.Ratio, 1e-12);
        Assert.Equal(before, ((Dense)model.Layers[0]).Weight.Value.Span.ToArray());
    }

    [Fact]
    public void Diagnostics_count_conv_units_per_channel_and_pixel()
    {
        // A 2-filter conv whose second filter is forced negative: half of the relu's positions are dead.
        var model = Sequential.Parse("conv:2x3,relu,flatten,dense:2");
        model.Build(new TensorShape(1, 6, 6), seed: 1);
        var conv = (Conv2D)model.Layers[0];
        var w = conv.Weight.Value.Span;
        w[9..].Clear();
        conv.Bias.Value.Span[1] = -1;
        conv.Bias.Value.Span[0] = 100;
        var x = new Tensor(4, 1, 6, 6);
        x.Fill(0.5f);
        var layer = ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[1];
        Assert.Equal(0.5, layer.DeadShare);
    }

    [Fact]
    public void Dead_and_negative_shares_match_a_brute_force_count_over_every_sample_of_the_epoch()
    {
        // Wide enough layers that the passes are split over threads and, after the first batch, follow only the
        // undecided units; a large learning rate kills some units along the way.
        var data = SyntheticData.Gaussian(640, classes: 4, spread: 0.8, seed: 5);
        var model = Sequential.Parse("dense:512,relu,dense:384,leaky_relu,dense:4");
        model.Build(data.FeatureShape, seed: 2);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.5));
        var diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 };
        trainer.Diagnostics = diagnostics;
        var alive = new bool[512];
        var positive = new bool[384];
        var expected = new List<(double Dead, double Negative)>();
        trainer.BatchEnded += b =>
        {
            var relu = model.Layers[1].LastOutput!;
            var leakyInput = model.Layers[2].LastOutput!;
            for (int s = 0; s < relu.BatchSize; s++)
            {
                for (int u = 0; u < 512; u++)
                {
                    alive[u] |= relu[s, u] != 0;
                }

                for (int u = 0; u < 384; u++)
                {
                    positive[u] |= leakyInput[s, u] > 0;
                }
            }

            if (b.Batch == b.BatchesPerEpoch)
            {
                expected.Add((alive.Count(a => !a) / 512.0, positive.Count(p => !p) / 384.0));
                Array.Clear(alive);
                Array.Clear(positive);
            }
        };
        trainer.Fit(data, epochs: 4, batchSize: 128, seed: 3);
        var actual = diagnostics.History.Select(e => (e.Layers[1].DeadShare, e.Layers[3].NegativeShare)).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(actual.Select(a => a.DeadShare), diagnostics.History.Select(e => e.Layers[1].NegativeShare));
    }

    [Fact]
    public void Steady_state_training_with_diagnostics_allocates_nothing_per_batch()
    {
        var data = SyntheticData.Moons(512, 0.1, seed: 1);
        var model = Sequential.Parse("dense:32,relu,dense:32,tanh,dense:16,leaky_relu,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), new Adam(0.01))
        {
            Diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 },
        };
        // Between batch 4 and batch 14 of an epoch (the per-epoch summary is outside the window).
        Nonlinear.Tests.Training.SteadyAllocation.AssertNonePerBatch(trainer, data, batchSize: 32, first: 4, last: 14);
        Assert.Equal(5, ((TrainingDiagnostics)trainer.Diagnostics).History.Count);
    }
}
