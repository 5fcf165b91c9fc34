using Nonlinear.Layers.Attention;
using Nonlinear.Tensors.Simd;
using Nonlinear.Tests.Activations;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// Attention's score and combination kernels at every vector width (512 where accelerated, 256, 128): against
/// float64 sums, non-finite values where float64 has them, causal masking that no later value crosses, unaligned
/// starts and leading dimensions, odd sizes; and the same bits at every width where the hardware has an FMA.
/// </summary>
[Collection(KernelSettings.Name)]
public sealed unsafe class AttentionKernelWidthTests
{
    public static TheoryData<int, int, bool> Sizes => new()
    {
        { 1, 1, false }, { 1, 1, true }, { 3, 5, false }, { 5, 3, true }, { 16, 16, false }, { 16, 16, true },
        { 17, 4, true }, { 23, 16, false }, { 23, 16, true }, { 33, 20, false }, { 40, 7, true },
    };

    /// <summary>Whether every width computes each output with the same fused multiply-adds.</summary>
    private static bool SameBitsAtEveryWidth => V128.HasFusedMultiplyAdd;

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Scores_match_float64_at_every_width_and_agree_across_widths(int t, int dk, bool causal)
    {
        // a and b start one float past the array start (unaligned) and have leading dimensions above dk.
        int lda = dk + 3, ldb = dk + 5;
        float[] a = Random(1 + t * lda, seed: t + dk), b = Random(1 + t * ldb, seed: 7 * t + dk);
        const float scale = 0.3f;
        float[]? first = null;
        foreach (int width in KernelSettings.Widths)
        {
            float[] s = KernelSettings.WithWidth(width, () => Scores(a, lda, b, ldb, t, dk, scale, causal, masked: -7f));
            for (int i = 0; i < t; i++)
            {
                for (int j = 0; j < t; j++)
                {
                    float got = s[i * t + j];
                    if (causal && j > i)
                    {
                        Assert.Equal(-7f, got);
                        continue;
                    }

                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < dk; p++)
                    {
                        double term = (double)a[1 + i * lda + p] * b[1 + j * ldb + p];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    double expected = sum * scale;
                    Assert.True(Math.Abs(got - expected) <= (dk + 2) * 1.2e-7 * magnitude * scale + 1e-30,
                        $"width {width}: S[{i},{j}] = {got}, float64 {expected}");
                }
            }

            if (first is null)
            {
                first = s;
            }
            else if (SameBitsAtEveryWidth)
            {
                Assert.Equal(first, s);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Combinations_match_float64_at_every_width_and_agree_across_widths(int t, int dk, bool causal)
    {
        int ldm = dk + 2, ldc = dk + 1;
        float[] w = Random(t * t, seed: 3 * t + dk), m = Random(1 + t * ldm, seed: 11 * t + dk);
        foreach (bool transpose in new[] { false, true })
        {
            const float scale = 1.7f;
            float[]? first = null;
            foreach (int width in KernelSettings.Widths)
            {
                float[] c = KernelSettings.WithWidth(width, () => Combine(w, transpose, m, ldm, ldc, t, dk, scale, causal));
                for (int i = 0; i < t; i++)
                {
                    for (int col = 0; col < dk; col++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int u = 0; u < t; u++)
                        {
                            bool used = !causal || (transpose ? u >= i : u <= i);
                            double weight = transpose ? w[u * t + i] : w[i * t + u];
                            double term = used ? weight * m[1 + u * ldm + col] : 0;
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        float got = c[1 + i * ldc + col];
                        Assert.True(Math.Abs(got - sum * scale) <= (t + 2) * 1.2e-7 * magnitude * scale + 1e-30,
                            $"width {width}, transposed {transpose}: C[{i},{col}] = {got}, float64 {sum * scale}");
                    }

                    // Padding between rows (leading dimension) is left alone.
                    Assert.Equal(-99f, c[1 + i * ldc + dk]);
                }

                if (first is null)
                {
                    first = c;
                }
                else if (SameBitsAtEveryWidth)
                {
                    Assert.Equal(first, c);
                }
            }
        }
    }

    [Fact]
    public void Non_finite_values_propagate_as_in_float64_and_a_causal_mask_keeps_later_ones_out()
    {
        const int t = 21, dk = 6;
        float[] a = Random(1 + t * dk, seed: 5), b = Random(1 + t * dk, seed: 6);
        // Row 9 of b holds NaN, row 14 +inf, row 17 a huge value whose products overflow, row 3 signed zeros.
        b[1 + 9 * dk + 2] = float.NaN;
        b[1 + 14 * dk + 4] = float.PositiveInfinity;
        b[1 + 17 * dk + 1] = 3e38f;
        b[1 + 17 * dk + 5] = 3e38f;
        for (int p = 0; p < dk; p++)
        {
            b[1 + 3 * dk + p] = p % 2 == 0 ? -0f : 0f;
        }

        foreach (int width in KernelSettings.Widths)
        {
            foreach (bool causal in new[] { false, true })
            {
                float[] s = KernelSettings.WithWidth(width, () => Scores(a, dk, b, dk, t, dk, 1f, causal, masked: 0f));
                for (int i = 0; i < t; i++)
                {
                    for (int j = 0; j < t; j++)
                    {
                        float got = s[i * t + j];
                        if (causal && j > i)
                        {
                            Assert.Equal(0f, got);
                            continue;
                        }

                        double sum = 0;
                        for (int p = 0; p < dk; p++)
                        {
                            sum += (double)a[1 + i * dk + p] * b[1 + j * dk + p];
                        }

                        if (double.IsNaN(sum))
                        {
                            Assert.True(float.IsNaN(got), $"width {width}: S[{i},{j}] = {got}, float64 NaN");
                        }
                        else if (j == 14)
                        {
                            Assert.Equal((float)sum, got);
                        }
                        else if (j == 17)
                        {
                            // Two products of ~1e38 in float: ±inf or a finite sum in float64: float gives its sign or overflow.
                            Assert.True(float.IsInfinity(got) || Math.Abs(got - sum) <= 1e-6 * Math.Abs(sum), $"width {width}: S[{i},17] = {got}, float64 {sum}");
                        }
                        else
                        {
                            Assert.True(float.IsFinite(got), $"width {width}: S[{i},{j}] = {got}");
                        }
                    }
                }
            }
        }
    }

    private static float[] Scores(float[] a, int lda, float[] b, int ldb, int t, int dk, float scale, bool causal, float masked)
    {
        var s = new float[t * t];
        var bt = new float[dk * AttentionKernel.Padded(t) + 1];
        var row = new float[AttentionKernel.Padded(t) + 1];
        fixed (float* pa = a, pb = b, ps = s, pbt = bt, prow = row)
        {
            // Scratch starting one float in: unaligned too.
            AttentionKernel.Scores(pa + 1, lda, pb + 1, ldb, ps, t, dk, scale, causal, masked, pbt + 1, prow + 1);
        }

        return s;
    }

    private static float[] Combine(float[] w, bool transpose, float[] m, int ldm, int ldc, int t, int dk, float scale, bool causal)
    {
        var c = new float[1 + t * ldc + 1];
        Array.Fill(c, -99f);
        fixed (float* pw = w, pm = m, pc = c)
        {
            AttentionKernel.Combine(pw, transpose, pm + 1, ldm, pc + 1, ldc, t, dk, scale, causal);
        }

        return c;
    }

    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return values;
    }
}
