using System.Runtime.CompilerServices;

namespace Nonlinear.Tensors;

/// <summary>
/// The cache-blocked GEMM driver (Goto / BLIS loop order) over a micro-kernel <typeparamref name="TKernel"/>:
/// C[M, N] (+)= op(A)[M, K] op(B)[K, N] with leading dimensions, on the calling thread.
/// </summary>
/// <remarks>
/// Loops, outermost first: columns of C in blocks of NC (<see cref="IGemmKernel.Nc"/>, per kernel: <see cref="GemmBlocking"/>);
/// k in blocks of KC, packing that KC x NC panel of op(B) (L3-resident) into NR-wide strips; rows in
/// blocks of MC, packing that MC x KC block of op(A) (L2-resident) into MR-row strips;
/// then every NR strip of B (one KC x NR strip, L1-resident, is reused across the whole MC block) against every MR
/// strip of A through the micro-kernel. Partial strips are zero-padded by packing, so the micro-kernel always
/// runs full width; a partial tile is computed into a scratch tile and only its valid part is merged into C.
/// A caller may pass all of op(B) already packed (<c>packedB</c>, see <see cref="Run"/>): the threads of a row split
/// then share one packing instead of each packing all of op(B); the blocks, kernel calls and so the results are the same.
/// </remarks>
internal static unsafe class GemmBlocked<TKernel>
    where TKernel : struct, IGemmKernel
{
    /// <summary>
    /// C (+)= op(A) op(B), then the epilogue. <paramref name="packedB"/>: null (op(B) is packed here, a KC x NC panel
    /// at a time), or op(B)[0 .. k, 0 .. n] already packed whole by <see cref="GemmPack.B"/> with p0 = 0, kc = k and
    /// this kernel's NR (strip s at s·NR·k, 64-byte aligned), which is then read in place (<paramref name="b"/> unused).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, float* c, int ldc,
                           int m, int k, int n, bool accumulate, in GemmEpilogue epilogue, float* packedB = null)
    {
        float* shared = packedB;
        int mr = TKernel.Rows, nr = TKernel.Cols;
        // K in equal blocks of at most KC (a last block of a few steps would pay a whole C tile load and store for little work).
        int kBlocks = Math.Max(1, (k + TKernel.Kc - 1) / TKernel.Kc);
        int kcMax = (k + kBlocks - 1) / kBlocks, mcMax = Math.Max(mr, TKernel.Mc / mr * mr), ncMax = Math.Max(nr, TKernel.Nc / nr * nr);
        var buffers = GemmBuffers.ForThisThread;
        if (shared == null)
        {
            packedB = buffers.B((long)Math.Min(kcMax, k) * RoundUp(Math.Min(ncMax, n), nr));
        }

        float* packedA = buffers.A((long)Math.Min(kcMax, k) * RoundUp(Math.Min(mcMax, m), mr));
        float* tile = stackalloc float[mr * nr];
        var none = default(GemmEpilogue);
        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                bool add = accumulate || pc > 0;
                bool last = pc + kc == k;
                if (shared == null)
                {
                    GemmPack.B(b, ldb, transposeB, pc, kc, jc, nc, nr, packedB);
                }

                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    GemmPack.A(a, lda, transposeA, ic, mc, pc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int w = Math.Min(nr, nc - jr);
                        // A shared packing holds whole-k strips: this block's kc steps start pc steps into strip jc + jr.
                        float* bStrip = shared == null ? packedB + (long)jr * kc : shared + (long)(jc + jr) * k + (long)pc * nr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int h = Math.Min(mr, mc - ir);
                            float* aStrip = packedA + (long)ir * kc;
                            float* cTile = c + (long)(ic + ir) * ldc + jc + jr;
                            if (h == mr && w == nr)
                            {
                                TKernel.Run(aStrip, bStrip, kc, cTile, ldc, add, last ? epilogue.At(ic + ir, jc + jr) : none);
                            }
                            else
                            {
                                TKernel.Run(aStrip, bStrip, kc, tile, nr, add: false, none);
                                (last ? epilogue.At(ic + ir, jc + jr) : none).Merge(tile, nr, cTile, ldc, h, w, add);
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;
}
