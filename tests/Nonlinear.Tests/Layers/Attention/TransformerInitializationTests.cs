using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// The block starts from PyTorch 1.13's nn.TransformerEncoderLayer distributions (torch/nn/modules/linear.py
/// Linear.reset_parameters, activation.py MultiheadAttention._reset_parameters), so training compares fairly.
/// </summary>
public sealed class TransformerInitializationTests
{
    private const int D = 64, FF = 256;

    [Fact]
    public void Feed_forward_layers_start_as_nn_Linear_and_attention_as_nn_MultiheadAttention()
    {
        var block = new TransformerEncoderBlock(heads: 4, feedForward: FF);
        block.Build(new TensorShape(8, D), Initializer.He, new Random(11));
        var p = block.Parameters.ToDictionary(q => q.Name, q => q.Value.Span.ToArray());

        // Uniform(±b): every value inside, the extremes near ±b, variance b²/3 (loose: several standard errors).
        AssertUniform(p["linear1.weight"], 1 / Math.Sqrt(D));
        AssertUniform(p["linear1.bias"], 1 / Math.Sqrt(D));
        AssertUniform(p["linear2.weight"], 1 / Math.Sqrt(FF));
        AssertUniform(p["linear2.bias"], 1 / Math.Sqrt(FF));
        AssertUniform(p["self_attn.in_proj_weight"], Math.Sqrt(6.0 / (D + 3 * D)));   // xavier_uniform on [3D, D]
        AssertUniform(p["self_attn.out_proj.weight"], 1 / Math.Sqrt(D));
        Assert.All(p["self_attn.in_proj_bias"], v => Assert.Equal(0f, v));
        Assert.All(p["self_attn.out_proj.bias"], v => Assert.Equal(0f, v));
        Assert.All(p["norm1.weight"].Concat(p["norm2.weight"]), v => Assert.Equal(1f, v));
        Assert.All(p["norm1.bias"].Concat(p["norm2.bias"]), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void The_models_initializer_does_not_change_the_blocks_distributions()
    {
        var a = new TransformerEncoderBlock(heads: 2, feedForward: 16);
        a.Build(new TensorShape(3, 8), Initializer.He, new Random(3));
        var b = new TransformerEncoderBlock(heads: 2, feedForward: 16);
        b.Build(new TensorShape(3, 8), Initializer.LeCun, new Random(3));
        Assert.Equal(a.Parameters.SelectMany(q => q.Value.Span.ToArray()), b.Parameters.SelectMany(q => q.Value.Span.ToArray()));
    }

    private static void AssertUniform(float[] values, double bound)
    {
        Assert.All(values, v => Assert.InRange(v, -bound, bound));
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => ((double)v - mean) * ((double)v - mean));
        double expected = bound * bound / 3;
        // The relative standard error of a uniform's sample variance is sqrt(0.8 / n); allow 5 of them (4% for the
        // 16384 weights of linear1: a normal init of the same variance would pass, the range checks tell them apart).
        double slack = 5 * Math.Sqrt(0.8 / values.Length) * expected;
        Assert.True(Math.Abs(variance - expected) <= slack,
            $"variance {variance:E3}, expected {expected:E3} for U(±{bound:G4}) over {values.Length} values");
        Assert.True(Math.Abs(mean) <= 5 * bound / Math.Sqrt(3 * values.Length), $"mean {mean:E3} for U(±{bound:G4})");
        if (values.Length >= 256)
        {
            Assert.True(values.Max() > 0.95 * bound && values.Min() < -0.95 * bound, $"extremes {values.Min():G4}, {values.Max():G4} for U(±{bound:G4})");
        }
    }
}
