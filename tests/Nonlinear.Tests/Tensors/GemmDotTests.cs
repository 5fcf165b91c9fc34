using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

/// <summary>
/// GemmDot (C += A · B^T as dot products along K, both operands row-major) against a float64 product: every tile
/// shape and remainder (M, N not multiples of 3), K below, at and off the vector width, strided and unaligned rows,
/// and the extremes (NaN, ±inf, inf · 0, values whose sum overflows float); at Gemm.Width 512 (Vector512 tiles where
/// accelerated) and 128 (Vector&lt;float&gt; tiles).
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class GemmDotTests
{
    private static readonly int[] Widths = [512, 128];

    public static TheoryData<int, int, int> Shapes() => new()
    {
        // m, n, k
        { 1, 1, 1 },
        { 3, 3, 8 },
        { 4, 5, 7 },
        { 9, 32, 676 },   // the reference CNN's first layer: taps x filters x pixels
        { 7, 2, 33 },
        { 6, 7, 0 },
        { 2, 4, 17 },
        { 10, 11, 121 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_a_float64_product_with_strided_unaligned_rows(int m, int n, int k)
    {
        // Rows 3 floats longer than K, each matrix starting 1 float into its array (not vector aligned).
        int lda = k + 3, ldb = k + 3, ldc = n + 2;
        var rng = new Random(m * 1000 + n * 10 + k);
        var a = Fill(1 + (m * lda), rng);
        var b = Fill(1 + (n * ldb), rng);
        var c = Fill(1 + (m * ldc), rng);
        var expected = new double[c.Length];
        var scale = new double[c.Length];
        for (int i = 0; i < c.Length; i++)
        {
            expected[i] = c[i];
            scale[i] = Math.Abs(c[i]);
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (double)a[1 + (i * lda) + p] * b[1 + (j * ldb) + p];
                    s += t;
                    abs += Math.Abs(t);
                }

                expected[1 + (i * ldc) + j] += s;
                scale[1 + (i * ldc) + j] += abs;
            }
        }

        var initial = c;
        foreach (int width in Widths)
        {
            c = (float[])initial.Clone();
            WithWidth(width, () => GemmDot.AddABt(a.AsSpan(1), lda, b.AsSpan(1), ldb, c.AsSpan(1), ldc, m, n, k));
            Check(c, expected, scale, k, $"m {m}, n {n}, k {k}, width {width}");
        }
    }

    private static void Check(float[] c, double[] expected, double[] scale, int k, string what)
    {
        for (int i = 0; i < c.Length; i++)
        {
            // Entries outside C's m x n (the row padding, the float before C) must be untouched: their scale is |c|.
            double tolerance = 1e-6 * (scale[i] + 1e-30) * Math.Max(1, Math.Sqrt(k));
            Assert.True(Math.Abs(c[i] - expected[i]) <= tolerance, $"C[{i}] = {c[i]}, float64 {expected[i]} ({what})");
        }
    }

    [Theory]
    [InlineData(9, 32, 676)]
    [InlineData(4, 4, 5)]
    [InlineData(3, 3, 19)]
    public void Non_finite_values_reach_exactly_the_outputs_that_read_them(int m, int n, int k)
    {
        var a = new float[m * k];
        var b = new float[n * k];
        Array.Fill(a, 1f);
        Array.Fill(b, 0.5f);
        // Row 0 of A: a NaN in the vector body. Row 1: +inf in the k tail (last element). Row m-1 (if distinct): huge
        // values whose float sum overflows to +inf (float64: finite). Column n-1 of B: one zero where A row 1 is inf
        // (inf · 0 = NaN), so C[1, n-1] is NaN and the other C[1, ·] are +inf.
        a[0] = float.NaN;
        a[(1 * k) + k - 1] = float.PositiveInfinity;
        b[((n - 1) * k) + k - 1] = 0f;
        if (m > 2)
        {
            a.AsSpan((m - 1) * k, k).Fill(float.MaxValue);
        }

        foreach (int width in Widths)
        {
            var c = new float[m * n];
            c[^1] = -0f;
            WithWidth(width, () => GemmDot.AddABt(a, k, b, k, c, n, m, n, k));
            CheckSpecial(c, m, n, k);
        }
    }

    private static void CheckSpecial(float[] c, int m, int n, int k)
    {
        for (int j = 0; j < n; j++)
        {
            Assert.True(float.IsNaN(c[j]), $"C[0, {j}] = {c[j]}");
            Assert.Equal(j == n - 1 ? float.NaN : float.PositiveInfinity, c[n + j]);
        }

        for (int i = 2; i < m - 1; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(j == n - 1 ? 0.5f * (k - 1) : 0.5f * k, c[(i * n) + j]);
            }
        }

        if (m > 2)
        {
            for (int j = 0; j < n; j++)
            {
                // 0.5 · MaxValue per term: two of them already overflow float.
                Assert.Equal(float.PositiveInfinity, c[((m - 1) * n) + j]);
            }
        }
    }

    [Fact]
    public void Too_small_operands_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => GemmDot.AddABt(new float[5], 3, new float[6], 3, new float[4], 2, 2, 2, 3));
        Assert.Throws<ArgumentException>(() => GemmDot.AddABt(new float[6], 2, new float[6], 3, new float[4], 2, 2, 2, 3));
    }

    private static void WithWidth(int width, Action action)
    {
        int saved = Gemm.Width;
        try
        {
            Gemm.Width = width;
            action();
        }
        finally
        {
            Gemm.Width = saved;
        }
    }

    private static float[] Fill(int length, Random rng)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return v;
    }
}
