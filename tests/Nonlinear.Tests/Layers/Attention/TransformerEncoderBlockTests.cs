using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Nonlinear.Tests.Activations;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

public sealed class TransformerEncoderBlockTests
{
    /// <summary>The pre-norm block in float64, from the float64 references of its parts (PyTorch's parameter order).</summary>
    private static double[] Reference(double[] x, double[][] p, int t, int d, int heads, int ff, bool causal)
    {
        double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();
        double[] Dense(double[] input, double[] w, double[] b, int inputs, int outputs)
        {
            int rows = input.Length / inputs;
            var y = new double[rows * outputs];
            for (int r = 0; r < rows; r++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    double s = b[o];
                    for (int j = 0; j < inputs; j++)
                    {
                        s += w[o * inputs + j] * input[r * inputs + j];
                    }

                    y[r * outputs + o] = s;
                }
            }

            return y;
        }

        var attended = MultiHeadAttentionTests.Reference(LayerNormTests.Reference(x, [p[8], p[9]]), [p[0], p[1], p[2], p[3]], t, d, heads, causal, scaled: true);
        var h = Add(x, attended);
        var hidden = Dense(LayerNormTests.Reference(h, [p[10], p[11]]), p[4], p[5], d, ff).Select(v => v * Float64.NormalCdf(v)).ToArray();
        return Add(h, Dense(hidden, p[6], p[7], ff, d));
    }

    [Theory]
    [InlineData(4, 8, 2, 12, false)]
    [InlineData(5, 6, 3, 7, true)]
    public void Backward_matches_float64_central_differences(int t, int d, int heads, int ff, bool causal)
    {
        var block = new TransformerEncoderBlock(heads, ff, causal);
        block.Build(new TensorShape(t, d), Initializer.Auto, new Random(4));
        var rng = new Random(5);
        foreach (var p in block.Parameters.Where(p => p.Name.EndsWith("bias", StringComparison.Ordinal) || p.Name.StartsWith("norm", StringComparison.Ordinal)))
        {
            for (int i = 0; i < p.Length; i++)
            {
                p.Value.Span[i] += (float)(rng.NextDouble() - 0.5);
            }
        }

        var x = Float64GradientCheck.RandomTensor(6, 1, 2, t, d);
        Float64GradientCheck.Check(block, x, (xs, ps) => Reference(xs, ps, t, d, heads, ff, causal), seed: 7);
    }

    [Fact]
    public void Parameters_carry_pytorchs_transformer_encoder_layer_names_in_its_order()
    {
        var block = new TransformerEncoderBlock(2, 16, causal: true, modelDimension: 8);
        block.Build(new TensorShape(3, 8), Initializer.Auto, new Random(1));
        Assert.Equal(
            ["self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
             "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"],
            block.Parameters.Select(p => p.Name));
        Assert.Equal("transformer:d=8,heads=2,ff=16:causal", block.Spec);
        Assert.Throws<ArgumentException>(() => new TransformerEncoderBlock(2, 16, modelDimension: 6).Build(new TensorShape(3, 8), Initializer.Auto, new Random(1)));
    }
}
