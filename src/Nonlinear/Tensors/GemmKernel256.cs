using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// The AVX2 + FMA GEMM micro-kernel (machines without AVX-512): a 6 x 16 tile of C in 12 registers; each step over k loads 2 vectors of packed B,
/// broadcasts 6 values of packed A and issues 12 fused multiply-adds.
/// </summary>
/// <remarks>
/// Why not TensorPrimitives: it offers whole-span operations (a row times a scalar plus a row), so each one reads and
/// writes C from memory; a GEMM needs C held in registers across the whole k loop, which only an explicit register
/// tile does. Generated code (one line per row of the tile): keep it regular.
/// </remarks>
internal unsafe struct GemmKernel256 : IGemmKernel
{
    /// <inheritdoc/>
    public static int Rows => 6;

    /// <inheritdoc/>
    public static int Cols => 16;

    /// <inheritdoc/>
    public static int Kc => GemmBlocking.Kc;

    /// <inheritdoc/>
    public static int Mc => GemmBlocking.Mc;

    /// <inheritdoc/>
    public static int Nc => GemmBlocking.Nc;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, int kc, float* c, int ldc, bool add, in GemmEpilogue epilogue)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b + 0);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }

        if (add)
        {
            c00 += Vector256.Load(c + 0 * ldc + 0); c01 += Vector256.Load(c + 0 * ldc + 8);
            c10 += Vector256.Load(c + 1 * ldc + 0); c11 += Vector256.Load(c + 1 * ldc + 8);
            c20 += Vector256.Load(c + 2 * ldc + 0); c21 += Vector256.Load(c + 2 * ldc + 8);
            c30 += Vector256.Load(c + 3 * ldc + 0); c31 += Vector256.Load(c + 3 * ldc + 8);
            c40 += Vector256.Load(c + 4 * ldc + 0); c41 += Vector256.Load(c + 4 * ldc + 8);
            c50 += Vector256.Load(c + 5 * ldc + 0); c51 += Vector256.Load(c + 5 * ldc + 8);
        }

        if (epilogue.Any)
        {
            if (epilogue.Bias != null)
            {
                if (epilogue.PerRow)
                {
                    var r0 = Vector256.Create(epilogue.Bias[0]); c00 += r0; c01 += r0;
                    var r1 = Vector256.Create(epilogue.Bias[1]); c10 += r1; c11 += r1;
                    var r2 = Vector256.Create(epilogue.Bias[2]); c20 += r2; c21 += r2;
                    var r3 = Vector256.Create(epilogue.Bias[3]); c30 += r3; c31 += r3;
                    var r4 = Vector256.Create(epilogue.Bias[4]); c40 += r4; c41 += r4;
                    var r5 = Vector256.Create(epilogue.Bias[5]); c50 += r5; c51 += r5;
                }
                else
                {
                    var q0 = Vector256.Load(epilogue.Bias + 0);
                    var q1 = Vector256.Load(epilogue.Bias + 8);
                    c00 += q0; c01 += q1;
                    c10 += q0; c11 += q1;
                    c20 += q0; c21 += q1;
                    c30 += q0; c31 += q1;
                    c40 += q0; c41 += q1;
                    c50 += q0; c51 += q1;
                }
            }

            if (epilogue.ClampAtZero)
            {
                // max(0, x) with x second: MAXPS returns its second operand when either is NaN, so NaN propagates (as the relu activation does).
                var z = Vector256<float>.Zero;
                c00 = Avx.Max(z, c00); c01 = Avx.Max(z, c01);
                c10 = Avx.Max(z, c10); c11 = Avx.Max(z, c11);
                c20 = Avx.Max(z, c20); c21 = Avx.Max(z, c21);
                c30 = Avx.Max(z, c30); c31 = Avx.Max(z, c31);
                c40 = Avx.Max(z, c40); c41 = Avx.Max(z, c41);
                c50 = Avx.Max(z, c50); c51 = Avx.Max(z, c51);
            }
        }

        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 8);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 8);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 8);
    }
}
