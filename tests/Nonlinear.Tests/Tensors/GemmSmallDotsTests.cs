using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

/// <summary>
/// The in-place product's transposed-B path (batch-1 dense forward, x · Wᵀ): four outputs per pass at every vector
/// width, checked against float64, at the extremes, and for the property the unit split relies on: an output does not
/// depend on which other outputs are computed with it.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class GemmSmallDotsTests
{
    /// <summary>The widths this machine runs natively: 128 wherever Vector128 is accelerated, 256 with AVX2 + FMA, 512 with Vector512.</summary>
    private static IEnumerable<int> Widths()
    {
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
        {
            yield return 128;
        }

        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            yield return 256;
        }

        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            yield return 512;
        }
    }

    private static void At(int width, Action action)
    {
        var saved = (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.SmallRows);
        try
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.SmallRows) = (true, width, 1, 2);
            action();
        }
        finally
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.SmallRows) = saved;
        }
    }

    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            x[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return x;
    }

    // k around every step of every width: 8 (in-order below), 16/32 (two 512-bit vectors), odd whole vectors, tails.
    private static readonly int[] Depths = [1, 3, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 784];

    private static readonly int[] Outputs = [1, 2, 3, 4, 5, 7, 8, 9, 13];

    [Fact]
    public void Every_width_matches_float64_for_one_and_two_rows_from_unaligned_starts()
    {
        foreach (int width in Widths())
        {
            foreach (int k in Depths)
            {
                foreach (int n in Outputs)
                {
                    foreach (int m in new[] { 1, 2 })
                    {
                        // Operands start 1-3 floats into their arrays: no vector load is aligned.
                        var aStore = Random(m * k + 1, k * 31 + n);
                        var bStore = Random(n * k + 3, k * 37 + n);
                        var c0 = Random(m * n + 2, 7);
                        var a = aStore.AsSpan(1, m * k);
                        var b = bStore.AsSpan(3, n * k);
                        foreach (bool accumulate in new[] { false, true })
                        {
                            var c = (float[])c0.Clone();
                            At(width, () => Gemm.Product(aStore.AsSpan(1, m * k), false, bStore.AsSpan(3, n * k), true, c.AsSpan(2, m * n), m, k, n, accumulate));
                            for (int i = 0; i < m; i++)
                            {
                                for (int j = 0; j < n; j++)
                                {
                                    double s = accumulate ? c0[2 + i * n + j] : 0, abs = Math.Abs(s);
                                    for (int p = 0; p < k; p++)
                                    {
                                        double t = (double)a[i * k + p] * b[j * k + p];
                                        s += t;
                                        abs += Math.Abs(t);
                                    }

                                    float actual = c[2 + i * n + j];
                                    Assert.True(Math.Abs(actual - s) <= 1e-5 * (1 + abs), $"width {width}, [{m}x{k}x{n}], accumulate {accumulate}: C[{i}, {j}] = {actual}, float64 {s}");
                                }
                            }

                            Assert.Equal(c0[0], c[0]);
                            Assert.Equal(c0[1], c[1]); // nothing written before C
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void An_output_is_the_same_bits_whichever_outputs_share_its_pass()
    {
        foreach (int width in Widths())
        {
            foreach (int k in new[] { 8, 9, 33, 47, 100, 784 })
            {
                int n = 11;
                var x = Random(k, k);
                var w = Random(n * k, k + 1);
                var whole = new float[n];
                At(width, () => Gemm.Product(x, false, w, true, whole, 1, k, n, accumulate: false));
                // Every contiguous block of outputs (groups of four starting anywhere, 1-3 leftovers) gives the same bits.
                for (int first = 0; first < n; first++)
                {
                    for (int count = 1; first + count <= n; count++)
                    {
                        var part = new float[count];
                        int f = first, cnt = count;
                        At(width, () => Gemm.Product(x, false, w.AsSpan(f * k, cnt * k), true, part, 1, k, cnt, accumulate: false));
                        for (int j = 0; j < count; j++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(whole[first + j]) == BitConverter.SingleToInt32Bits(part[j]),
                                        $"width {width}, k {k}: output {first + j} alone in [{first}, {first + count}) = {part[j]:R}, in the whole product {whole[first + j]:R}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Short_rows_are_summed_in_order_like_the_blocked_kernel()
    {
        // k < 8: the same bits as the blocked GEMM (which sums every element in order), at every width.
        foreach (int width in Widths())
        {
            foreach (int k in new[] { 1, 2, 4, 5, 7 })
            {
                int m = 2, n = 9;
                var a = Random(m * k, k);
                var w = Random(n * k, k + 5);
                var small = new float[m * n];
                var blocked = new float[m * n];
                At(width, () => Gemm.Product(a, false, w, true, small, m, k, n, accumulate: false));
                At(width, () =>
                {
                    Gemm.SmallRows = 0;
                    Gemm.Product(a, false, w, true, blocked, m, k, n, accumulate: false);
                });
                Assert.Equal(blocked, small);
            }
        }
    }

    [Fact]
    public void Non_finite_values_overflow_and_signed_zeros_land_where_the_reference_puts_them()
    {
        // k = 81 at 512 bits: two-vector steps, one odd whole vector and a scalar tail; specials are placed in each part.
        int k = 81, n = 10;
        foreach (int width in Widths())
        {
            foreach (int at in new[] { 0, 5, 16, 31, 47, 64, 79, 80 })
            {
                var x = Random(k, 3);
                var w = Random(n * k, 4);
                x[at] = 3e38f;
                x[(at + 1) % k] = 1f;
                w[0 * k + at] = 10f; // +inf by overflow
                w[1 * k + at] = -10f; // -inf by overflow
                w[2 * k + at] = float.NaN;
                w[3 * k + at] = float.PositiveInfinity;
                w[3 * k + (at + 1) % k] = float.NegativeInfinity; // inf - inf = NaN
                w[4 * k + at] = 0f; // 3e38 * 0 = 0: finite
                for (int p = 0; p < k; p++)
                {
                    w[5 * k + p] = p % 2 == 0 ? -0f : 0f; // all terms ±0 or tiny
                    w[6 * k + p] = 0f;
                }

                w[6 * k + at] = -0f;
                var expected = new float[n];
                var actual = new float[n];
                var saved = Gemm.UseKernel;
                try
                {
                    Gemm.UseKernel = false;
                    Gemm.Product(x, false, w, true, expected, 1, k, n, accumulate: false);
                }
                finally
                {
                    Gemm.UseKernel = saved;
                }

                At(width, () => Gemm.Product(x, false, w, true, actual, 1, k, n, accumulate: false));
                Assert.True(float.IsPositiveInfinity(actual[0]) && float.IsNegativeInfinity(actual[1]) && float.IsNaN(actual[2]) && float.IsNaN(actual[3]),
                            $"width {width}, special at {at}: {actual[0]}, {actual[1]}, {actual[2]}, {actual[3]}");
                for (int j = 0; j < n; j++)
                {
                    float e = expected[j], a = actual[j];
                    bool same = float.IsFinite(e) ? Math.Abs(a - e) <= 1e-5 * (1 + Math.Abs(e)) : e.Equals(a);
                    Assert.True(same, $"width {width}, special at {at}: C[{j}] = {a}, reference {e}");
                }

                Assert.Equal(0f, actual[6]);
                Assert.False(float.IsNegative(actual[6]), "a sum of +0 and -0 terms is +0, as the reference gives");
            }
        }
    }
}
