using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

public sealed class AttentionScoreGradientTests
{
    /// <summary>
    /// ScoreGradients = dL/dS, recomputed here in float64 from the layer's own P, V = x W_vᵀ + b_v and
    /// dO = dy W_out: dS[i, j] = P[i, j] (dP[i, j] − Σ_u dP[i, u] P[i, u]), dP = dO Vᵀ per head.
    /// </summary>
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public void Score_gradients_are_the_gradient_reaching_the_softmax(bool causal, bool scaled)
    {
        const int n = 2, t = 6, d = 8, h = 2, dk = d / h;
        var layer = new MultiHeadAttention(h, causal, scaled);
        layer.Build(new TensorShape(t, d), Initializer.Auto, new Random(7));
        Assert.True(layer.ScoreGradients.IsEmpty);
        var x = FiniteDifferences.RandomInput(8, n, t, d);
        var dy = FiniteDifferences.RandomInput(9, n, t, d);
        layer.Forward(x, training: true);
        layer.Backward(dy);
        var p = layer.AttentionWeights;
        var dS = layer.ScoreGradients;
        Assert.Equal(n * h * t * t, dS.Length);
        var wIn = layer.InProjectionWeight.Value.Span;
        var bIn = layer.InProjectionBias.Value.Span;
        var wOut = layer.OutProjectionWeight.Value.Span;
        var xs = x.Span;
        var dys = dy.Span;
        double worst = 0, largest = 0;
        for (int s = 0; s < n; s++)
        {
            var v = new double[t, d];
            var dO = new double[t, d];
            for (int i = 0; i < t; i++)
            {
                for (int o = 0; o < d; o++)
                {
                    double sum = bIn[2 * d + o], back = 0;
                    for (int j = 0; j < d; j++)
                    {
                        sum += (double)wIn[(2 * d + o) * d + j] * xs[(s * t + i) * d + j];
                        back += (double)dys[(s * t + i) * d + j] * wOut[j * d + o];
                    }

                    v[i, o] = sum;
                    dO[i, o] = back;
                }
            }

            for (int a = 0; a < h; a++)
            {
                int block = (s * h + a) * t * t;
                for (int i = 0; i < t; i++)
                {
                    var dP = new double[t];
                    double dot = 0;
                    for (int j = 0; j < t; j++)
                    {
                        for (int c = 0; c < dk; c++)
                        {
                            dP[j] += dO[i, a * dk + c] * v[j, a * dk + c];
                        }

                        dot += dP[j] * p[block + i * t + j];
                    }

                    double rowSum = 0;
                    for (int j = 0; j < t; j++)
                    {
                        double expected = p[block + i * t + j] * (dP[j] - dot);
                        float actual = dS[block + i * t + j];
                        if (causal && j > i)
                        {
                            Assert.Equal(0f, actual);
                        }

                        worst = Math.Max(worst, Math.Abs(actual - expected));
                        largest = Math.Max(largest, Math.Abs(expected));
                        rowSum += actual;
                    }

                    // Softmax's Jacobian keeps the row sum: Σ_j dS[i, j] = 0.
                    Assert.True(Math.Abs(rowSum) < 1e-5, $"row sum {rowSum}");
                }
            }
        }

        Assert.True(largest > 1e-3, "the check needs non-trivial gradients");
        Assert.True(worst < 2e-6 * Math.Max(1, largest), $"worst error {worst:E2}, largest |dS| {largest:E2}");
    }
}
