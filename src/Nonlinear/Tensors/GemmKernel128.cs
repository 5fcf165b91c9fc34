using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// The 128-bit GEMM micro-kernel (hardware whose widest accelerated vector is Vector128: ARM64 NEON, x86 without
/// AVX2 + FMA, WebAssembly SIMD): a 4 x 12 tile of C in 12 registers; each step over k loads one vector of packed A
/// (the 4 rows' values), broadcasts each lane in a register, and multiplies it by 3 vectors of packed B.
/// </summary>
/// <remarks>
/// <para>
/// Sized for x86's 16 xmm registers: 12 accumulators, the A vector, one broadcast lane and one product leave no room
/// for the 3 B vectors, so they are read from the packed strip by every multiply (aligned loads, which legacy SSE
/// folds into MULPS as a memory operand; the strips are 16-byte aligned by construction: the packing buffers are
/// 64-byte aligned and every strip starts at a multiple of 4 floats).
/// </para>
/// <para>
/// Fused multiply-add where the hardware has it (x86 FMA3, ARM64 FMLA); otherwise a multiply then an add (SSE has no
/// FMA and Vector128.FusedMultiplyAdd would then be emulated in software): results may then differ from the fused
/// kernels in the last bit, as any change of summation order does.
/// </para>
/// <para>
/// Why not TensorPrimitives: it offers whole-span operations (a row times a scalar plus a row), so each one reads and
/// writes C from memory; a GEMM needs C held in registers across the whole k loop, which only an explicit register
/// tile does. Generated code (one line per row of the tile): keep it regular.
/// </para>
/// </remarks>
internal unsafe struct GemmKernel128 : IGemmKernel
{
    /// <inheritdoc/>
    public static int Rows => 4;

    /// <inheritdoc/>
    public static int Cols => 12;

    /// <inheritdoc/>
    public static int Kc => GemmBlocking.Kc128;

    /// <inheritdoc/>
    public static int Mc => GemmBlocking.Mc128;

    /// <inheritdoc/>
    public static int Nc => GemmBlocking.Nc128;

    /// <summary>Whether the multiply-adds are fused (hardware FMA), rather than a multiply then an add.</summary>
    public static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, int kc, float* c, int ldc, bool add, in GemmEpilogue epilogue)
    {
        Vector128<float> c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = Vector128<float>.Zero;
        // One loop per instruction set (the conditions are JIT-time constants: only one is compiled), each written out
        // with intrinsics only: helper calls in this loop (even inlined ones) cost the JIT its register allocation.
        if (Sse2.IsSupported)
        {
            // x86: the 4 A values in one aligned load, each broadcast by PSHUFD; B read by the multiply (aligned).
            if (Fma.IsSupported)
            {
                for (int p = 0; p < kc; p++, a += 4, b += 12)
                {
                    var av = Vector128.LoadAligned(a).AsInt32();
                    var a0 = Sse2.Shuffle(av, 0x00).AsSingle();
                    c00 = Fma.MultiplyAdd(a0, Vector128.LoadAligned(b + 0), c00); c01 = Fma.MultiplyAdd(a0, Vector128.LoadAligned(b + 4), c01); c02 = Fma.MultiplyAdd(a0, Vector128.LoadAligned(b + 8), c02);
                    var a1 = Sse2.Shuffle(av, 0x55).AsSingle();
                    c10 = Fma.MultiplyAdd(a1, Vector128.LoadAligned(b + 0), c10); c11 = Fma.MultiplyAdd(a1, Vector128.LoadAligned(b + 4), c11); c12 = Fma.MultiplyAdd(a1, Vector128.LoadAligned(b + 8), c12);
                    var a2 = Sse2.Shuffle(av, 0xAA).AsSingle();
                    c20 = Fma.MultiplyAdd(a2, Vector128.LoadAligned(b + 0), c20); c21 = Fma.MultiplyAdd(a2, Vector128.LoadAligned(b + 4), c21); c22 = Fma.MultiplyAdd(a2, Vector128.LoadAligned(b + 8), c22);
                    var a3 = Sse2.Shuffle(av, 0xFF).AsSingle();
                    c30 = Fma.MultiplyAdd(a3, Vector128.LoadAligned(b + 0), c30); c31 = Fma.MultiplyAdd(a3, Vector128.LoadAligned(b + 4), c31); c32 = Fma.MultiplyAdd(a3, Vector128.LoadAligned(b + 8), c32);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++, a += 4, b += 12)
                {
                    var av = Vector128.LoadAligned(a).AsInt32();
                    var a0 = Sse2.Shuffle(av, 0x00).AsSingle();
                    c00 += a0 * Vector128.LoadAligned(b + 0); c01 += a0 * Vector128.LoadAligned(b + 4); c02 += a0 * Vector128.LoadAligned(b + 8);
                    var a1 = Sse2.Shuffle(av, 0x55).AsSingle();
                    c10 += a1 * Vector128.LoadAligned(b + 0); c11 += a1 * Vector128.LoadAligned(b + 4); c12 += a1 * Vector128.LoadAligned(b + 8);
                    var a2 = Sse2.Shuffle(av, 0xAA).AsSingle();
                    c20 += a2 * Vector128.LoadAligned(b + 0); c21 += a2 * Vector128.LoadAligned(b + 4); c22 += a2 * Vector128.LoadAligned(b + 8);
                    var a3 = Sse2.Shuffle(av, 0xFF).AsSingle();
                    c30 += a3 * Vector128.LoadAligned(b + 0); c31 += a3 * Vector128.LoadAligned(b + 4); c32 += a3 * Vector128.LoadAligned(b + 8);
                }
            }
        }
        else if (AdvSimd.IsSupported)
        {
            // ARM64: each A value broadcast by a load (LD1R), fused multiply-add (FMLA).
            for (int p = 0; p < kc; p++, a += 4, b += 12)
            {
                var a0 = Vector128.Create(a[0]);
                c00 = Vector128.FusedMultiplyAdd(a0, Vector128.LoadAligned(b + 0), c00); c01 = Vector128.FusedMultiplyAdd(a0, Vector128.LoadAligned(b + 4), c01); c02 = Vector128.FusedMultiplyAdd(a0, Vector128.LoadAligned(b + 8), c02);
                var a1 = Vector128.Create(a[1]);
                c10 = Vector128.FusedMultiplyAdd(a1, Vector128.LoadAligned(b + 0), c10); c11 = Vector128.FusedMultiplyAdd(a1, Vector128.LoadAligned(b + 4), c11); c12 = Vector128.FusedMultiplyAdd(a1, Vector128.LoadAligned(b + 8), c12);
                var a2 = Vector128.Create(a[2]);
                c20 = Vector128.FusedMultiplyAdd(a2, Vector128.LoadAligned(b + 0), c20); c21 = Vector128.FusedMultiplyAdd(a2, Vector128.LoadAligned(b + 4), c21); c22 = Vector128.FusedMultiplyAdd(a2, Vector128.LoadAligned(b + 8), c22);
                var a3 = Vector128.Create(a[3]);
                c30 = Vector128.FusedMultiplyAdd(a3, Vector128.LoadAligned(b + 0), c30); c31 = Vector128.FusedMultiplyAdd(a3, Vector128.LoadAligned(b + 4), c31); c32 = Vector128.FusedMultiplyAdd(a3, Vector128.LoadAligned(b + 8), c32);
            }
        }
        else
        {
            // Elsewhere (WebAssembly SIMD): multiply then add.
            for (int p = 0; p < kc; p++, a += 4, b += 12)
            {
                var a0 = Vector128.Create(a[0]);
                c00 += a0 * Vector128.LoadAligned(b + 0); c01 += a0 * Vector128.LoadAligned(b + 4); c02 += a0 * Vector128.LoadAligned(b + 8);
                var a1 = Vector128.Create(a[1]);
                c10 += a1 * Vector128.LoadAligned(b + 0); c11 += a1 * Vector128.LoadAligned(b + 4); c12 += a1 * Vector128.LoadAligned(b + 8);
                var a2 = Vector128.Create(a[2]);
                c20 += a2 * Vector128.LoadAligned(b + 0); c21 += a2 * Vector128.LoadAligned(b + 4); c22 += a2 * Vector128.LoadAligned(b + 8);
                var a3 = Vector128.Create(a[3]);
                c30 += a3 * Vector128.LoadAligned(b + 0); c31 += a3 * Vector128.LoadAligned(b + 4); c32 += a3 * Vector128.LoadAligned(b + 8);
            }
        }

        if (add)
        {
            c00 += Vector128.Load(c + 0 * ldc + 0); c01 += Vector128.Load(c + 0 * ldc + 4); c02 += Vector128.Load(c + 0 * ldc + 8);
            c10 += Vector128.Load(c + 1 * ldc + 0); c11 += Vector128.Load(c + 1 * ldc + 4); c12 += Vector128.Load(c + 1 * ldc + 8);
            c20 += Vector128.Load(c + 2 * ldc + 0); c21 += Vector128.Load(c + 2 * ldc + 4); c22 += Vector128.Load(c + 2 * ldc + 8);
            c30 += Vector128.Load(c + 3 * ldc + 0); c31 += Vector128.Load(c + 3 * ldc + 4); c32 += Vector128.Load(c + 3 * ldc + 8);
        }

        if (epilogue.Any)
        {
            if (epilogue.Bias != null)
            {
                if (epilogue.PerRow)
                {
                    var r0 = Vector128.Create(epilogue.Bias[0]); c00 += r0; c01 += r0; c02 += r0;
                    var r1 = Vector128.Create(epilogue.Bias[1]); c10 += r1; c11 += r1; c12 += r1;
                    var r2 = Vector128.Create(epilogue.Bias[2]); c20 += r2; c21 += r2; c22 += r2;
                    var r3 = Vector128.Create(epilogue.Bias[3]); c30 += r3; c31 += r3; c32 += r3;
                }
                else
                {
                    var q0 = Vector128.Load(epilogue.Bias + 0);
                    var q1 = Vector128.Load(epilogue.Bias + 4);
                    var q2 = Vector128.Load(epilogue.Bias + 8);
                    c00 += q0; c01 += q1; c02 += q2;
                    c10 += q0; c11 += q1; c12 += q2;
                    c20 += q0; c21 += q1; c22 += q2;
                    c30 += q0; c31 += q1; c32 += q2;
                }
            }

            if (epilogue.ClampAtZero)
            {
                c00 = Relu(c00); c01 = Relu(c01); c02 = Relu(c02);
                c10 = Relu(c10); c11 = Relu(c11); c12 = Relu(c12);
                c20 = Relu(c20); c21 = Relu(c21); c22 = Relu(c22);
                c30 = Relu(c30); c31 = Relu(c31); c32 = Relu(c32);
            }
        }

        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 4); c02.Store(c + 0 * ldc + 8);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 4); c12.Store(c + 1 * ldc + 8);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 4); c22.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 4); c32.Store(c + 3 * ldc + 8);
    }

    /// <summary>
    /// max(0, x) exactly as <see cref="GemmEpilogue.Relu"/> and MAXPS(0, x): NaN propagates and -0 stays -0 (which
    /// Vector128.Max would turn into +0), so the result is the same at every width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Relu(Vector128<float> x)
    {
        var z = Vector128<float>.Zero;
        return Sse.IsSupported ? Sse.Max(z, x) : Vector128.ConditionalSelect(Vector128.GreaterThan(z, x), z, x);
    }
}
