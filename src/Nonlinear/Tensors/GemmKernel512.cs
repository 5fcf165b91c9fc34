using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// The AVX-512 GEMM micro-kernel: a 8 x 32 tile of C in 16 registers; each step over k loads 2 vectors of packed B,
/// broadcasts 8 values of packed A and issues 16 fused multiply-adds.
/// </summary>
/// <remarks>
/// Why not TensorPrimitives: it offers whole-span operations (a row times a scalar plus a row), so each one reads and
/// writes C from memory; a GEMM needs C held in registers across the whole k loop, which only an explicit register
/// tile does. Generated code (one line per row of the tile): keep it regular.
/// </remarks>
internal unsafe struct GemmKernel512 : IGemmKernel
{
    /// <inheritdoc/>
    public static int Rows => 8;

    /// <inheritdoc/>
    public static int Cols => 32;

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
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b + 0);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }

        if (add)
        {
            c00 += Vector512.Load(c + 0 * ldc + 0); c01 += Vector512.Load(c + 0 * ldc + 16);
            c10 += Vector512.Load(c + 1 * ldc + 0); c11 += Vector512.Load(c + 1 * ldc + 16);
            c20 += Vector512.Load(c + 2 * ldc + 0); c21 += Vector512.Load(c + 2 * ldc + 16);
            c30 += Vector512.Load(c + 3 * ldc + 0); c31 += Vector512.Load(c + 3 * ldc + 16);
            c40 += Vector512.Load(c + 4 * ldc + 0); c41 += Vector512.Load(c + 4 * ldc + 16);
            c50 += Vector512.Load(c + 5 * ldc + 0); c51 += Vector512.Load(c + 5 * ldc + 16);
            c60 += Vector512.Load(c + 6 * ldc + 0); c61 += Vector512.Load(c + 6 * ldc + 16);
            c70 += Vector512.Load(c + 7 * ldc + 0); c71 += Vector512.Load(c + 7 * ldc + 16);
        }

        if (epilogue.Any)
        {
            if (epilogue.Bias != null)
            {
                if (epilogue.PerRow)
                {
                    var r0 = Vector512.Create(epilogue.Bias[0]); c00 += r0; c01 += r0;
                    var r1 = Vector512.Create(epilogue.Bias[1]); c10 += r1; c11 += r1;
                    var r2 = Vector512.Create(epilogue.Bias[2]); c20 += r2; c21 += r2;
                    var r3 = Vector512.Create(epilogue.Bias[3]); c30 += r3; c31 += r3;
                    var r4 = Vector512.Create(epilogue.Bias[4]); c40 += r4; c41 += r4;
                    var r5 = Vector512.Create(epilogue.Bias[5]); c50 += r5; c51 += r5;
                    var r6 = Vector512.Create(epilogue.Bias[6]); c60 += r6; c61 += r6;
                    var r7 = Vector512.Create(epilogue.Bias[7]); c70 += r7; c71 += r7;
                }
                else
                {
                    var q0 = Vector512.Load(epilogue.Bias + 0);
                    var q1 = Vector512.Load(epilogue.Bias + 16);
                    c00 += q0; c01 += q1;
                    c10 += q0; c11 += q1;
                    c20 += q0; c21 += q1;
                    c30 += q0; c31 += q1;
                    c40 += q0; c41 += q1;
                    c50 += q0; c51 += q1;
                    c60 += q0; c61 += q1;
                    c70 += q0; c71 += q1;
                }
            }

            if (epilogue.ClampAtZero)
            {
                // max(0, x) with x second: MAXPS returns its second operand when either is NaN, so NaN propagates (as the relu activation does).
                var z = Vector512<float>.Zero;
                c00 = Avx512F.Max(z, c00); c01 = Avx512F.Max(z, c01);
                c10 = Avx512F.Max(z, c10); c11 = Avx512F.Max(z, c11);
                c20 = Avx512F.Max(z, c20); c21 = Avx512F.Max(z, c21);
                c30 = Avx512F.Max(z, c30); c31 = Avx512F.Max(z, c31);
                c40 = Avx512F.Max(z, c40); c41 = Avx512F.Max(z, c41);
                c50 = Avx512F.Max(z, c50); c51 = Avx512F.Max(z, c51);
                c60 = Avx512F.Max(z, c60); c61 = Avx512F.Max(z, c61);
                c70 = Avx512F.Max(z, c70); c71 = Avx512F.Max(z, c71);
            }
        }

        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 16);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 16);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 16);
        c60.Store(c + 6 * ldc + 0); c61.Store(c + 6 * ldc + 16);
        c70.Store(c + 7 * ldc + 0); c71.Store(c + 7 * ldc + 16);
    }
}
