using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// C[M, N] += A[M, K] · B[N, K]^T with both operands read in their stored row-major layout (K contiguous in each
/// row): every output is a dot product of an A row and a B row, computed with K in the vector lanes, 3 x 3 outputs
/// at a time (9 vector accumulators, 3 + 3 row loads per step). No packing and no transposes: for products with
/// few rows (a convolution's weight gradient dW^T += cols · dY^T over 9 kernel taps, where the blocked GEMM pads
/// 9 rows to two 8-row strips and transposes both operands for every sample) this measured faster.
/// </summary>
/// <remarks>
/// Vector512 lanes where the GEMM runs at 512 bits, else Vector&lt;float&gt; lanes (8 with AVX2, 4 with SSE only or
/// NEON); the remainder outputs (M or N mod 3) always on Vector&lt;float&gt;. Multiply-adds are fused where the
/// hardware has FMA (x86 FMA3, ARM64), a multiply then an add elsewhere (no software-emulated FMA). Summation order
/// per output: each lane sums its own k ≡ lane (mod lanes) in increasing k, the lanes are then added
/// (Vector.Sum), then the k tail (K mod lanes) in increasing k, then the sum is added to C. Deterministic; it
/// differs from the blocked GEMM's order, so results agree with it to rounding, not bit for bit.
/// </remarks>
internal static unsafe class GemmDot
{
    /// <summary>
    /// Whether the 3 x 3 tiles run on Vector512 (16 lanes): where it is accelerated and <see cref="Gemm.Width"/> is
    /// 512 (tests narrow that to run the Vector&lt;float&gt; tiles on the same machine).
    /// </summary>
    private static bool Wide => Vector512.IsHardwareAccelerated && Gemm.Width == 512;

    /// <summary>Whether the multiply-adds are fused (hardware FMA).</summary>
    private static bool Fused => Fma.IsSupported || AdvSimd.Arm64.IsSupported;

    /// <summary>The span form of <see cref="AddABt(float*, int, float*, int, float*, int, int, int, int)"/> (for callers without pointers, e.g. tests), bounds checked.</summary>
    public static void AddABt(ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0 || lda < k || ldb < k || ldc < n
            || (m > 0 && a.Length < ((long)(m - 1) * lda) + k) || (n > 0 && b.Length < ((long)(n - 1) * ldb) + k)
            || (m > 0 && c.Length < ((long)(m - 1) * ldc) + n))
        {
            throw new ArgumentException("A, B or C is too small for the shapes and strides given.");
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            AddABt(pa, lda, pb, ldb, pc, ldc, m, n, k);
        }
    }

    /// <summary>C[M, N] (row stride <paramref name="ldc"/>) += A[M, K] (row stride <paramref name="lda"/>) · B[N, K]^T (row stride <paramref name="ldb"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddABt(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int n, int k)
    {
        int m3 = m / 3 * 3, n3 = n / 3 * 3;
        for (int i = 0; i < m3; i += 3)
        {
            for (int j = 0; j < n3; j += 3)
            {
                if (Wide)
                {
                    Tile3x3Wide(a + (long)i * lda, lda, b + (long)j * ldb, ldb, c + (long)i * ldc + j, ldc, k);
                }
                else
                {
                    Tile3x3(a + (long)i * lda, lda, b + (long)j * ldb, ldb, c + (long)i * ldc + j, ldc, k);
                }
            }

            for (int j = n3; j < n; j++)
            {
                for (int r = i; r < i + 3; r++)
                {
                    c[(long)r * ldc + j] += Dot(a + (long)r * lda, b + (long)j * ldb, k);
                }
            }
        }

        for (int i = m3; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                c[(long)i * ldc + j] += Dot(a + (long)i * lda, b + (long)j * ldb, k);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MulAdd(Vector<float> x, Vector<float> y, Vector<float> acc)
        => Fused ? Vector.FusedMultiplyAdd(x, y, acc) : (x * y) + acc;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float MulAdd(float x, float y, float acc) => Fused ? MathF.FusedMultiplyAdd(x, y, acc) : (x * y) + acc;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile3x3(float* a, int lda, float* b, int ldb, float* c, int ldc, int k)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb;
        var s00 = Vector<float>.Zero; var s01 = Vector<float>.Zero; var s02 = Vector<float>.Zero;
        var s10 = Vector<float>.Zero; var s11 = Vector<float>.Zero; var s12 = Vector<float>.Zero;
        var s20 = Vector<float>.Zero; var s21 = Vector<float>.Zero; var s22 = Vector<float>.Zero;
        int lanes = Vector<float>.Count, p = 0;
        for (; p <= k - lanes; p += lanes)
        {
            var y0 = Unsafe.ReadUnaligned<Vector<float>>(b0 + p);
            var y1 = Unsafe.ReadUnaligned<Vector<float>>(b1 + p);
            var y2 = Unsafe.ReadUnaligned<Vector<float>>(b2 + p);
            var x = Unsafe.ReadUnaligned<Vector<float>>(a0 + p);
            s00 = MulAdd(x, y0, s00); s01 = MulAdd(x, y1, s01); s02 = MulAdd(x, y2, s02);
            x = Unsafe.ReadUnaligned<Vector<float>>(a1 + p);
            s10 = MulAdd(x, y0, s10); s11 = MulAdd(x, y1, s11); s12 = MulAdd(x, y2, s12);
            x = Unsafe.ReadUnaligned<Vector<float>>(a2 + p);
            s20 = MulAdd(x, y0, s20); s21 = MulAdd(x, y1, s21); s22 = MulAdd(x, y2, s22);
        }

        float t00 = Vector.Sum(s00), t01 = Vector.Sum(s01), t02 = Vector.Sum(s02);
        float t10 = Vector.Sum(s10), t11 = Vector.Sum(s11), t12 = Vector.Sum(s12);
        float t20 = Vector.Sum(s20), t21 = Vector.Sum(s21), t22 = Vector.Sum(s22);
        for (; p < k; p++)
        {
            float x0 = a0[p], x1 = a1[p], x2 = a2[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            t00 = MulAdd(x0, y0, t00); t01 = MulAdd(x0, y1, t01); t02 = MulAdd(x0, y2, t02);
            t10 = MulAdd(x1, y0, t10); t11 = MulAdd(x1, y1, t11); t12 = MulAdd(x1, y2, t12);
            t20 = MulAdd(x2, y0, t20); t21 = MulAdd(x2, y1, t21); t22 = MulAdd(x2, y2, t22);
        }

        c[0] += t00; c[1] += t01; c[2] += t02;
        c += ldc;
        c[0] += t10; c[1] += t11; c[2] += t12;
        c += ldc;
        c[0] += t20; c[1] += t21; c[2] += t22;
    }

    /// <summary>
    /// <see cref="Tile3x3"/> on Vector512 (always fused: AVX-512 has FMA): lanes, then Vector512.Sum, then the k tail
    /// (K mod 16) in increasing k.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Tile3x3Wide(float* a, int lda, float* b, int ldb, float* c, int ldc, int k)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb;
        var s00 = Vector512<float>.Zero; var s01 = Vector512<float>.Zero; var s02 = Vector512<float>.Zero;
        var s10 = Vector512<float>.Zero; var s11 = Vector512<float>.Zero; var s12 = Vector512<float>.Zero;
        var s20 = Vector512<float>.Zero; var s21 = Vector512<float>.Zero; var s22 = Vector512<float>.Zero;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            var y0 = Vector512.Load(b0 + p);
            var y1 = Vector512.Load(b1 + p);
            var y2 = Vector512.Load(b2 + p);
            var x = Vector512.Load(a0 + p);
            s00 = Vector512.FusedMultiplyAdd(x, y0, s00); s01 = Vector512.FusedMultiplyAdd(x, y1, s01); s02 = Vector512.FusedMultiplyAdd(x, y2, s02);
            x = Vector512.Load(a1 + p);
            s10 = Vector512.FusedMultiplyAdd(x, y0, s10); s11 = Vector512.FusedMultiplyAdd(x, y1, s11); s12 = Vector512.FusedMultiplyAdd(x, y2, s12);
            x = Vector512.Load(a2 + p);
            s20 = Vector512.FusedMultiplyAdd(x, y0, s20); s21 = Vector512.FusedMultiplyAdd(x, y1, s21); s22 = Vector512.FusedMultiplyAdd(x, y2, s22);
        }

        float t00 = Vector512.Sum(s00), t01 = Vector512.Sum(s01), t02 = Vector512.Sum(s02);
        float t10 = Vector512.Sum(s10), t11 = Vector512.Sum(s11), t12 = Vector512.Sum(s12);
        float t20 = Vector512.Sum(s20), t21 = Vector512.Sum(s21), t22 = Vector512.Sum(s22);
        for (; p < k; p++)
        {
            float x0 = a0[p], x1 = a1[p], x2 = a2[p], y0 = b0[p], y1 = b1[p], y2 = b2[p];
            t00 = MathF.FusedMultiplyAdd(x0, y0, t00); t01 = MathF.FusedMultiplyAdd(x0, y1, t01); t02 = MathF.FusedMultiplyAdd(x0, y2, t02);
            t10 = MathF.FusedMultiplyAdd(x1, y0, t10); t11 = MathF.FusedMultiplyAdd(x1, y1, t11); t12 = MathF.FusedMultiplyAdd(x1, y2, t12);
            t20 = MathF.FusedMultiplyAdd(x2, y0, t20); t21 = MathF.FusedMultiplyAdd(x2, y1, t21); t22 = MathF.FusedMultiplyAdd(x2, y2, t22);
        }

        c[0] += t00; c[1] += t01; c[2] += t02;
        c += ldc;
        c[0] += t10; c[1] += t11; c[2] += t12;
        c += ldc;
        c[0] += t20; c[1] += t21; c[2] += t22;
    }

    /// <summary>One output, in the order of a Vector&lt;float&gt; tile: lanes, then Vector.Sum, then the tail.</summary>
    private static float Dot(float* x, float* y, int k)
    {
        var s = Vector<float>.Zero;
        int lanes = Vector<float>.Count, p = 0;
        for (; p <= k - lanes; p += lanes)
        {
            s = MulAdd(Unsafe.ReadUnaligned<Vector<float>>(x + p), Unsafe.ReadUnaligned<Vector<float>>(y + p), s);
        }

        float t = Vector.Sum(s);
        for (; p < k; p++)
        {
            t = MulAdd(x[p], y[p], t);
        }

        return t;
    }
}
