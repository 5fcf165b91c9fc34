using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// The per-(sample, head) products of scaled dot-product attention, on one thread, reading each head in place from
/// the packed projections (rows with a leading dimension, no split or merge copies): scores S = A Bᵀ (rows of A
/// dotted with rows of B) and row combinations C = W M / C = Wᵀ M of a [T, T] weight matrix W with [T, d_k] rows M.
/// </summary>
/// <remarks>
/// Why not <c>Gemm</c>: at T = 23, d_k = 16 every tile of the blocked GEMM (8 x 32 micro-kernel) is partial, so each of
/// the N·h tiny products paid packing plus a scalar merge of a scratch tile. These loops keep a row of S (or of C)
/// in 256-bit registers and sum in the same order as a GEMM (one fused multiply-add per k step). With
/// <c>causal</c>, entries above the diagonal are neither computed nor read: P is exactly 0 there, so skipping
/// them only drops terms 0 · v, and a non-finite value at a later position cannot reach an earlier one.
/// </remarks>
internal static unsafe class AttentionKernel
{
    /// <summary>Row length of the transposed scratch: T rounded up to whole 8-float vectors.</summary>
    public static int Padded(int t) => (t + 7) & ~7;

    /// <summary>
    /// S[i, j] = scale · Σ_p a[i, p] b[j, p] for j &lt; T (j ≤ i when <paramref name="causal"/>; the other entries get
    /// <paramref name="masked"/>). a and b are [T, dk] with leading dimensions; s is [T, T] contiguous.
    /// <paramref name="bt"/> is scratch of dk · <see cref="Padded"/>(T) floats, <paramref name="row"/> of Padded(T).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores(float* a, int lda, float* b, int ldb, float* s, int t, int dk, float scale, bool causal, float masked, float* bt, float* row)
    {
        int tp = Padded(t);
        // Bᵀ [dk, tp], zero-padded: row p holds column p of B, so that a row of S is a sum of scaled rows of Bᵀ.
        for (int p = 0; p < dk; p++)
        {
            float* dst = bt + (long)p * tp;
            for (int j = 0; j < t; j++)
            {
                dst[j] = b[(long)j * ldb + p];
            }

            for (int j = t; j < tp; j++)
            {
                dst[j] = 0f;
            }
        }

        for (int i = 0; i < t; i++)
        {
            float* ai = a + (long)i * lda;
            int cols = causal ? i + 1 : t;
            int j0 = 0;
            for (; j0 + 16 <= cols; j0 += 16)
            {
                Vector256<float> s0 = default, s1 = default;
                float* bp = bt + j0;
                for (int p = 0; p < dk; p++, bp += tp)
                {
                    var x = Vector256.Create(ai[p]);
                    s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp), s0);
                    s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(bp + 8), s1);
                }

                s0.Store(row + j0);
                s1.Store(row + j0 + 8);
            }

            for (; j0 < cols; j0 += 8)
            {
                Vector256<float> s0 = default;
                float* bp = bt + j0;
                for (int p = 0; p < dk; p++, bp += tp)
                {
                    s0 = Vector256.FusedMultiplyAdd(Vector256.Create(ai[p]), Vector256.Load(bp), s0);
                }

                s0.Store(row + j0);
            }

            float* si = s + (long)i * t;
            int j = 0;
            if (scale == 1f)
            {
                for (; j < cols; j++)
                {
                    si[j] = row[j];
                }
            }
            else
            {
                for (; j < cols; j++)
                {
                    si[j] = row[j] * scale;
                }
            }

            for (; j < t; j++)
            {
                si[j] = masked;
            }
        }
    }

    /// <summary>
    /// C[i, :] = scale · Σ_j W[i, j] M[j, :] (j ≤ i when causal), or with <paramref name="transposeW"/>
    /// C[j, :] = scale · Σ_i W[i, j] M[i, :] (i ≥ j when causal). W is [T, T] contiguous; M and C are [T, dk] with
    /// leading dimensions. C is overwritten.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Combine(float* w, bool transposeW, float* m, int ldm, float* c, int ldc, int t, int dk, float scale, bool causal)
    {
        var vscale = Vector256.Create(scale);
        for (int i = 0; i < t; i++)
        {
            // Output row i sums over u in [first, last) with weight W[i, u] (or W[u, i] when transposed).
            int first = causal && transposeW ? i : 0;
            int last = causal && !transposeW ? i + 1 : t;
            float* wi = transposeW ? w + i : w + (long)i * t;
            long step = transposeW ? t : 1;
            float* ci = c + (long)i * ldc;
            int c0 = 0;
            for (; c0 + 16 <= dk; c0 += 16)
            {
                Vector256<float> s0 = default, s1 = default;
                for (int u = first; u < last; u++)
                {
                    var x = Vector256.Create(wi[u * step]);
                    float* mu = m + (long)u * ldm + c0;
                    s0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(mu), s0);
                    s1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(mu + 8), s1);
                }

                (s0 * vscale).Store(ci + c0);
                (s1 * vscale).Store(ci + c0 + 8);
            }

            for (; c0 + 8 <= dk; c0 += 8)
            {
                Vector256<float> s0 = default;
                for (int u = first; u < last; u++)
                {
                    s0 = Vector256.FusedMultiplyAdd(Vector256.Create(wi[u * step]), Vector256.Load(m + (long)u * ldm + c0), s0);
                }

                (s0 * vscale).Store(ci + c0);
            }

            for (; c0 < dk; c0++)
            {
                float s0 = 0f;
                for (int u = first; u < last; u++)
                {
                    s0 = MathF.FusedMultiplyAdd(wi[u * step], m[(long)u * ldm + c0], s0);
                }

                ci[c0] = s0 * scale;
            }
        }
    }
}
