using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Products with very few rows of C (batch-1 inference: 1 x 784 x 256), where packing op(B) would cost as much as the
/// product itself: op(B) is read in place. Rows of C accumulate scaled rows of B in registers (B stored [K, N]), or
/// each element is a dot product of two contiguous rows (B stored [N, K], the dense forward), four rows of B per pass.
/// </summary>
/// <remarks>
/// Why not TensorPrimitives alone: a MultiplyAdd per (row, k) re-reads and re-writes the C row K times; the
/// register-accumulating loop reads each element of B once. TensorPrimitives.Dot is generic and jitted at tier 0 first
/// (it ran ~12x slower for the first thousand batch-1 forwards); these kernels are optimised from their first call.
/// </remarks>
internal static unsafe class GemmSmall
{
    [ThreadStatic]
    private static float[]? _row;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, float* c, int m, int k, int n, bool accumulate)
    {
        float[]? rowArray = null;
        if (transposeA)
        {
            rowArray = _row is { } r && r.Length >= k ? r : (_row = new float[Math.Max(k, 1024)]);
        }

        fixed (float* scratch = rowArray)
        {
            for (int i = 0; i < m; i++)
            {
                // Row i of op(A), contiguous: in place, or gathered from column i of the stored [K, M] matrix.
                float* aRow = a + (long)i * lda;
                if (transposeA)
                {
                    for (int p = 0; p < k; p++)
                    {
                        scratch[p] = a[(long)p * lda + i];
                    }

                    aRow = scratch;
                }

                float* cRow = c + (long)i * n;
                bool wide = Gemm.Width >= 256;
                if (transposeB)
                {
                    Dots(aRow, b, ldb, cRow, k, n, accumulate);
                }
                else if (wide)
                {
                    Row(aRow, b, ldb, cRow, k, n, accumulate);
                }
                else
                {
                    Row128(aRow, b, ldb, cRow, k, n, accumulate);
                }
            }
        }
    }

    /// <summary>
    /// c[j] (+)= x · B[j, :] for the n contiguous rows of B[N, K] (the dense forward x·Wᵀ): four outputs per pass, so
    /// that each load of x serves four rows of B, with two accumulators per output (eight independent FMA chains hide
    /// the FMA latency), on the widest vectors <see cref="Gemm.Width"/> allows.
    /// </summary>
    /// <remarks>
    /// Every output is summed in the same order whether it falls in a group of four or among the last 1-3 rows: lanes
    /// of accumulator 0 take vectors 0, 2, 4, .. of the row, accumulator 1 vectors 1, 3, ..; an odd last whole vector goes
    /// to accumulator 0; then Sum(acc0 + acc1) and the remaining k elements in order. So an output does not depend on
    /// which other outputs share its pass (a product split by output units gives the same bits as the whole product).
    /// Rows shorter than 8 are summed in order from 0, as the blocked kernels sum every element: a batch of 1-2 rows
    /// then gives the same bits as a larger batch (RecurrentSpecTests compares them exactly).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots(float* x, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        if (k < 8)
        {
            for (int j = 0; j < n; j++)
            {
                float* row = b + (long)j * ldb;
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum = ScalarMulAdd(x[p], row[p], sum);
                }

                c[j] = accumulate ? c[j] + sum : sum;
            }
        }
        else if (Gemm.Width == 512 && Vector512.IsHardwareAccelerated)
        {
            Dots512(x, b, ldb, c, k, n, accumulate);
        }
        else if (Gemm.Width >= 256)
        {
            Dots256(x, b, ldb, c, k, n, accumulate);
        }
        else
        {
            Dots128(x, b, ldb, c, k, n, accumulate);
        }
    }

    /// <summary><see cref="Dots"/> on Vector512 (16 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots512(float* x, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (long)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector512<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 32 <= k; p += 32)
            {
                var x0 = Vector512.Load(x + p);
                var x1 = Vector512.Load(x + p + 16);
                s00 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b0 + p), s00);
                s01 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b0 + p + 16), s01);
                s10 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b1 + p), s10);
                s11 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b1 + p + 16), s11);
                s20 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b2 + p), s20);
                s21 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b2 + p + 16), s21);
                s30 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b3 + p), s30);
                s31 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b3 + p + 16), s31);
            }

            if (p + 16 <= k)
            {
                var x0 = Vector512.Load(x + p);
                s00 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b0 + p), s00);
                s10 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b1 + p), s10);
                s20 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b2 + p), s20);
                s30 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b3 + p), s30);
                p += 16;
            }

            float d0 = Vector512.Sum(s00 + s01), d1 = Vector512.Sum(s10 + s11), d2 = Vector512.Sum(s20 + s21), d3 = Vector512.Sum(s30 + s31);
            for (; p < k; p++)
            {
                float xp = x[p];
                d0 = MathF.FusedMultiplyAdd(xp, b0[p], d0);
                d1 = MathF.FusedMultiplyAdd(xp, b1[p], d1);
                d2 = MathF.FusedMultiplyAdd(xp, b2[p], d2);
                d3 = MathF.FusedMultiplyAdd(xp, b3[p], d3);
            }

            Store(c + j, d0, d1, d2, d3, accumulate);
        }

        // The last 1-3 outputs: the same sums in the same order, one row at a time.
        for (; j < n; j++)
        {
            float* b0 = b + (long)j * ldb;
            Vector512<float> s00 = default, s01 = default;
            int p = 0;
            for (; p + 32 <= k; p += 32)
            {
                var x0 = Vector512.Load(x + p);
                var x1 = Vector512.Load(x + p + 16);
                s00 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b0 + p), s00);
                s01 = Vector512.FusedMultiplyAdd(x1, Vector512.Load(b0 + p + 16), s01);
            }

            if (p + 16 <= k)
            {
                var x0 = Vector512.Load(x + p);
                s00 = Vector512.FusedMultiplyAdd(x0, Vector512.Load(b0 + p), s00);
                p += 16;
            }

            float d0 = Vector512.Sum(s00 + s01);
            for (; p < k; p++)
            {
                d0 = MathF.FusedMultiplyAdd(x[p], b0[p], d0);
            }

            c[j] = accumulate ? c[j] + d0 : d0;
        }
    }

    /// <summary><see cref="Dots"/> on Vector256 (8 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots256(float* x, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (long)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 16 <= k; p += 16)
            {
                var x0 = Vector256.Load(x + p);
                var x1 = Vector256.Load(x + p + 8);
                s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00);
                s01 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b0 + p + 8), s01);
                s10 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b1 + p), s10);
                s11 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b1 + p + 8), s11);
                s20 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b2 + p), s20);
                s21 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b2 + p + 8), s21);
                s30 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b3 + p), s30);
                s31 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b3 + p + 8), s31);
            }

            if (p + 8 <= k)
            {
                var x0 = Vector256.Load(x + p);
                s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00);
                s10 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b1 + p), s10);
                s20 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b2 + p), s20);
                s30 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b3 + p), s30);
                p += 8;
            }

            float d0 = Vector256.Sum(s00 + s01), d1 = Vector256.Sum(s10 + s11), d2 = Vector256.Sum(s20 + s21), d3 = Vector256.Sum(s30 + s31);
            for (; p < k; p++)
            {
                float xp = x[p];
                d0 = MathF.FusedMultiplyAdd(xp, b0[p], d0);
                d1 = MathF.FusedMultiplyAdd(xp, b1[p], d1);
                d2 = MathF.FusedMultiplyAdd(xp, b2[p], d2);
                d3 = MathF.FusedMultiplyAdd(xp, b3[p], d3);
            }

            Store(c + j, d0, d1, d2, d3, accumulate);
        }

        // The last 1-3 outputs: the same sums in the same order, one row at a time.
        for (; j < n; j++)
        {
            float* b0 = b + (long)j * ldb;
            Vector256<float> s00 = default, s01 = default;
            int p = 0;
            for (; p + 16 <= k; p += 16)
            {
                var x0 = Vector256.Load(x + p);
                var x1 = Vector256.Load(x + p + 8);
                s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00);
                s01 = Vector256.FusedMultiplyAdd(x1, Vector256.Load(b0 + p + 8), s01);
            }

            if (p + 8 <= k)
            {
                var x0 = Vector256.Load(x + p);
                s00 = Vector256.FusedMultiplyAdd(x0, Vector256.Load(b0 + p), s00);
                p += 8;
            }

            float d0 = Vector256.Sum(s00 + s01);
            for (; p < k; p++)
            {
                d0 = MathF.FusedMultiplyAdd(x[p], b0[p], d0);
            }

            c[j] = accumulate ? c[j] + d0 : d0;
        }
    }

    /// <summary><see cref="Dots"/> on Vector128 (4 lanes; multiply then add where the hardware has no FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots128(float* x, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* b0 = b + (long)j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            Vector128<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                var x0 = Vector128.Load(x + p);
                var x1 = Vector128.Load(x + p + 4);
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s00 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b0 + p), s00);
                    s01 = Vector128.FusedMultiplyAdd(x1, Vector128.Load(b0 + p + 4), s01);
                    s10 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b1 + p), s10);
                    s11 = Vector128.FusedMultiplyAdd(x1, Vector128.Load(b1 + p + 4), s11);
                    s20 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b2 + p), s20);
                    s21 = Vector128.FusedMultiplyAdd(x1, Vector128.Load(b2 + p + 4), s21);
                    s30 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b3 + p), s30);
                    s31 = Vector128.FusedMultiplyAdd(x1, Vector128.Load(b3 + p + 4), s31);
                }
                else
                {
                    s00 += x0 * Vector128.Load(b0 + p);
                    s01 += x1 * Vector128.Load(b0 + p + 4);
                    s10 += x0 * Vector128.Load(b1 + p);
                    s11 += x1 * Vector128.Load(b1 + p + 4);
                    s20 += x0 * Vector128.Load(b2 + p);
                    s21 += x1 * Vector128.Load(b2 + p + 4);
                    s30 += x0 * Vector128.Load(b3 + p);
                    s31 += x1 * Vector128.Load(b3 + p + 4);
                }
            }

            if (p + 4 <= k)
            {
                var x0 = Vector128.Load(x + p);
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s00 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b0 + p), s00);
                    s10 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b1 + p), s10);
                    s20 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b2 + p), s20);
                    s30 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b3 + p), s30);
                }
                else
                {
                    s00 += x0 * Vector128.Load(b0 + p);
                    s10 += x0 * Vector128.Load(b1 + p);
                    s20 += x0 * Vector128.Load(b2 + p);
                    s30 += x0 * Vector128.Load(b3 + p);
                }
                p += 4;
            }

            float d0 = Vector128.Sum(s00 + s01), d1 = Vector128.Sum(s10 + s11), d2 = Vector128.Sum(s20 + s21), d3 = Vector128.Sum(s30 + s31);
            for (; p < k; p++)
            {
                float xp = x[p];
                d0 = ScalarMulAdd(xp, b0[p], d0);
                d1 = ScalarMulAdd(xp, b1[p], d1);
                d2 = ScalarMulAdd(xp, b2[p], d2);
                d3 = ScalarMulAdd(xp, b3[p], d3);
            }

            Store(c + j, d0, d1, d2, d3, accumulate);
        }

        // The last 1-3 outputs: the same sums in the same order, one row at a time.
        for (; j < n; j++)
        {
            float* b0 = b + (long)j * ldb;
            Vector128<float> s00 = default, s01 = default;
            int p = 0;
            for (; p + 8 <= k; p += 8)
            {
                var x0 = Vector128.Load(x + p);
                var x1 = Vector128.Load(x + p + 4);
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s00 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b0 + p), s00);
                    s01 = Vector128.FusedMultiplyAdd(x1, Vector128.Load(b0 + p + 4), s01);
                }
                else
                {
                    s00 += x0 * Vector128.Load(b0 + p);
                    s01 += x1 * Vector128.Load(b0 + p + 4);
                }
            }

            if (p + 4 <= k)
            {
                var x0 = Vector128.Load(x + p);
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s00 = Vector128.FusedMultiplyAdd(x0, Vector128.Load(b0 + p), s00);
                }
                else
                {
                    s00 += x0 * Vector128.Load(b0 + p);
                }
                p += 4;
            }

            float d0 = Vector128.Sum(s00 + s01);
            for (; p < k; p++)
            {
                d0 = ScalarMulAdd(x[p], b0[p], d0);
            }

            c[j] = accumulate ? c[j] + d0 : d0;
        }
    }

    /// <summary>c[0 .. 4) = d0 .. d3, or c[0 .. 4) += them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, float d0, float d1, float d2, float d3, bool accumulate)
    {
        if (accumulate)
        {
            c[0] += d0;
            c[1] += d1;
            c[2] += d2;
            c[3] += d3;
        }
        else
        {
            c[0] = d0;
            c[1] = d1;
            c[2] = d2;
            c[3] = d3;
        }
    }

    /// <summary>C row (+)= sum over p of a[p] B[p, :], 32 columns at a time in four 256-bit accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(float* a, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        int j = 0;
        for (; j + 32 <= n; j += 32)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                var x = Vector256.Create(a[p]);
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 24), s3);
            }

            if (accumulate)
            {
                s0 += Vector256.Load(c + j);
                s1 += Vector256.Load(c + j + 8);
                s2 += Vector256.Load(c + j + 16);
                s3 += Vector256.Load(c + j + 24);
            }

            s0.Store(c + j);
            s1.Store(c + j + 8);
            s2.Store(c + j + 16);
            s3.Store(c + j + 24);
        }

        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> s = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                s = Vector256.FusedMultiplyAdd(Vector256.Create(a[p]), Vector256.Load(bp), s);
            }

            (accumulate ? s + Vector256.Load(c + j) : s).Store(c + j);
        }

        for (; j < n; j++)
        {
            float s = 0;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                s = MathF.FusedMultiplyAdd(a[p], *bp, s);
            }

            c[j] = accumulate ? c[j] + s : s;
        }
    }

    /// <summary><see cref="Row"/> on 128-bit vectors: 32 columns at a time in eight accumulators of 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row128(float* a, float* b, int ldb, float* c, int k, int n, bool accumulate)
    {
        int j = 0;
        for (; j + 32 <= n; j += 32)
        {
            Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                var x = Vector128.Create(a[p]);
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s0 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp), s0);
                    s1 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 4), s1);
                    s2 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 8), s2);
                    s3 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 12), s3);
                    s4 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 16), s4);
                    s5 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 20), s5);
                    s6 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 24), s6);
                    s7 = Vector128.FusedMultiplyAdd(x, Vector128.Load(bp + 28), s7);
                }
                else
                {
                    s0 += x * Vector128.Load(bp);
                    s1 += x * Vector128.Load(bp + 4);
                    s2 += x * Vector128.Load(bp + 8);
                    s3 += x * Vector128.Load(bp + 12);
                    s4 += x * Vector128.Load(bp + 16);
                    s5 += x * Vector128.Load(bp + 20);
                    s6 += x * Vector128.Load(bp + 24);
                    s7 += x * Vector128.Load(bp + 28);
                }
            }

            if (accumulate)
            {
                s0 += Vector128.Load(c + j);
                s1 += Vector128.Load(c + j + 4);
                s2 += Vector128.Load(c + j + 8);
                s3 += Vector128.Load(c + j + 12);
                s4 += Vector128.Load(c + j + 16);
                s5 += Vector128.Load(c + j + 20);
                s6 += Vector128.Load(c + j + 24);
                s7 += Vector128.Load(c + j + 28);
            }

            s0.Store(c + j);
            s1.Store(c + j + 4);
            s2.Store(c + j + 8);
            s3.Store(c + j + 12);
            s4.Store(c + j + 16);
            s5.Store(c + j + 20);
            s6.Store(c + j + 24);
            s7.Store(c + j + 28);
        }

        for (; j + 4 <= n; j += 4)
        {
            Vector128<float> s = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                if (Fma.IsSupported || AdvSimd.IsSupported)
                {
                    s = Vector128.FusedMultiplyAdd(Vector128.Create(a[p]), Vector128.Load(bp), s);
                }
                else
                {
                    s += Vector128.Create(a[p]) * Vector128.Load(bp);
                }
            }

            (accumulate ? s + Vector128.Load(c + j) : s).Store(c + j);
        }

        for (; j < n; j++)
        {
            float s = 0;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                s = ScalarMulAdd(a[p], *bp, s);
            }

            c[j] = accumulate ? c[j] + s : s;
        }
    }

    /// <summary>x * y + z, fused only where the hardware has FMA (MathF.FusedMultiplyAdd is a slow library call elsewhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ScalarMulAdd(float x, float y, float z) => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(x, y, z) : x * y + z;
}
