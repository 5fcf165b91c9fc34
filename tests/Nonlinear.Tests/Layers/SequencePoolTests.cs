using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers.Attention;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class SequencePoolTests
{
    private const int T = 4, D = 3;

    [Fact]
    public void Mean_pooling_averages_the_steps_and_last_pooling_takes_the_last_step()
    {
        // Sample 0: step t holds t + 1 in every feature; sample 1: feature k at step t holds 10 t + k.
        var x = new Tensor(2, T, D);
        for (int t = 0; t < T; t++)
        {
            for (int k = 0; k < D; k++)
            {
                x[0, t, k] = t + 1;
                x[1, t, k] = 10 * t + k;
            }
        }

        var mean = Built(SequencePooling.Mean);
        var y = mean.Forward(x, training: false);
        Assert.Equal(new TensorShape(2, D), y.Shape);
        Assert.Equal([2.5f, 2.5f, 2.5f, 15f, 16f, 17f], y.Span.ToArray());

        var last = Built(SequencePooling.Last);
        Assert.Equal([4f, 4f, 4f, 30f, 31f, 32f], last.Forward(x, training: false).Span.ToArray());
    }

    [Theory]
    [InlineData(SequencePooling.Mean)]
    [InlineData(SequencePooling.Last)]
    public void Pooling_matches_central_differences_of_a_float64_reference(SequencePooling pooling)
    {
        var layer = Built(pooling);
        Float64GradientCheck.Check(layer, Float64GradientCheck.RandomTensor(1, 1.0, 3, T, D), (xs, _) =>
        {
            int n = xs.Length / (T * D);
            var y = new double[n * D];
            for (int s = 0; s < n; s++)
            {
                for (int k = 0; k < D; k++)
                {
                    y[s * D + k] = pooling == SequencePooling.Last
                        ? xs[(s * T + T - 1) * D + k]
                        : Enumerable.Range(0, T).Sum(t => xs[(s * T + t) * D + k]) / T;
                }
            }

            return y;
        }, seed: 2);
    }

    [Fact]
    public void Last_pooling_backward_clears_the_earlier_steps_every_time()
    {
        var layer = Built(SequencePooling.Last);
        var x = Float64GradientCheck.RandomTensor(3, 1.0, 2, T, D);
        layer.Forward(x, training: true);
        layer.Backward(Float64GradientCheck.RandomTensor(4, 1.0, 2, D));
        layer.Forward(x, training: true);
        var dy = Float64GradientCheck.RandomTensor(5, 1.0, 2, D);
        var dx = layer.Backward(dy);
        for (int s = 0; s < 2; s++)
        {
            Assert.All(dx.Span.Slice(s * T * D, (T - 1) * D).ToArray(), v => Assert.Equal(0f, v));
            Assert.Equal(dy.Span.Slice(s * D, D).ToArray(), dx.Span.Slice((s * T + T - 1) * D, D).ToArray());
        }
    }

    [Fact]
    public void Tokens_round_trip_and_bad_tokens_or_shapes_are_refused_with_a_clear_message()
    {
        Assert.Equal("seqpool:mean,seqpool:last", ModelSpec.Format(ModelSpec.Parse("seqpool:mean, SEQPOOL:Last")));
        foreach (var bad in new[] { "seqpool", "seqpool:max", "seqpool:mean:last", "seqpool:0" })
        {
            var e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(bad));
            Assert.Contains("seqpool:mean or seqpool:last", e.Message, StringComparison.Ordinal);
        }

        foreach (var shape in new[] { new TensorShape(5), new TensorShape(2, 3, 4), new TensorShape(0, 3) })
        {
            var e = Assert.Throws<ArgumentException>(() => new SequencePool(SequencePooling.Mean).Build(shape, Initializer.Auto, new Random(1)));
            Assert.Contains("[T, D]", e.Message, StringComparison.Ordinal);
            Assert.Contains(shape.ToString(), e.Message, StringComparison.Ordinal);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new SequencePool((SequencePooling)7));
    }

    [Fact]
    public void A_sequence_classifier_with_mean_pooling_round_trips_through_a_model_file()
    {
        var model = Sequential.Parse("dense:8,positions:learned,transformer:d=8,heads=2,ff=16,seqpool:mean,dense:3");
        model.Build(new TensorShape(5, 4), seed: 6);
        Assert.Equal(new TensorShape(3), model.OutputShape);
        var x = FiniteDifferences.RandomInput(7, 2, 5, 4);
        var expected = model.Forward(x, training: false).Span.ToArray();
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "softmax_cross_entropy" });
        stream.Position = 0;
        var loaded = ModelFile.Load(stream, "m.nlm");
        Assert.Equal(model.Spec, loaded.Model.Spec);
        Assert.Equal(expected, loaded.Model.Forward(x, training: false).Span.ToArray());
    }

    [Theory]
    [InlineData("dense:6,positions:learned,seqpool:mean,dense:3")]
    [InlineData("dense:6,positions:sinusoidal,seqpool:last,tanh,dense:3")]
    public void Gradients_flow_through_positions_and_pooling_in_a_model_as_central_differences_say(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(T, D), seed: 8);
        FiniteDifferences.Check(model, FiniteDifferences.RandomInput(9, 2, T, D), seed: 10);
    }

    private static SequencePool Built(SequencePooling pooling)
    {
        var layer = new SequencePool(pooling);
        layer.Build(new TensorShape(T, D), Initializer.Auto, new Random(1));
        return layer;
    }
}
