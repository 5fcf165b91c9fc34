using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>BatchNorm and its row kernels against a float64 implementation of the same formulas.</summary>
public sealed class BatchNormReferenceTests
{
    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1, 0.0)]
    [InlineData(3, 5.0)]
    [InlineData(15, -2.0)]
    [InlineData(16, 0.0)]
    [InlineData(17, 1e4)]
    [InlineData(33, 1e4)]
    [InlineData(49, -3e5)]
    [InlineData(784, 1e4)]
    [InlineData(1000, 1e6)]
    public void Row_moments_match_float64_even_with_a_large_common_offset(int length, double offset)
    {
        var rng = new Random(length);
        var x = new float[length + 1];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(offset + rng.NextDouble() * 2 - 1);
        }

        var row = x.AsSpan(1); // unaligned
        BatchNormKernels.RowMoments(row, out double mean, out double m2);
        double refMean = 0, refM2 = 0;
        foreach (float v in row)
        {
            refMean += v;
        }

        refMean = length == 0 ? 0 : refMean / length;
        foreach (float v in row)
        {
            refM2 += (v - refMean) * (v - refMean);
        }

        Assert.Equal(refMean, mean, 1e-7 + (Math.Abs(offset) * 1e-9));
        Assert.Equal(refM2, m2, (refM2 * 1e-5) + 1e-9);
    }

    [Fact]
    public void Row_moments_carry_nan_and_infinity()
    {
        var x = new float[40];
        x[7] = float.PositiveInfinity;
        BatchNormKernels.RowMoments(x, out double mean, out double m2);
        Assert.True(double.IsNaN(mean) || double.IsInfinity(mean));
        Assert.True(double.IsNaN(m2));
        x[7] = float.NaN;
        BatchNormKernels.RowMoments(x, out mean, out _);
        Assert.True(double.IsNaN(mean));
    }

    [Theory]
    [InlineData(new[] { 6, 3 }, 0.0)]             // BatchNorm1d: one value per sample and feature
    [InlineData(new[] { 4, 2, 3 }, 100.0)]        // rows shorter than two vectors
    [InlineData(new[] { 5, 3, 7, 5 }, 1e4)]       // 35-value rows: vector loops and a tail
    [InlineData(new[] { 3, 2, 28, 28 }, -1e4)]    // 784-value rows, a large mean that a one-pass Σx² would lose
    [InlineData(new[] { 2, 4, 9, 9 }, 0.0)]
    public void Training_forward_and_backward_match_float64(int[] shape, double offset)
    {
        int n = shape[0], channels = shape[1], inner = 1;
        for (int i = 2; i < shape.Length; i++)
        {
            inner *= shape[i];
        }

        var rng = new Random(shape.Sum() + (int)offset);
        var layer = new BatchNorm();
        layer.Build(new TensorShape(shape[1..]), Initializer.Auto, new Random(1));
        for (int c = 0; c < channels; c++)
        {
            layer.Gamma.Value.Span[c] = (float)(0.5 + rng.NextDouble());
            layer.Beta.Value.Span[c] = (float)(rng.NextDouble() - 0.5);
        }

        var x = new Tensor(shape);
        var dy = new Tensor(shape);
        for (int i = 0; i < x.Length; i++)
        {
            // Each channel its own scale around the offset.
            int c = i / inner % channels;
            x.Span[i] = (float)(offset + (c + 1) * (rng.NextDouble() * 2 - 1));
            dy.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        var y = layer.Forward(x, training: true).Span.ToArray();
        var dx = layer.Backward(dy).Span.ToArray();

        for (int c = 0; c < channels; c++)
        {
            var idx = Enumerable.Range(0, n).SelectMany(s => Enumerable.Range((s * channels + c) * inner, inner)).ToArray();
            double m = idx.Length;
            double mean = idx.Sum(i => (double)x.Span[i]) / m;
            double variance = idx.Sum(i => Math.Pow(x.Span[i] - mean, 2)) / m;
            double invStd = 1 / Math.Sqrt(variance + BatchNorm.Epsilon);
            double gamma = layer.Gamma.Value.Span[c], beta = layer.Beta.Value.Span[c];
            double sumDy = idx.Sum(i => (double)dy.Span[i]);
            double sumDyXhat = idx.Sum(i => dy.Span[i] * (x.Span[i] - mean) * invStd);
            Assert.Equal(0.1 * mean, layer.RunningMean.Span[c], Math.Abs(mean) * 1e-6 + 1e-6);
            Assert.Equal(0.9 + 0.1 * variance * m / (m - 1), layer.RunningVariance.Span[c], 1e-5);
            Assert.Equal(sumDyXhat, layer.Gamma.Gradient.Span[c], 1e-4 * Math.Sqrt(m));
            Assert.Equal(sumDy, layer.Beta.Gradient.Span[c], 1e-5 * Math.Sqrt(m));
            foreach (int i in idx)
            {
                double xhat = (x.Span[i] - mean) * invStd;
                Assert.Equal(gamma * xhat + beta, y[i], 2e-5);
                double expected = gamma * invStd * (dy.Span[i] - sumDy / m - xhat * sumDyXhat / m);
                Assert.Equal(expected, dx[i], 2e-5);
            }
        }
    }

    [Theory]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 2, 3, 6, 6 })]
    public void Evaluation_forward_and_backward_match_float64_and_keep_infinities(int[] shape)
    {
        int channels = shape[1], inner = shape.Length > 2 ? shape[2] * shape[3] : 1;
        var layer = new BatchNorm();
        layer.Build(new TensorShape(shape[1..]), Initializer.Auto, new Random(1));
        for (int c = 0; c < channels; c++)
        {
            layer.RunningMean.Span[c] = 1000f + c;
            layer.RunningVariance.Span[c] = 0.5f + c;
            layer.Gamma.Value.Span[c] = 1.5f - c;
            layer.Beta.Value.Span[c] = 0.25f * c;
        }

        var rng = new Random(2);
        var x = new Tensor(shape);
        var dy = new Tensor(shape);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = (float)(1000 + rng.NextDouble() * 4 - 2);
            dy.Span[i] = (float)(rng.NextDouble() - 0.5);
        }

        x.Span[1] = float.PositiveInfinity;
        var y = layer.Forward(x, training: false).Span.ToArray();
        var dx = layer.Backward(dy).Span.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / inner % channels;
            double scale = layer.Gamma.Value.Span[c] / Math.Sqrt(layer.RunningVariance.Span[c] + (double)BatchNorm.Epsilon);
            double expected = (x.Span[i] - (double)layer.RunningMean.Span[c]) * scale + layer.Beta.Value.Span[c];
            if (double.IsInfinity(expected))
            {
                Assert.Equal((float)expected, y[i]);
            }
            else
            {
                Assert.Equal(expected, y[i], 2e-5);
            }

            Assert.Equal(scale * dy.Span[i], dx[i], 1e-6); // finite although x is infinite
        }
    }
}
