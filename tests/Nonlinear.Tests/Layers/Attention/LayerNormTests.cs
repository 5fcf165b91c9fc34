using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

public sealed class LayerNormTests
{
    /// <summary>PyTorch's formula in float64: per row of the last dimension, biased variance, ε = 1e-5.</summary>
    internal static double[] Reference(double[] x, double[][] p)
    {
        double[] gamma = p[0], beta = p[1];
        int d = gamma.Length;
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / d; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < d; j++)
            {
                mean += x[r * d + j] / d;
            }

            for (int j = 0; j < d; j++)
            {
                variance += (x[r * d + j] - mean) * (x[r * d + j] - mean) / d;
            }

            for (int j = 0; j < d; j++)
            {
                y[r * d + j] = (x[r * d + j] - mean) / Math.Sqrt(variance + 1e-5) * gamma[j] + beta[j];
            }
        }

        return y;
    }

    [Theory]
    [InlineData(new[] { 3, 5 })]
    [InlineData(new[] { 7 })]
    [InlineData(new[] { 1, 16 })]
    public void Backward_matches_float64_central_differences(int[] sample)
    {
        var layer = new LayerNorm();
        layer.Build(new TensorShape(sample), Initializer.Auto, new Random(1));
        int d = sample[^1];
        for (int j = 0; j < d; j++)
        {
            layer.Gamma.Value.Span[j] = 0.5f + 0.1f * j;
            layer.Beta.Value.Span[j] = 0.2f - 0.05f * j;
        }

        var x = Float64GradientCheck.RandomTensor(5, 2, [2, .. sample]);
        Float64GradientCheck.Check(layer, x, Reference, seed: 6);
    }

    [Fact]
    public void Each_position_is_normalised_on_its_own_with_the_biased_variance()
    {
        var layer = new LayerNorm();
        layer.Build(new TensorShape(2, 4), Initializer.Auto, new Random(1));
        // Row 1, 2, 3, 6: mean 3, biased variance 3.5. Row of constants: 0 (ε keeps it finite).
        var x = Tensor.FromArray([1f, 2f, 3f, 6f, 5f, 5f, 5f, 5f], 1, 2, 4);
        var y = layer.Forward(x, training: false);
        double inv = 1 / Math.Sqrt(3.5 + 1e-5);
        Assert.Equal(-2 * inv, y.Span[0], 5);
        Assert.Equal(3 * inv, y.Span[3], 5);
        Assert.Equal(0f, y.Span[5]);
    }

    [Fact]
    public void Rejects_inputs_of_rank_three_per_sample()
    {
        var layer = new LayerNorm();
        Assert.Throws<ArgumentException>(() => layer.Build(new TensorShape(2, 3, 4), Initializer.Auto, new Random(1)));
    }
}
