using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers.Attention;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>A dense layer on sequences [N, T, F]: the same W and b at every step (nn.Linear on the last dimension).</summary>
public sealed class DenseSequenceTests
{
    [Fact]
    public void Dense_on_a_sequence_maps_T_by_F_to_T_by_units()
    {
        var layer = new Dense(5);
        layer.Build(new TensorShape(7, 3), Initializer.Glorot, new Random(1));
        Assert.Equal(new TensorShape(7, 5), layer.OutputShape);
        Assert.Equal(new TensorShape(5, 3), layer.Weight.Value.Shape);
        Assert.Equal(new TensorShape(5), layer.Bias.Value.Shape);
    }

    [Fact]
    public void Dense_on_a_sequence_equals_dense_applied_to_each_step_separately()
    {
        const int N = 3, T = 4, F = 6, U = 5;
        var seq = new Dense(U);
        seq.Build(new TensorShape(T, F), Initializer.Glorot, new Random(2));
        var flat = new Dense(U);
        flat.Build(new TensorShape(F), Initializer.Glorot, new Random(99));
        seq.Weight.Value.Span.CopyTo(flat.Weight.Value.Span);
        var bias = Float64GradientCheck.RandomTensor(3, 0.5, U);
        bias.Span.CopyTo(seq.Bias.Value.Span);
        bias.Span.CopyTo(flat.Bias.Value.Span);

        var x = Float64GradientCheck.RandomTensor(4, 1.0, N, T, F);
        var dy = Float64GradientCheck.RandomTensor(5, 1.0, N, T, U);
        var y = seq.Forward(x, training: true).Clone();
        var dx = seq.Backward(dy).Clone();

        var stepX = new Tensor(N, F);
        var stepDy = new Tensor(N, U);
        for (int t = 0; t < T; t++)
        {
            for (int n = 0; n < N; n++)
            {
                x.Span.Slice((n * T + t) * F, F).CopyTo(stepX.Span.Slice(n * F, F));
                dy.Span.Slice((n * T + t) * U, U).CopyTo(stepDy.Span.Slice(n * U, U));
            }

            var stepY = flat.Forward(stepX, training: true);
            var stepDx = flat.Backward(stepDy);   // parameter gradients accumulate over the steps
            for (int n = 0; n < N; n++)
            {
                Assert.Equal(stepY.Span.Slice(n * U, U).ToArray(), y.Span.Slice((n * T + t) * U, U).ToArray());
                Assert.Equal(stepDx.Span.Slice(n * F, F).ToArray(), dx.Span.Slice((n * T + t) * F, F).ToArray());
            }
        }

        // Summation order differs (one product over N·T rows versus T products over N rows): float32 rounding only.
        AssertClose(flat.Weight.Gradient.Span, seq.Weight.Gradient.Span, 1e-5);
        AssertClose(flat.Bias.Gradient.Span, seq.Bias.Gradient.Span, 1e-5);
    }

    [Fact]
    public void Dense_on_a_sequence_matches_central_differences_of_a_float64_reference()
    {
        const int T = 3, F = 4, U = 5;
        var layer = new Dense(U);
        layer.Build(new TensorShape(T, F), Initializer.Glorot, new Random(6));
        Float64GradientCheck.RandomTensor(7, 0.5, U).Span.CopyTo(layer.Bias.Value.Span);
        var x = Float64GradientCheck.RandomTensor(8, 1.0, 2, T, F);
        Float64GradientCheck.Check(layer, x, (xs, ps) =>
        {
            double[] w = ps[0], b = ps[1];
            int rows = xs.Length / F;
            var y = new double[rows * U];
            for (int r = 0; r < rows; r++)
            {
                for (int u = 0; u < U; u++)
                {
                    double s = b[u];
                    for (int f = 0; f < F; f++)
                    {
                        s += xs[r * F + f] * w[u * F + f];
                    }

                    y[r * U + u] = s;
                }
            }

            return y;
        }, seed: 9);
    }

    [Fact]
    public void BackwardParameters_on_a_sequence_gives_the_same_parameter_gradients_as_Backward()
    {
        var layer = new Dense(4);
        layer.Build(new TensorShape(5, 3), Initializer.Glorot, new Random(10));
        var x = Float64GradientCheck.RandomTensor(11, 1.0, 2, 5, 3);
        var dy = Float64GradientCheck.RandomTensor(12, 1.0, 2, 5, 4);
        layer.Forward(x, training: true);
        layer.Backward(dy);
        var dw = layer.Weight.Gradient.Span.ToArray();
        var db = layer.Bias.Gradient.Span.ToArray();
        layer.Weight.ZeroGradient();
        layer.Bias.ZeroGradient();
        layer.Forward(x, training: true);
        layer.BackwardParameters(dy);
        Assert.Equal(dw, layer.Weight.Gradient.Span.ToArray());
        Assert.Equal(db, layer.Bias.Gradient.Span.ToArray());
    }

    [Fact]
    public void Dense_still_refuses_images_and_asks_for_flatten()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dense(3).Build(new TensorShape(2, 4, 4), Initializer.Glorot, new Random(1)));
        Assert.Contains("add 'flatten' before it", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 4, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_embedding_then_per_step_dense_builds_trains_a_step_and_round_trips_through_a_model_file()
    {
        var model = Sequential.Parse("embedding:27:8,dense:16,tanh,dense:27");
        model.Build(new TensorShape(6), seed: 3);
        Assert.Equal(new TensorShape(6, 27), model.OutputShape);
        Assert.Equal(["0.weight", "1.weight", "1.bias", "3.weight", "3.bias"], model.ParameterNames);
        var x = Tensor.FromArray([1f, 2, 3, 4, 0, 26, 25, 0, 0, 0, 5, 7], 2, 6);
        var expected = model.Forward(x, training: false).Span.ToArray();
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Sequence, OutputActivation = "softmax", Loss = "sequence_cross_entropy" });
        stream.Position = 0;
        var loaded = ModelFile.Load(stream, "m.nlm");
        Assert.Equal(model.Spec, loaded.Model.Spec);
        Assert.Equal(new TensorShape(6, 27), loaded.Model.OutputShape);
        Assert.Equal(expected, loaded.Model.Forward(x, training: false).Span.ToArray());
    }

    [Fact]
    public void Linear_collapse_of_per_step_dense_layers_is_the_map_applied_at_each_step()
    {
        var model = Sequential.Parse("embedding:27:8,dense:16,dense:5");
        model.Build(new TensorShape(6), seed: 4);
        var stretch = Assert.Single(LinearCollapse.Stretches(model));
        Assert.Equal((2, 3, 2, 8, 5), (stretch.FirstLayer, stretch.LastLayer, stretch.DenseLayers, stretch.Inputs, stretch.Outputs));
        var x = Tensor.FromArray([1f, 2, 3, 4, 0, 26], 1, 6);
        var y = model.Forward(x, training: false).Clone();
        var vectors = model.Layers[0].LastOutput!;
        for (int t = 0; t < 6; t++)
        {
            var expected = stretch.Map!.Apply(vectors.Span.Slice(t * 8, 8));
            for (int u = 0; u < 5; u++)
            {
                Assert.True(Math.Abs(expected[u] - y.Span[t * 5 + u]) <= 1e-5, $"step {t}, output {u}: {expected[u]} vs {y.Span[t * 5 + u]}");
            }
        }

        // A purely linear model on sequences is no single map on a flat input: Collapse says so with null.
        var linear = Sequential.Parse("dense:4,dense:3");
        linear.Build(new TensorShape(6, 2), seed: 1);
        Assert.Null(LinearCollapse.Collapse(linear));
        Assert.Equal(2, Assert.Single(LinearCollapse.Stretches(linear)).Inputs);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
        }
    }
}
