using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers.Attention;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class PositionalEncodingTests
{
    [Theory]
    [InlineData(PositionalEncodingKind.Learned)]
    [InlineData(PositionalEncodingKind.Sinusoidal)]
    public void Positions_add_to_every_sample_and_match_central_differences_of_a_float64_reference(PositionalEncodingKind kind)
    {
        const int T = 4, D = 5;
        var layer = new PositionalEncoding(kind);
        layer.Build(new TensorShape(T, D), Initializer.Auto, new Random(1));
        Assert.Equal(new TensorShape(T, D), layer.OutputShape);
        Assert.Equal(kind == PositionalEncodingKind.Learned ? 1 : 0, layer.Parameters.Count);
        double[] table = Float64GradientCheck.ToDouble(layer.Positions.Span);
        Float64GradientCheck.Check(layer, Float64GradientCheck.RandomTensor(2, 1.0, 3, T, D), (xs, ps) =>
        {
            double[] p = ps.Length == 1 ? ps[0] : table;
            var y = new double[xs.Length];
            for (int i = 0; i < xs.Length; i++)
            {
                y[i] = xs[i] + p[i % (T * D)];
            }

            return y;
        }, seed: 3);
    }

    [Fact]
    public void Learned_positions_start_from_a_normal_with_standard_deviation_0_02_as_in_GPT_2()
    {
        var layer = new PositionalEncoding(PositionalEncodingKind.Learned);
        layer.Build(new TensorShape(100, 64), Initializer.He, new Random(5));
        var w = layer.Parameters[0];
        Assert.Equal("weight", w.Name);
        Assert.Equal(new TensorShape(100, 64), w.Value.Shape);
        double mean = 0, square = 0;
        foreach (float v in w.Value.Span)
        {
            mean += v;
            square += (double)v * v;
        }

        mean /= w.Length;
        double std = Math.Sqrt(square / w.Length - mean * mean);
        // 6400 draws: the mean's standard error is 0.02/80 = 2.5e-4, the std's about 0.02/113 = 1.8e-4.
        Assert.InRange(mean, -1e-3, 1e-3);
        Assert.InRange(std, 0.019, 0.021);
    }

    [Fact]
    public void Sinusoidal_positions_match_Vaswanis_formula_in_float64_at_large_t_and_d()
    {
        const int T = 512, D = 512;
        var layer = new PositionalEncoding(PositionalEncodingKind.Sinusoidal);
        layer.Build(new TensorShape(T, D), Initializer.Auto, new Random(1));
        var p = layer.Positions.Span;
        double worst = 0, worstFloat32 = 0;
        for (int t = 0; t < T; t++)
        {
            for (int i = 0; i < D / 2; i++)
            {
                // PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D)), written here through exp and log.
                double angle = t * Math.Exp(-(2.0 * i / D) * Math.Log(10000));
                worst = Math.Max(worst, Math.Max(Math.Abs(p[t * D + 2 * i] - Math.Sin(angle)), Math.Abs(p[t * D + 2 * i + 1] - Math.Cos(angle))));

                // The common float32 recipe (PyTorch tutorials: exp(arange * -ln(10000)/D) in float32), for contrast.
                float angle32 = t * MathF.Exp(2 * i * (-MathF.Log(10000f) / D));
                worstFloat32 = Math.Max(worstFloat32, Math.Abs(MathF.Sin(angle32) - Math.Sin(angle)));
            }
        }

        // Rounding a value in [-1, 1] to float32 errs by at most 2^-25 ~ 3e-8.
        Assert.True(worst <= 3.0e-8, $"largest difference from the float64 formula {worst:E2}");
        Assert.True(worstFloat32 > 1e-5, $"the float32 recipe was expected to drift at t = 511, but erred only {worstFloat32:E2}");
        Assert.Equal(0f, p[0]);
        Assert.Equal(1f, p[1]);
        Assert.Equal((float)Math.Sin(511.0), p[511 * D]);
        Assert.Equal((float)Math.Cos(511.0), p[511 * D + 1]);
    }

    [Fact]
    public void Sinusoidal_positions_with_an_odd_dimension_end_with_a_sine()
    {
        var table = PositionalEncoding.Sinusoid(3, 5);
        double angle = 2 / Math.Pow(10000, 4.0 / 5);
        Assert.Equal(Math.Sin(angle), table[2 * 5 + 4], 15);
        Assert.Equal(Math.Cos(2 / Math.Pow(10000, 2.0 / 5)), table[2 * 5 + 3], 15);
    }

    [Fact]
    public void Tokens_round_trip_and_bad_tokens_or_shapes_are_refused_with_a_clear_message()
    {
        Assert.Equal("positions:learned,positions:sinusoidal", ModelSpec.Format(ModelSpec.Parse("positions:learned,Positions:SINUSOIDAL")));
        foreach (var bad in new[] { "positions", "positions:rotary", "positions:learned:2", "positions:0" })
        {
            var e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(bad));
            Assert.Contains("positions:learned or positions:sinusoidal", e.Message, StringComparison.Ordinal);
        }

        foreach (var shape in new[] { new TensorShape(5), new TensorShape(2, 3, 4), new TensorShape(0, 3) })
        {
            var e = Assert.Throws<ArgumentException>(() => new PositionalEncoding(PositionalEncodingKind.Learned).Build(shape, Initializer.Auto, new Random(1)));
            Assert.Contains("[T, D]", e.Message, StringComparison.Ordinal);
            Assert.Contains(shape.ToString(), e.Message, StringComparison.Ordinal);
        }

        var unknown = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse("dense:4,positional"));
        Assert.Contains("positions:learned|sinusoidal", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("seqpool:mean|last", unknown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("positions:learned")]
    [InlineData("positions:sinusoidal")]
    public void A_word_model_with_positions_round_trips_through_a_model_file(string positions)
    {
        var model = Sequential.Parse($"embedding:27:8,{positions},transformer:d=8,heads=2,ff=16:causal,dense:27");
        model.Build(new TensorShape(6), seed: 3);
        Assert.Equal(positions == "positions:learned", model.ParameterNames.Contains("1.weight"));
        var x = Tensor.FromArray([1f, 2, 3, 4, 0, 26, 25, 0, 0, 0, 5, 7], 2, 6);
        var expected = model.Forward(x, training: false).Span.ToArray();
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Sequence, OutputActivation = "softmax", Loss = "sequence_cross_entropy" });
        stream.Position = 0;
        var loaded = ModelFile.Load(stream, "m.nlm");
        Assert.Equal(model.Spec, loaded.Model.Spec);
        Assert.Equal(model.ParameterNames, loaded.Model.ParameterNames);
        Assert.Equal(model.Parameters[1].Value.Span.ToArray(), loaded.Model.Parameters[1].Value.Span.ToArray());
        Assert.Equal(expected, loaded.Model.Forward(x, training: false).Span.ToArray());
    }
}
