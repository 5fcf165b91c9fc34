using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nonlinear.Tensors;

/// <summary>
/// The register-blocked AVX-512 core of <see cref="Gemm"/>: C[M, N] (+)= A[M, K] B[K, N], row-major, computed in
/// tiles of 6 rows by 32 columns held in 12 vector accumulators (each step over k: 2 loads of B, 6 broadcasts
/// of A, 12 fused multiply-adds). Column tails narrower than 32 are padded into a small packed panel so that
/// every tile runs the same full-width code.
/// </summary>
/// <remarks>
/// Why: the row-by-row multiply-add (each row of C a sum of scaled rows of B) re-reads and re-writes each row of C
/// K times and reached ~35-40 GFLOP/s; keeping a 6x32 tile of C in registers for the whole k loop is what BLAS
/// libraries do. No cache blocking over K yet (layers here have K up to a few thousand: a 32-column panel of B is
/// then at most a few hundred KB, L2-resident).
/// </remarks>
internal static unsafe class GemmKernel
{
    public const int Rows = 6;
    public const int Cols = 32;

    [ThreadStatic]
    private static float[]? _panel;

    /// <summary>Rows [first, last) of C: full 6-row tiles, then single rows.</summary>
    public static void Run(float* a, float* b, float* c, int first, int last, int k, int n, bool accumulate)
    {
        int full = n / Cols * Cols;
        int tail = n - full;
        float* panel = null;
        float[]? panelArray = null;
        if (tail > 0)
        {
            // The last columns of B, zero-padded to a full panel [K, 32].
            panelArray = _panel is { } p && p.Length >= k * Cols ? p : (_panel = new float[Math.Max(k * Cols, 1024)]);
        }

        fixed (float* pp = panelArray)
        {
            if (tail > 0)
            {
                panel = pp;
                for (int r = 0; r < k; r++)
                {
                    var row = new Span<float>(panel + r * Cols, Cols);
                    new ReadOnlySpan<float>(b + (long)r * n + full, tail).CopyTo(row);
                    row[tail..].Clear();
                }
            }

            Span<float> tile = stackalloc float[Rows * Cols];
            int i = first;
            for (; i + Rows <= last; i += Rows)
            {
                for (int j = 0; j < full; j += Cols)
                {
                    Tile6(a + (long)i * k, k, b + j, n, c + (long)i * n + j, n, k, accumulate);
                }

                if (tail > 0)
                {
                    fixed (float* t = tile)
                    {
                        Stage(c + (long)i * n + full, n, t, Rows, tail, accumulate);
                        Tile6(a + (long)i * k, k, panel, Cols, t, Cols, k, accumulate: true);
                        Unstage(t, c + (long)i * n + full, n, Rows, tail);
                    }
                }
            }

            for (; i < last; i++)
            {
                for (int j = 0; j < full; j += Cols)
                {
                    Tile1(a + (long)i * k, b + j, n, c + (long)i * n + j, k, accumulate);
                }

                if (tail > 0)
                {
                    fixed (float* t = tile)
                    {
                        Stage(c + (long)i * n + full, n, t, 1, tail, accumulate);
                        Tile1(a + (long)i * k, panel, Cols, t, k, accumulate: true);
                        Unstage(t, c + (long)i * n + full, n, 1, tail);
                    }
                }
            }
        }
    }

    /// <summary>Copies the valid part of a C tile into a padded [rows, 32] buffer (zeros when not accumulating).</summary>
    private static void Stage(float* c, int ldc, float* tile, int rows, int width, bool accumulate)
    {
        new Span<float>(tile, rows * Cols).Clear();
        if (accumulate)
        {
            for (int r = 0; r < rows; r++)
            {
                new ReadOnlySpan<float>(c + (long)r * ldc, width).CopyTo(new Span<float>(tile + r * Cols, width));
            }
        }
    }

    private static void Unstage(float* tile, float* c, int ldc, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
        {
            new ReadOnlySpan<float>(tile + r * Cols, width).CopyTo(new Span<float>(c + (long)r * ldc, width));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6(float* a, int lda, float* b, int ldb, float* c, int ldc, int k, bool accumulate)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<float>.Zero;
        }

        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            b += ldb;
            var x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
        }

        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1(float* a, float* b, int ldb, float* c, int k, bool accumulate)
    {
        var c0 = accumulate ? Vector512.Load(c) : Vector512<float>.Zero;
        var c1 = accumulate ? Vector512.Load(c + 16) : Vector512<float>.Zero;
        for (int p = 0; p < k; p++)
        {
            var x = Vector512.Create(a[p]);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 16), c1);
            b += ldb;
        }

        c0.Store(c);
        c1.Store(c + 16);
    }
}
