using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Products on operands that the caller has already packed in the blocked GEMM's micro-kernel layout, for
/// callers that reuse one packed operand over many products (a convolution packs its weights once per batch
/// and writes im2col straight into the B layout, instead of unfolding, then repacking both, for every sample).
/// </summary>
/// <remarks>
/// Layouts (the ones <see cref="GemmPack"/> writes with kc = K): packed A holds strips of <see cref="Rows"/> rows,
/// strip s (rows s·MR ..) at s·MR·K, each k step MR consecutive floats; packed B holds strips of
/// <see cref="Cols"/> columns, strip s at s·NR·K, each k step NR consecutive floats. Partial strips are
/// zero-padded. <see cref="Run"/> walks K in blocks (the strips' k offsets: no repacking per block), every B strip
/// against every A strip through the same micro-kernels as <see cref="Gemm"/>, on the calling thread.
/// The width argument names the micro-kernel: 512 (<see cref="GemmKernel512"/>, 8 x 32), 256
/// (<see cref="GemmKernel256"/>, 6 x 16) or 128 (<see cref="GemmKernel128"/>, 4 x 12); packing and product must use
/// the same width. The 128-bit kernel reads its strips with aligned loads: packed operands must start 16-byte
/// aligned (<see cref="Align"/> on a buffer with <see cref="Slack"/> spare floats); every strip and k block then
/// starts at a multiple of 4 floats from there, so stays aligned.
/// </remarks>
internal static unsafe class GemmPacked
{
    /// <summary>Up to this depth K is one block (a KC x 32 strip of B, 40 KB at 320, stays in a 48 KB L1).</summary>
    private const int MaxSingleKc = 320;

    /// <summary>Spare floats a packing buffer needs so that <see cref="Align"/> can move its start to a 64-byte boundary.</summary>
    public const int Slack = 16;

    /// <summary>
    /// The micro-kernel width for pre-packed products, or 0 where none runs natively (then callers take the
    /// general <see cref="Gemm.Product(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>):
    /// follows <see cref="Gemm.UseKernel"/> and <see cref="Gemm.Width"/> (the same kernel the general product
    /// would take), so that tests switching those run these products at each width too.
    /// </summary>
    public static int Width
        => !Gemm.UseKernel ? 0
         : Gemm.Width == 512 && Vector512.IsHardwareAccelerated ? 512
         : Gemm.Width >= 256 && Vector256.IsHardwareAccelerated && Fma.IsSupported ? 256
         : Vector128.IsHardwareAccelerated ? 128
         : 0;

    /// <summary>Rows of a packed A strip (MR) at <paramref name="width"/>.</summary>
    public static int Rows(int width) => width switch
    {
        512 => GemmKernel512.Rows,
        256 => GemmKernel256.Rows,
        _ => GemmKernel128.Rows,
    };

    /// <summary>Columns of a packed B strip (NR) at <paramref name="width"/>.</summary>
    public static int Cols(int width) => width switch
    {
        512 => GemmKernel512.Cols,
        256 => GemmKernel256.Cols,
        _ => GemmKernel128.Cols,
    };

    /// <summary>
    /// <paramref name="p"/> moved up to the next 64-byte boundary (at most <see cref="Slack"/> − 1 floats): the start
    /// for packed operands in a pinned buffer of <see cref="Slack"/> more floats than <see cref="ASize"/> or
    /// <see cref="BSize"/>.
    /// </summary>
    public static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    /// <summary>Floats of a packed A [M, K] at <paramref name="width"/>.</summary>
    public static long ASize(int width, int m, int k) => (long)RoundUp(m, Rows(width)) * k;

    /// <summary>Floats of a packed B [K, N] at <paramref name="width"/>.</summary>
    public static long BSize(int width, int k, int n) => (long)RoundUp(n, Cols(width)) * k;

    /// <summary>Packs op(A) [M, K] (stored [M, K], or [K, M] when <paramref name="transposed"/>) into <paramref name="dst"/>.</summary>
    public static void PackA(int width, float* a, int lda, bool transposed, int m, int k, float* dst)
        => GemmPack.A(a, lda, transposed, 0, m, 0, k, Rows(width), dst);

    /// <summary>Packs columns [j0, j0 + n) of op(B) [K, ·] (stored [K, ·], or [·, K] when <paramref name="transposed"/>).</summary>
    public static void PackB(int width, float* b, int ldb, bool transposed, int k, int j0, int n, float* dst)
        => GemmPack.B(b, ldb, transposed, 0, k, j0, n, Cols(width), dst);

    /// <summary>
    /// Packs op(A) [M, kc] (stored [M, kc], or [kc, M] when <paramref name="transposed"/>) as k steps
    /// [<paramref name="k0"/>, k0 + kc) of a packed A [M, <paramref name="k"/>] at <paramref name="dst"/>: several
    /// such blocks (e.g. one per sample) make one long-K operand for a single <see cref="Run"/>.
    /// </summary>
    public static void PackAPanel(int width, float* a, int lda, bool transposed, int m, int kc, int k0, int k, float* dst)
        => GemmPack.A(a, lda, transposed, 0, m, 0, kc, Rows(width), dst + (long)k0 * Rows(width), k);

    /// <summary>
    /// Packs op(B) [kc, N] (stored [kc, N], or [N, kc] when <paramref name="transposed"/>) as k steps
    /// [<paramref name="k0"/>, k0 + kc) of a packed B [<paramref name="k"/>, N] at <paramref name="dst"/> (see <see cref="PackAPanel"/>).
    /// </summary>
    public static void PackBPanel(int width, float* b, int ldb, bool transposed, int kc, int n, int k0, int k, float* dst)
        => GemmPack.B(b, ldb, transposed, 0, kc, 0, n, Cols(width), dst + (long)k0 * Cols(width), k);

    /// <summary>
    /// C[M, N] (+)= A · B from packed operands (C rows <paramref name="ldc"/> apart), then the epilogue (bias at
    /// C's row/column 0) on the finished values.
    /// </summary>
    public static void Run(int width, float* packedA, float* packedB, int m, int k, int n, float* c, int ldc, bool accumulate, in GemmEpilogue epilogue)
    {
        switch (width)
        {
            case 512:
                Run<GemmKernel512>(packedA, packedB, m, k, n, c, ldc, accumulate, epilogue);
                break;
            case 256:
                Run<GemmKernel256>(packedA, packedB, m, k, n, c, ldc, accumulate, epilogue);
                break;
            default:
                System.Diagnostics.Debug.Assert(((nint)packedA & 15) == 0 && ((nint)packedB & 15) == 0, "128-bit packed operands must be 16-byte aligned.");
                Run<GemmKernel128>(packedA, packedB, m, k, n, c, ldc, accumulate, epilogue);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TKernel>(float* packedA, float* packedB, int m, int k, int n, float* c, int ldc, bool accumulate, in GemmEpilogue epilogue)
        where TKernel : struct, IGemmKernel
    {
        int mr = TKernel.Rows, nr = TKernel.Cols;
        if (m == 0 || n == 0)
        {
            return;
        }

        float* tile = stackalloc float[mr * nr];
        var none = default(GemmEpilogue);
        if (k == 0)
        {
            // No k steps: C is 0 (or unchanged), then the epilogue.
            new Span<float>(tile, mr * nr).Clear();
            for (int jr = 0; jr < n; jr += nr)
            {
                for (int ir = 0; ir < m; ir += mr)
                {
                    epilogue.At(ir, jr).Merge(tile, nr, c + (long)ir * ldc + jr, ldc, Math.Min(mr, m - ir), Math.Min(nr, n - jr), accumulate);
                }
            }

            return;
        }

        int kBlocks = k <= MaxSingleKc ? 1 : (k + GemmBlocking.Kc - 1) / GemmBlocking.Kc;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        for (int pc = 0; pc < k; pc += kcMax)
        {
            int kc = Math.Min(kcMax, k - pc);
            bool add = accumulate || pc > 0;
            bool last = pc + kc == k;
            for (int jr = 0; jr < n; jr += nr)
            {
                int w = Math.Min(nr, n - jr);
                float* bStrip = packedB + (long)jr * k + (long)pc * nr;
                for (int ir = 0; ir < m; ir += mr)
                {
                    int h = Math.Min(mr, m - ir);
                    float* aStrip = packedA + (long)ir * k + (long)pc * mr;
                    float* cTile = c + (long)ir * ldc + jr;
                    if (h == mr && w == nr)
                    {
                        TKernel.Run(aStrip, bStrip, kc, cTile, ldc, add, last ? epilogue.At(ir, jr) : none);
                    }
                    else
                    {
                        TKernel.Run(aStrip, bStrip, kc, tile, nr, add: false, none);
                        (last ? epilogue.At(ir, jr) : none).Merge(tile, nr, cTile, ldc, h, w, add);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
