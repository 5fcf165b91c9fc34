using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

/// <summary>
/// Row-split products whose op(B) is packed once for all threads (<see cref="Gemm.SharedPackingFloats"/>) give the same
/// bits as when every thread packs its own, and match float64.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class GemmSharedPackingTests
{
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

    private static float[] Run(int width, int threads, bool shared, bool tinyBlocks, float[] a, bool ta, float[] b, bool tb, float[] c0, int m, int k, int n, bool relu)
    {
        var saved = (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.ParallelWork, Gemm.SharedPackingFloats);
        var savedBlocks = (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc, GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128);
        try
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.ParallelWork) = (true, width, threads, 0);
            Gemm.SharedPackingFloats = shared ? 0 : int.MaxValue;
            if (tinyBlocks)
            {
                (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc) = (7, 24, 64);
                (GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128) = (5, 10, 40);
            }

            var c = (float[])c0.Clone();
            var bias = Random(n, 99);
            Gemm.Product(a, ta, b, tb, c, m, k, n, accumulate: true, bias, GemmBias.PerColumn, relu);
            return c;
        }
        finally
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.ParallelWork, Gemm.SharedPackingFloats) = saved;
            (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc, GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128) = savedBlocks;
        }
    }

    [Fact]
    public void A_shared_packing_gives_the_same_bits_as_per_thread_packing_and_matches_float64()
    {
        // Row splits (m > n) with edge strips on both sides, K across block boundaries (tiny and real blocking).
        foreach (var (m, k, n) in new[] { (97, 33, 45), (200, 784, 40), (131, 300, 67), (64, 9, 13), (1000, 784, 256) })
        {
            var a = Random(m * k, m);
            var b = Random(k * n, n);
            var c0 = Random(m * n, k);
            foreach (int width in Widths())
            {
                foreach (bool tb in new[] { true, false })
                {
                    var stored = tb ? Transposed(b, k, n) : b;
                    foreach (int threads in new[] { 2, 3 })
                    {
                        foreach (bool tiny in m == 1000 ? new[] { false } : new[] { false, true })
                        {
                            var own = Run(width, threads, false, tiny, a, false, stored, tb, c0, m, k, n, relu: true);
                            var shared = Run(width, threads, true, tiny, a, false, stored, tb, c0, m, k, n, relu: true);
                            string what = $"width {width}, [{m}x{k}x{n}], transposeB {tb}, {threads} threads, tiny blocks {tiny}";
                            Assert.True(own.AsSpan().SequenceEqual(shared), $"{what}: shared packing changed the result");
                            var bias = Random(n, 99);
                            var rng = new Random(5);
                            for (int t = 0; t < 300; t++)
                            {
                                int i = rng.Next(m), j = rng.Next(n);
                                double s = c0[i * n + j], abs = Math.Abs(s);
                                for (int p = 0; p < k; p++)
                                {
                                    double term = (double)a[i * k + p] * b[p * n + j];
                                    s += term;
                                    abs += Math.Abs(term);
                                }

                                s = Math.Max(0, s + bias[j]);
                                Assert.True(Math.Abs(shared[i * n + j] - s) <= 1e-5 * (1 + abs + Math.Abs(bias[j])), $"{what}: C[{i}, {j}] = {shared[i * n + j]}, float64 {s}");
                            }
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Nan_and_infinities_in_b_reach_every_row_through_the_shared_packing()
    {
        int m = 50, k = 20, n = 17;
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        b[3 * n + 5] = float.NaN;
        b[7 * n + 16] = float.PositiveInfinity;
        var c0 = new float[m * n];
        foreach (int width in Widths())
        {
            var c = Run(width, 2, true, false, a, false, b, false, c0, m, k, n, relu: false);
            for (int i = 0; i < m; i++)
            {
                Assert.True(float.IsNaN(c[i * n + 5]), $"width {width}: row {i} lost the NaN");
                Assert.True(float.IsInfinity(c[i * n + 16]), $"width {width}: row {i} lost the infinity: {c[i * n + 16]}");
            }
        }
    }

    private static float[] Transposed(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        Gemm.Transpose(x, t, rows, cols);
        return t;
    }
}
