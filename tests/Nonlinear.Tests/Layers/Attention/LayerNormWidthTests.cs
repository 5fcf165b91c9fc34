using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Nonlinear.Tensors.Simd;
using Nonlinear.Tests.Activations;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// Layer normalisation at every vector width (512 where accelerated, 256, 128): forward and backward against the
/// float64 formulas for feature counts around every block boundary, extreme rows (constant, huge, tiny, signed
/// zeros, NaN and inf, which stay in their own row), and the same bits at every width where the hardware has an FMA.
/// </summary>
[Collection(KernelSettings.Name)]
public sealed class LayerNormWidthTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(100)]
    public void Forward_and_backward_match_float64_at_every_width_and_agree_across_widths(int d)
    {
        const int rows = 5;
        var x = Random(rows * d, seed: d, scale: 3, offset: 1.5);
        var dy = Random(rows * d, seed: 100 + d, scale: 1, offset: 0);
        var gamma = Random(d, seed: 200 + d, scale: 0.5, offset: 1);
        var beta = Random(d, seed: 300 + d, scale: 0.5, offset: 0);
        Result? first = null;
        foreach (int width in KernelSettings.Widths)
        {
            var got = KernelSettings.WithWidth(width, () => Run(x, dy, gamma, beta, rows, d));
            var expected = Reference(x, dy, gamma, beta, rows, d);
            for (int i = 0; i < rows * d; i++)
            {
                Close(expected.Y[i], got.Y[i], 2e-6, $"width {width}, d {d}: y[{i}]");
                Close(expected.Dx[i], got.Dx[i], 1e-5, $"width {width}, d {d}: dx[{i}]");
            }

            for (int j = 0; j < d; j++)
            {
                Close(expected.DGamma[j], got.DGamma[j], 1e-5, $"width {width}, d {d}: dγ[{j}]");
                Close(expected.DBeta[j], got.DBeta[j], 1e-6, $"width {width}, d {d}: dβ[{j}]");
            }

            if (first is null)
            {
                first = got;
            }
            else if (V128.HasFusedMultiplyAdd)
            {
                Assert.Equal(first.Y, got.Y);
                Assert.Equal(first.Dx, got.Dx);
                Assert.Equal(first.DGamma, got.DGamma);
                Assert.Equal(first.DBeta, got.DBeta);
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(37)]
    public void Extreme_rows_give_the_float64_answer_or_stay_in_their_own_row(int d)
    {
        // Row 0: constant (σ² = 0: y = β exactly); row 1: huge (1e18, squares 1e36 still finite);
        // row 2: tiny (1e-20: σ² far below ε); row 3: signed zeros; row 4: NaN in one feature; row 5: +inf; row 6: ordinary.
        const int rows = 7;
        var x = Random(rows * d, seed: d, scale: 1, offset: 0);
        var dy = Random(rows * d, seed: 50 + d, scale: 1, offset: 0);
        var gamma = Random(d, seed: 60 + d, scale: 0.5, offset: 1);
        var beta = Random(d, seed: 70 + d, scale: 0.5, offset: 0);
        for (int j = 0; j < d; j++)
        {
            x[j] = 2.5f;
            x[d + j] *= 1e18f;
            x[2 * d + j] *= 1e-20f;
            x[3 * d + j] = j % 2 == 0 ? -0f : 0f;
        }

        x[4 * d + d / 2] = float.NaN;
        x[5 * d + d / 3] = float.PositiveInfinity;
        var expected = Reference(x, dy, gamma, beta, rows, d);
        foreach (int width in KernelSettings.Widths)
        {
            var got = KernelSettings.WithWidth(width, () => Run(x, dy, gamma, beta, rows, d));
            for (int j = 0; j < d; j++)
            {
                Assert.Equal(beta[j], got.Y[j]);
                Assert.Equal(beta[j], got.Y[3 * d + j]);
                foreach (int r in new[] { 0, 1, 2, 3, 6 })
                {
                    Close(expected.Y[r * d + j], got.Y[r * d + j], 2e-6, $"width {width}: y[{r},{j}]");
                    Close(expected.Dx[r * d + j], got.Dx[r * d + j], 1e-5, $"width {width}: dx[{r},{j}]");
                }

                Assert.True(float.IsNaN(got.Y[4 * d + j]), $"width {width}: y[4,{j}] = {got.Y[4 * d + j]}");
                Assert.True(float.IsNaN(got.Y[5 * d + j]), $"width {width}: y[5,{j}] = {got.Y[5 * d + j]}");
            }
        }
    }

    private sealed record Result(float[] Y, float[] Dx, float[] DGamma, float[] DBeta);

    private static Result Run(float[] x, float[] dy, float[] gamma, float[] beta, int rows, int d)
    {
        var layer = new LayerNorm();
        layer.Build(new TensorShape(rows, d), Initializer.Auto, new Random(1));
        gamma.CopyTo(layer.Gamma.Value.Span);
        beta.CopyTo(layer.Beta.Value.Span);
        var y = layer.Forward(Tensor.FromArray((float[])x.Clone(), 1, rows, d), training: true).Span.ToArray();
        layer.Gamma.ZeroGradient();
        layer.Beta.ZeroGradient();
        var dx = layer.Backward(Tensor.FromArray((float[])dy.Clone(), 1, rows, d)).Span.ToArray();
        return new Result(y, dx, layer.Gamma.Gradient.Span.ToArray(), layer.Beta.Gradient.Span.ToArray());
    }

    /// <summary>The forward and backward in float64 from the float inputs (rows with NaN or inf skipped by the caller).</summary>
    private static (double[] Y, double[] Dx, double[] DGamma, double[] DBeta) Reference(float[] x, float[] dy, float[] gamma, float[] beta, int rows, int d)
    {
        var y = new double[rows * d];
        var dx = new double[rows * d];
        var dGamma = new double[d];
        var dBeta = new double[d];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < d; j++)
            {
                mean += x[r * d + j];
            }

            mean /= d;
            for (int j = 0; j < d; j++)
            {
                variance += (x[r * d + j] - mean) * (x[r * d + j] - mean);
            }

            double invStd = 1 / Math.Sqrt(variance / d + LayerNorm.Epsilon);
            double meanG = 0, meanGx = 0;
            for (int j = 0; j < d; j++)
            {
                double xhat = (x[r * d + j] - mean) * invStd;
                y[r * d + j] = xhat * gamma[j] + beta[j];
                if (double.IsFinite(xhat))
                {
                    dGamma[j] += dy[r * d + j] * xhat;
                }

                dBeta[j] += dy[r * d + j];
                meanG += (double)gamma[j] * dy[r * d + j] / d;
                meanGx += gamma[j] * dy[r * d + j] * xhat / d;
            }

            for (int j = 0; j < d; j++)
            {
                double xhat = (x[r * d + j] - mean) * invStd;
                dx[r * d + j] = ((double)gamma[j] * dy[r * d + j] - meanG - xhat * meanGx) * invStd;
            }
        }

        return (y, dx, dGamma, dBeta);
    }

    private static void Close(double expected, float got, double tolerance, string what)
        => Assert.True(Math.Abs(got - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what} = {got}, float64 {expected}");

    private static float[] Random(int length, int seed, double scale, double offset)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(offset + (rng.NextDouble() * 2 - 1) * scale);
        }

        return values;
    }
}
