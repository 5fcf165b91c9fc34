using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

public sealed class MultiHeadAttentionTests
{
    /// <summary>
    /// nn.MultiheadAttention's forward written out in float64 with plain loops (a naive max-subtracted softmax):
    /// x [N, T, D]; parameters in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias.
    /// </summary>
    internal static double[] Reference(double[] x, double[][] p, int t, int d, int heads, bool causal, bool scaled)
    {
        double[] wIn = p[0], bIn = p[1], wOut = p[2], bOut = p[3];
        int n = x.Length / (t * d), dk = d / heads;
        var y = new double[x.Length];
        var qkv = new double[t, 3 * d];
        var context = new double[t, d];
        var row = new double[t];
        double scale = scaled ? 1 / Math.Sqrt(dk) : 1;
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int o = 0; o < 3 * d; o++)
                {
                    double sum = bIn[o];
                    for (int j = 0; j < d; j++)
                    {
                        sum += wIn[o * d + j] * x[(s * t + i) * d + j];
                    }

                    qkv[i, o] = sum;
                }
            }

            for (int a = 0; a < heads; a++)
            {
                for (int i = 0; i < t; i++)
                {
                    double max = double.NegativeInfinity;
                    int visible = causal ? i + 1 : t;
                    for (int u = 0; u < visible; u++)
                    {
                        double dot = 0;
                        for (int c = 0; c < dk; c++)
                        {
                            dot += qkv[i, a * dk + c] * qkv[u, d + a * dk + c];
                        }

                        row[u] = dot * scale;
                        max = Math.Max(max, row[u]);
                    }

                    double total = 0;
                    for (int u = 0; u < visible; u++)
                    {
                        row[u] = Math.Exp(row[u] - max);
                        total += row[u];
                    }

                    for (int c = 0; c < dk; c++)
                    {
                        double sum = 0;
                        for (int u = 0; u < visible; u++)
                        {
                            sum += row[u] / total * qkv[u, 2 * d + a * dk + c];
                        }

                        context[i, a * dk + c] = sum;
                    }
                }
            }

            for (int i = 0; i < t; i++)
            {
                for (int o = 0; o < d; o++)
                {
                    double sum = bOut[o];
                    for (int j = 0; j < d; j++)
                    {
                        sum += wOut[o * d + j] * context[i, j];
                    }

                    y[(s * t + i) * d + o] = sum;
                }
            }
        }

        return y;
    }

    [Theory]
    [InlineData(4, 8, 2, false, true)]
    [InlineData(4, 8, 2, true, true)]
    [InlineData(5, 6, 3, true, false)]
    [InlineData(3, 4, 1, false, false)]
    [InlineData(17, 4, 2, true, true)]
    public void Backward_matches_float64_central_differences(int t, int d, int heads, bool causal, bool scaled)
    {
        var layer = new MultiHeadAttention(heads, causal, scaled);
        layer.Build(new TensorShape(t, d), Initializer.Auto, new Random(2));
        // Non-zero biases, so that their gradients and their effect on the scores are exercised.
        var rng = new Random(3);
        foreach (var p in new[] { layer.InProjectionBias, layer.OutProjectionBias })
        {
            for (int i = 0; i < p.Length; i++)
            {
                p.Value.Span[i] = (float)(rng.NextDouble() - 0.5);
            }
        }

        var x = Float64GradientCheck.RandomTensor(7, 1, 2, t, d);
        Float64GradientCheck.Check(layer, x, (xs, ps) => Reference(xs, ps, t, d, heads, causal, scaled), seed: 8);
    }

    [Fact]
    public void Causal_rows_give_no_weight_to_later_positions_and_every_row_sums_to_one()
    {
        var layer = new MultiHeadAttention(2, causal: true);
        layer.Build(new TensorShape(5, 4), Initializer.Auto, new Random(2));
        layer.Forward(Float64GradientCheck.RandomTensor(1, 1, 3, 5, 4), training: false);
        var p = layer.AttentionWeights;
        Assert.Equal(3 * 2 * 5 * 5, p.Length);
        for (int r = 0; r < 3 * 2 * 5; r++)
        {
            int i = r % 5;
            double sum = 0;
            for (int u = 0; u < 5; u++)
            {
                sum += p[r * 5 + u];
                if (u > i)
                {
                    Assert.Equal(0f, p[r * 5 + u]);
                }
            }

            Assert.Equal(1, sum, 5);
        }
    }

    [Fact]
    public void Spec_names_heads_causal_and_unscaled_and_the_dimension_must_divide()
    {
        Assert.Equal("attention:heads=4", new MultiHeadAttention(4).Spec);
        Assert.Equal("attention:heads=2:causal:unscaled", new MultiHeadAttention(2, causal: true, scaled: false).Spec);
        var layer = new MultiHeadAttention(3);
        Assert.Throws<ArgumentException>(() => layer.Build(new TensorShape(4, 8), Initializer.Auto, new Random(1)));
        Assert.Throws<ArgumentException>(() => layer.Build(new TensorShape(8), Initializer.Auto, new Random(1)));
    }
}
