using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class GemmTests
{
    /// <summary>A way of computing products: the reference, or the blocked GEMM (and the in-place small path) at one vector width.</summary>
    public enum Path
    {
        Reference,
        Kernel128,
        Kernel256,
        Kernel512,
    }

    /// <summary>
    /// The paths this machine can run: 128 where Vector128 is accelerated (fused multiply-add where FMA is, e.g. in the
    /// default process; multiply then add under DOTNET_EnableAVX=0), 256 where AVX2 + FMA are, 512 where Vector512 is.
    /// </summary>
    private static IEnumerable<Path> Paths()
    {
        yield return Path.Reference;
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated)
        {
            yield return Path.Kernel128;
        }

        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            yield return Path.Kernel256;
        }

        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            yield return Path.Kernel512;
        }
    }

    private static int Width(Path path) => path switch { Path.Kernel512 => 512, Path.Kernel256 => 256, _ => 128 };

    /// <summary>Runs <paramref name="action"/> with the given path, thread count and settings; restores them after.</summary>
    private static void With(Path path, int threads, Action action, bool tinyBlocks = false, bool forceParallel = true, int smallRows = -1)
    {
        var saved = (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.ParallelWork, Gemm.SmallRows);
        var savedBlocks = (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc, GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128);
        try
        {
            Gemm.UseKernel = path != Path.Reference;
            Gemm.Width = Width(path);
            Engine.MaxThreads = threads;
            if (forceParallel)
            {
                Gemm.ParallelWork = 0; // split even small products, so that 2 threads really run 2 parts
            }

            if (smallRows >= 0)
            {
                Gemm.SmallRows = smallRows;
            }

            if (tinyBlocks)
            {
                // Blocks of a few tiles, so that small shapes cross every KC, MC and NC boundary (MC and NC not whole
                // tiles: they are rounded down to them).
                (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc) = (7, 24, 64);
                (GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128) = (5, 10, 40);
            }

            action();
        }
        finally
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Gemm.ParallelWork, Gemm.SmallRows) = saved;
            (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc, GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128) = savedBlocks;
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

    /// <summary>op(A) op(B) (+ C0) in float64, and the sum of |terms| per element (the scale of the rounding error).</summary>
    private static (double[] Value, double[] Scale) Reference(float[] a, float[] b, float[]? c0, int m, int k, int n)
    {
        var c = new double[m * n];
        var scale = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = c0 is null ? 0 : c0[i * n + j], abs = Math.Abs(s);
                for (int p = 0; p < k; p++)
                {
                    double t = (double)a[i * k + p] * b[p * n + j];
                    s += t;
                    abs += Math.Abs(t);
                }

                c[i * n + j] = s;
                scale[i * n + j] = abs;
            }
        }

        return (c, scale);
    }

    private static float[] Stored(float[] x, int rows, int cols, bool transposed)
    {
        if (!transposed)
        {
            return x;
        }

        var t = new float[x.Length];
        Gemm.Transpose(x, t, rows, cols);
        return t;
    }

    private static void AssertClose(double[] expected, double[] scale, float[] actual, string what)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            double tolerance = 1e-5 * (1 + scale[i]);
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
            {
                Assert.Fail($"{what}: C[{i}] = {actual[i]}, float64 {expected[i]} (tolerance {tolerance:G3})");
            }
        }
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 2, 3, 5 }, { 3, 7, 2 }, { 6, 3, 32 }, { 7, 5, 33 }, { 8, 16, 32 }, { 9, 17, 31 }, { 13, 17, 10 },
        { 17, 1, 47 }, { 12, 0, 8 }, { 31, 29, 67 }, { 64, 2, 65 }, { 128, 64, 256 }, { 128, 256, 10 }, { 5, 784, 31 },
        { 300, 40, 96 }, { 191, 257, 33 }, { 193, 255, 17 }, { 40, 513, 40 }, { 9, 5, 4100 },
        { 4, 12, 12 }, { 5, 13, 25 }, { 11, 4, 23 }, { 3, 9, 13 },
    };

    [Fact]
    public void The_default_kernel_is_the_widest_accelerated_one()
    {
        int widest = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 512
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported ? 256
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 128 : 0;
        Assert.Equal(widest, Gemm.WidestAccelerated);
        Assert.Equal(Math.Max(128, widest), Gemm.Width);
        Assert.Equal(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated, Gemm.UseKernel);
    }

    [Fact]
    public void Overflow_signed_infinities_and_zeros_agree_with_the_reference_on_every_path()
    {
        // Row 0: a huge product overflows to +inf; row 1: +inf and -inf meet (NaN); row 2: -inf only; row 3: huge terms
        // that nearly cancel (finite); row 4: signed zero coefficients (zero). n = 27 spans full tiles and edges at every width.
        int m = 5, k = 9, n = 27;
        var a = new float[m * k];
        var b = Random(k * n, 41);
        for (int j = 0; j < n; j++)
        {
            b[j] = 2 + j; // row 0 of B positive
            b[n + j] = -(1 + j); // row 1 of B negative
        }

        for (int p = 0; p < k; p++)
        {
            a[p] = p == 0 ? 3e38f : 0;
            a[k + p] = p == 0 ? float.PositiveInfinity : p == 1 ? float.PositiveInfinity : 1;
            a[2 * k + p] = p == 1 ? float.PositiveInfinity : 0.5f;
            a[3 * k + p] = p < 2 ? 1e30f : 0;
            a[4 * k + p] = p % 2 == 0 ? 0f : -0f;
        }

        var expected = new float[m * n];
        With(Path.Reference, 1, () => Gemm.MatMul(a, b, expected, m, k, n));
        Assert.True(float.IsPositiveInfinity(expected[0]) && float.IsNaN(expected[n]) && float.IsNegativeInfinity(expected[2 * n]),
                    $"the reference itself: {expected[0]}, {expected[n]}, {expected[2 * n]}");
        foreach (var path in Paths())
        {
            foreach (bool tb in new[] { false, true })
            {
                foreach (int smallRows in new[] { 0, 8 })
                {
                    With(path, 1, () =>
                    {
                        var c = new float[m * n];
                        Gemm.Product(a, false, Stored(b, k, n, tb), tb, c, m, k, n, accumulate: false);
                        for (int i = 0; i < m * n; i++)
                        {
                            float e = expected[i], x = c[i];
                            bool same = float.IsFinite(e) ? Math.Abs(x - e) <= 1e-5 * (1 + Math.Abs(e)) : e.Equals(x);
                            Assert.True(same, $"{path}, transposeB {tb}, small rows {smallRows}: C[{i / n}, {i % n}] = {x}, reference {e}");
                        }
                    }, smallRows: smallRows);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_path_transposition_and_thread_count_matches_float64(int m, int k, int n)
    {
        var a = Random(m * k, 1); // op(A) [M, K]
        var b = Random(k * n, 2); // op(B) [K, N]
        var c0 = Random(m * n, 3);
        var (expected, scale) = Reference(a, b, null, m, k, n);
        var (expectedAdd, scaleAdd) = Reference(a, b, c0, m, k, n);
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                var sa = Stored(a, m, k, ta);
                var sb = Stored(b, k, n, tb);
                foreach (var path in Paths())
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        foreach (bool tiny in new[] { false, true })
                        {
                            With(path, threads, () =>
                            {
                                string what = $"{path}, {threads} threads, {(tiny ? "tiny" : "default")} blocks, [{m}x{k}]x[{k}x{n}], transposeA {ta}, transposeB {tb}";
                                var c = new float[m * n];
                                Array.Fill(c, float.NaN); // overwritten, never read
                                Gemm.Product(sa, ta, sb, tb, c, m, k, n, accumulate: false);
                                AssertClose(expected, scale, c, what);
                                var cAdd = (float[])c0.Clone();
                                Gemm.Product(sa, ta, sb, tb, cAdd, m, k, n, accumulate: true);
                                AssertClose(expectedAdd, scaleAdd, cAdd, what + ", accumulate");
                            }, tinyBlocks: tiny);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void The_in_place_path_for_flat_products_matches_the_blocked_one()
    {
        foreach (var (m, k, n) in new[] { (1, 784, 256), (2, 37, 45), (1, 1, 1), (2, 5, 7), (4, 33, 9) })
        {
            var a = Random(m * k, 4);
            var b = Random(k * n, 5);
            var c0 = Random(m * n, 6);
            var (expected, scale) = Reference(a, b, c0, m, k, n);
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    foreach (var path in Paths())
                    {
                        foreach (int smallRows in new[] { 0, 4 })
                        {
                            With(path, 1, () =>
                            {
                                var c = (float[])c0.Clone();
                                Gemm.Product(Stored(a, m, k, ta), ta, Stored(b, k, n, tb), tb, c, m, k, n, accumulate: true);
                                AssertClose(expected, scale, c, $"{path}, small rows {smallRows}, [{m}x{k}x{n}], transposeA {ta}, transposeB {tb}");
                            }, smallRows: smallRows);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void A_large_product_matches_float64_on_both_threads()
    {
        // Crosses the default KC (256), MC (192) and NC boundaries of the real blocking, with edge tiles on every side.
        int m = 389, k = 600, n = 4133;
        var a = Random(m * k, 7);
        var b = Random(k * n, 8);
        // float64 reference on a sample of rows and columns (the whole of it would take seconds).
        var c = new float[m * n];
        foreach (var path in Paths().Where(p => p != Path.Reference))
        {
            With(path, 2, () => Gemm.MatMul(a, b, c, m, k, n), forceParallel: false);
            var rng = new Random(9);
            for (int t = 0; t < 2000; t++)
            {
                int i = t < 4 ? (t % 2) * (m - 1) : rng.Next(m);
                int j = t < 4 ? (t / 2) * (n - 1) : rng.Next(n);
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)a[i * k + p] * b[p * n + j];
                    s += term;
                    abs += Math.Abs(term);
                }

                Assert.True(Math.Abs(c[i * n + j] - s) <= 1e-5 * (1 + abs), $"{path}: C[{i}, {j}] = {c[i * n + j]}, float64 {s}");
            }
        }
    }

    [Fact]
    public void The_legacy_transposed_forms_agree_with_the_general_product()
    {
        int m = 9, k = 37, n = 45;
        var a = Random(m * k, 4);
        var bt = Random(n * k, 5); // B^T stored [N, K]
        var b = Stored(bt, n, k, true);
        var (expected, scale) = Reference(a, b, null, m, k, n);
        var c = new float[m * n];
        Gemm.MatMulTransposedB(a, bt, c, m, k, n, new float[k * n]);
        AssertClose(expected, scale, c, "MatMulTransposedB");
        Gemm.MatMulTransposedB(a, bt, c, m, k, n, []); // the scratch is no longer used
        AssertClose(expected, scale, c, "MatMulTransposedB without scratch");

        // C += A^T B with A stored [K, M].
        var at = Random(k * m, 6);
        var a2 = Stored(at, k, m, true);
        var b2 = Random(k * n, 7);
        var c0 = Random(m * n, 8);
        var (expectedAdd, scaleAdd) = Reference(a2, b2, c0, m, k, n);
        var cAdd = (float[])c0.Clone();
        Gemm.AddTransposedAB(at, b2, cAdd, k, m, n, new float[m * k]);
        AssertClose(expectedAdd, scaleAdd, cAdd, "AddTransposedAB");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(0, true)]
    public void The_epilogue_adds_the_bias_and_clamps_on_every_path(int biasKind, bool relu)
    {
        var kind = (GemmBias)biasKind; // None, PerColumn, PerRow (the enum is internal)
        foreach (var (m, k, n) in new[] { (1, 5, 7), (9, 37, 45), (64, 300, 70), (33, 0, 9), (16, 40, 64) })
        {
            var a = Random(m * k, 11);
            var b = Random(k * n, 12);
            var c0 = Random(m * n, 13);
            var bias = kind == GemmBias.None ? [] : Random(kind == GemmBias.PerRow ? m : n, 14);
            foreach (bool accumulate in new[] { false, true })
            {
                var (expected, scale) = Reference(a, b, accumulate ? c0 : null, m, k, n);
                for (int i = 0; i < m; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        double v = expected[i * n + j] + kind switch { GemmBias.PerRow => bias[i], GemmBias.PerColumn => bias[j], _ => 0 };
                        expected[i * n + j] = relu ? Math.Max(0, v) : v;
                    }
                }

                foreach (var path in Paths())
                {
                    foreach (int threads in new[] { 1, 2 })
                    {
                        foreach (bool tiny in new[] { false, true })
                        {
                            With(path, threads, () =>
                            {
                                var c = accumulate ? (float[])c0.Clone() : new float[m * n];
                                Gemm.Product(Stored(a, m, k, true), true, b, false, c, m, k, n, accumulate, bias, kind, relu);
                                AssertClose(expected, scale, c, $"{path}, {threads} threads, tiny {tiny}, [{m}x{k}x{n}], {kind}, relu {relu}, accumulate {accumulate}");
                            }, tinyBlocks: tiny);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void A_bias_of_the_wrong_length_is_rejected()
    {
        var c = new float[6];
        Assert.Throws<ArgumentException>(() => Gemm.Product(new float[2], false, new float[3], false, c, 2, 1, 3, false, new float[2], GemmBias.PerColumn, false));
        Assert.Throws<ArgumentException>(() => Gemm.Product(new float[2], false, new float[3], false, c, 2, 1, 3, false, new float[1], GemmBias.None, false));
    }

    [Fact]
    public void Non_finite_values_propagate_on_every_path()
    {
        // 0 * inf must give NaN, never be skipped: a non-finite weight must show. Shapes span a full tile and edges.
        foreach (var (m, k, n) in new[] { (1, 2, 1), (8, 3, 32), (13, 300, 70) })
        {
            var a = Random(m * k, 21);
            var b = Random(k * n, 22);
            for (int i = 0; i < m; i++)
            {
                a[i * k + 1] = 0; // column 1 of A is zero...
            }

            b[1 * n + n - 1] = float.PositiveInfinity; // ...and B[1, last] infinite: the last column of C is NaN
            b[0 * n] = float.NaN; // B[0, 0] NaN: the first column of C is NaN
            foreach (var path in Paths())
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    foreach (bool tb in new[] { false, true })
                    {
                        With(path, threads, () =>
                        {
                            var c = new float[m * n];
                            Gemm.Product(a, false, Stored(b, k, n, tb), tb, c, m, k, n, accumulate: false);
                            for (int i = 0; i < m; i++)
                            {
                                Assert.True(float.IsNaN(c[i * n + n - 1]), $"{path}, {threads} threads, [{m}x{k}x{n}]: 0 * inf gave {c[i * n + n - 1]} in row {i}");
                                Assert.True(float.IsNaN(c[i * n]), $"{path}, {threads} threads, [{m}x{k}x{n}]: NaN lost in row {i}");
                                if (n > 2)
                                {
                                    Assert.True(float.IsFinite(c[i * n + 1]), $"{path}: a NaN leaked into column 1");
                                }
                            }

                            // The fused ReLU keeps NaN too.
                            Gemm.Product(a, false, Stored(b, k, n, tb), tb, c, m, k, n, false, [], GemmBias.None, relu: true);
                            Assert.True(float.IsNaN(c[n - 1]) && float.IsNaN(c[0]), $"{path}: relu epilogue dropped a NaN");
                        });
                    }
                }
            }
        }
    }

    [Fact]
    public void K_zero_gives_zero_or_leaves_C()
    {
        foreach (var path in Paths())
        {
            With(path, 1, () =>
            {
                var c = new float[] { 1, 2, 3, 4, 5, 6 };
                Gemm.Product([], false, [], true, c, 2, 0, 3, accumulate: true);
                Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
                Gemm.Product([], true, [], false, c, 2, 0, 3, accumulate: false);
                Assert.Equal(new float[6], c);
                Gemm.Product([], false, [], false, c, 2, 0, 3, false, new float[] { 1, -2, 3 }, GemmBias.PerColumn, relu: true);
                Assert.Equal(new float[] { 1, 0, 3, 1, 0, 3 }, c);
            });
        }
    }

    [Fact]
    public void Steady_state_products_allocate_nothing()
    {
        int m = 40, k = 64, n = 48;
        var a = Random(m * k, 31); // [M, K]
        var b = Random(k * n, 32); // [K, N]
        var bt = Random(n * k, 33); // [N, K]
        var dy = Random(m * n, 34); // [M, N], for dW[K, N] += A^T dy with A read as [M, K] = stored [K', M'] with K' = m
        var c = new float[m * n];
        var dw = new float[k * n];
        var bias = Random(n, 35);
        foreach (var path in Paths())
        {
            foreach (int threads in new[] { 1, 2 })
            {
                With(path, threads, () =>
                {
                    void Calls()
                    {
                        Gemm.MatMul(a, b, c, m, k, n);
                        Gemm.MatMulTransposedB(a, bt, c, m, k, n, []);
                        Gemm.AddTransposedAB(a, dy, dw, m, k, n, []);
                        Gemm.Product(a.AsSpan(0, k), false, bt, true, c.AsSpan(0, n), 1, k, n, accumulate: false); // in-place path
                        Gemm.Product(a, false, b, false, c, m, k, n, true, bias, GemmBias.PerColumn, relu: true);
                    }

                    // Warm-up: buffers grown, jobs cached, methods tiered up. By time as well as by count: the tiered JIT
                    // promotes methods 100 ms after the last new one is called (later under load), and fast paths do 50
                    // rounds sooner than that; promotion during the measurement showed as 2-3 KB on the slowest path.
                    var warm = System.Diagnostics.Stopwatch.StartNew();
                    for (int i = 0; i < 50 || warm.ElapsedMilliseconds < 500; i++)
                    {
                        Calls();
                    }

                    // Every thread is counted too (this collection runs alone), but a background thread of an earlier test
                    // (a finaliser, the tiered JIT) can add a little once; a per-call allocation shows in every attempt.
                    long thisThread = 0, process = long.MaxValue;
                    for (int attempt = 0; attempt < 5 && (thisThread != 0 || process >= 2048); attempt++)
                    {
                        long threadStart = GC.GetAllocatedBytesForCurrentThread();
                        long processStart = GC.GetTotalAllocatedBytes(precise: true);
                        for (int i = 0; i < 200; i++)
                        {
                            Calls();
                        }

                        thisThread = GC.GetAllocatedBytesForCurrentThread() - threadStart;
                        process = Math.Min(process, GC.GetTotalAllocatedBytes(precise: true) - processStart);
                        Assert.True(thisThread == 0, $"{path}, {threads} threads: {thisThread} bytes allocated on the calling thread by 200 rounds of steady-state products");
                    }

                    // One allocation per call would be 200 * 5 * 24 bytes at least.
                    Assert.True(process < 2048, $"{path}, {threads} threads: {process} bytes allocated in the process by 200 rounds of steady-state products");
                });
            }
        }
    }
}
