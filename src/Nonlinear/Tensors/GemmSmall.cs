using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Products with very few rows of C (batch-1 inference: 1 x 784 x 256), where packing op(B) would cost as much as the
/// product itself: op(B) is read in place. Rows of C accumulate scaled rows of B in registers (B stored [K, N]), or
/// each element is a dot product of two contiguous rows (B stored [N, K], the dense forward).
/// </summary>
/// <remarks>
/// Why not TensorPrimitives alone: a MultiplyAdd per (row, k) re-reads and re-writes the C row K times; the
/// register-accumulating loop reads each element of B once. The dot-product form does use TensorPrimitives.Dot.
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
                    for (int j = 0; j < n; j++)
                    {
                        float dot = wide ? Dot(aRow, b + (long)j * ldb, k) : Dot128(aRow, b + (long)j * ldb, k);
                        cRow[j] = accumulate ? cRow[j] + dot : dot;
                    }
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
    /// The dot product of two contiguous rows in four 256-bit accumulators. Own code rather than
    /// TensorPrimitives.Dot: that generic method is jitted at tier 0 first and ran ~12x slower for the first
    /// thousand batch-1 forwards (150 µs instead of 12 µs for the 784-256-128-10 MLP); this one is optimised from
    /// its first call, like every kernel here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* x, float* y, int k)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 8), Vector256.Load(y + p + 8), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 16), Vector256.Load(y + p + 16), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p + 24), Vector256.Load(y + p + 24), s3);
        }

        for (; p + 8 <= k; p += 8)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(y + p), s0);
        }

        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        for (; p < k; p++)
        {
            sum = MathF.FusedMultiplyAdd(x[p], y[p], sum);
        }

        return sum;
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

    /// <summary>
    /// <see cref="Dot"/> on 128-bit vectors (<see cref="Gemm.Width"/> 128: SSE, ARM64 NEON): four accumulators of 4
    /// lanes; multiply then add where the hardware has no FMA (the condition is a JIT-time constant, written out in
    /// each loop: a helper method here, even inlined, made the JIT keep its vectors on the stack).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot128(float* x, float* y, int k)
    {
        float sum = 0;
        int p = 0;
        if (k < 8)
        {
            // Rows shorter than 8 (a small recurrent state) are summed in order, as the blocked kernels sum every
            // element and as the 256-bit Dot does below its 8-wide step: then a batch of 1-2 rows gives the same bits
            // as a larger batch (RecurrentSpecTests compares them exactly).
            for (; p < k; p++)
            {
                sum = ScalarMulAdd(x[p], y[p], sum);
            }

            return sum;
        }

        Vector128<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (; p + 16 <= k; p += 16)
        {
            if (Fma.IsSupported || AdvSimd.IsSupported)
            {
                s0 = Vector128.FusedMultiplyAdd(Vector128.Load(x + p), Vector128.Load(y + p), s0);
                s1 = Vector128.FusedMultiplyAdd(Vector128.Load(x + p + 4), Vector128.Load(y + p + 4), s1);
                s2 = Vector128.FusedMultiplyAdd(Vector128.Load(x + p + 8), Vector128.Load(y + p + 8), s2);
                s3 = Vector128.FusedMultiplyAdd(Vector128.Load(x + p + 12), Vector128.Load(y + p + 12), s3);
            }
            else
            {
                s0 += Vector128.Load(x + p) * Vector128.Load(y + p);
                s1 += Vector128.Load(x + p + 4) * Vector128.Load(y + p + 4);
                s2 += Vector128.Load(x + p + 8) * Vector128.Load(y + p + 8);
                s3 += Vector128.Load(x + p + 12) * Vector128.Load(y + p + 12);
            }
        }

        for (; p + 4 <= k; p += 4)
        {
            if (Fma.IsSupported || AdvSimd.IsSupported)
            {
                s0 = Vector128.FusedMultiplyAdd(Vector128.Load(x + p), Vector128.Load(y + p), s0);
            }
            else
            {
                s0 += Vector128.Load(x + p) * Vector128.Load(y + p);
            }
        }

        sum = Vector128.Sum((s0 + s1) + (s2 + s3));
        for (; p < k; p++)
        {
            sum = ScalarMulAdd(x[p], y[p], sum);
        }

        return sum;
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
