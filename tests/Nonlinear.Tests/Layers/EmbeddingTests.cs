using Nonlinear.Layers;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class EmbeddingTests
{
    [Fact]
    public void Forward_looks_up_the_row_of_each_token()
    {
        var layer = new Embedding(5, 3);
        layer.Build(new TensorShape(4), Initializer.Auto, new Random(1));
        var w = layer.Weight.Value;
        var ids = Tensor.FromArray([0f, 4, 2, 4, 1, 1, 3, 0], 2, 4);
        var y = layer.Forward(ids, training: true);
        Assert.Equal(new TensorShape(2, 4, 3), y.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int t = 0; t < 4; t++)
            {
                int id = (int)ids[n, t];
                for (int k = 0; k < 3; k++)
                {
                    Assert.Equal(w[id, k], y[n, t, k]);
                }
            }
        }
    }

    [Fact]
    public void Backward_accumulates_into_the_rows_used_matching_central_differences_in_float64()
    {
        const int V = 6, D = 4, N = 3, T = 5;
        var layer = new Embedding(V, D);
        layer.Build(new TensorShape(T), Initializer.Auto, new Random(2));
        var rng = new Random(3);
        // Id 5 is never used; ids 1 and 2 repeat, within and across samples.
        float[] idValues = [1, 2, 1, 0, 3, 2, 2, 4, 1, 0, 3, 1, 1, 2, 4];
        var ids = Tensor.FromArray(idValues, N, T);
        var r = new double[N * T * D];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = rng.NextDouble() * 2 - 1;
        }

        var rf = new Tensor(N, T, D);
        for (int i = 0; i < r.Length; i++)
        {
            rf.Span[i] = (float)r[i];
        }

        layer.Forward(ids, training: true);
        layer.Weight.ZeroGradient();
        var dx = layer.Backward(rf);
        Assert.All(dx.Span.ToArray(), v => Assert.Equal(0f, v));
        var analytic = layer.Weight.Gradient.Span.ToArray();

        // L = sum(r * y) in float64; central differences on every weight.
        double Loss()
        {
            var y = layer.Forward(ids, training: true).Span;
            double s = 0;
            for (int i = 0; i < y.Length; i++)
            {
                s += r[i] * y[i];
            }

            return s;
        }

        var w = layer.Weight.Value.Span;
        const float h = 1e-2f;
        for (int i = 0; i < w.Length; i++)
        {
            float saved = w[i];
            w[i] = saved + h;
            double plus = Loss();
            w[i] = saved - h;
            double minus = Loss();
            w[i] = saved;
            double step = ((double)(saved + h) - (saved - h));   // the step actually taken in float
            double numeric = (plus - minus) / step;
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-5 * Math.Max(1, Math.Abs(numeric)), $"dW[{i / D}, {i % D}]: backward {analytic[i]}, central differences {numeric}");
        }

        // The exact answer: row v's gradient is the sum of r over the positions holding v; unused rows stay zero.
        for (int v = 0; v < V; v++)
        {
            for (int k = 0; k < D; k++)
            {
                double expected = 0;
                for (int p = 0; p < N * T; p++)
                {
                    if ((int)idValues[p] == v)
                    {
                        expected += r[p * D + k];
                    }
                }

                Assert.Equal(expected, analytic[v * D + k], 5);
            }
        }

        Assert.All(analytic.AsSpan(5 * D, D).ToArray(), g => Assert.Equal(0f, g));

        // A second backward accumulates.
        layer.Forward(ids, training: true);
        layer.Backward(rf);
        for (int i = 0; i < analytic.Length; i++)
        {
            Assert.Equal(2 * analytic[i], layer.Weight.Gradient.Span[i], 5);
        }
    }

    [Theory]
    [InlineData(5f)]
    [InlineData(-1f)]
    [InlineData(2.5f)]
    [InlineData(float.NaN)]
    public void A_token_outside_the_vocabulary_names_the_id_and_V(float bad)
    {
        var layer = new Embedding(5, 2);
        layer.Build(new TensorShape(3), Initializer.Auto, new Random(1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward(Tensor.FromArray([0f, 1, 2, 3, bad, 4], 2, 3), training: false));
        Assert.Contains($"token id {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)} at sample 1, step 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("V = 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("0..4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_start_standard_normal_like_pytorch()
    {
        var layer = new Embedding(1000, 50);
        layer.Build(new TensorShape(1), Initializer.He, new Random(7));
        var w = layer.Weight.Value.Span.ToArray();
        double mean = w.Average(v => (double)v), variance = w.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.01, 0.01);   // 50,000 draws: standard error 0.0045
        Assert.InRange(variance, 0.98, 1.02);
        Assert.True(layer.Weight.Decays);
    }

    [Fact]
    public void The_spec_token_builds_it_in_a_model_and_round_trips()
    {
        var model = Sequential.Parse("embedding:27:8,flatten,dense:3");
        Assert.Equal("embedding:27:8,flatten,dense:3", ModelSpec.Format(model.Layers));
        model.Build(new TensorShape(4), seed: 1);
        var y = model.Forward(Tensor.FromArray([0f, 26, 3, 3, 1, 2, 0, 0], 2, 4), training: false);
        Assert.Equal(new TensorShape(2, 3), y.Shape);
        Assert.Throws<ModelSpecException>(() => ModelSpec.Parse("embedding:27"));
        Assert.Throws<ModelSpecException>(() => ModelSpec.Parse("embedding:0:8"));
        var e = Assert.Throws<ArgumentException>(() => new Embedding(27, 8).Build(new TensorShape(4, 2), Initializer.Auto, new Random(1)));
        Assert.Contains("[N, T]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_model_keeps_the_embedding_weights()
    {
        var model = Sequential.Parse("embedding:27:4,flatten,dense:3");
        model.Build(new TensorShape(5), seed: 3);
        var x = Tensor.FromArray([1f, 2, 3, 4, 0, 26, 25, 0, 0, 0], 2, 5);
        var expected = model.Forward(x, training: false).Span.ToArray();
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" });
        stream.Position = 0;
        var loaded = ModelFile.Load(stream, "m.nlm");
        Assert.Equal("embedding:27:4,flatten,dense:3", ModelSpec.Format(loaded.Model.Layers));
        Assert.Equal(expected, loaded.Model.Forward(x, training: false).Span.ToArray());
    }
}
