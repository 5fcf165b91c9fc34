using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// The per-(sample, head) products of scaled dot-product attention, on one thread, reading each head in place from
/// the packed projections (rows with a leading dimension, no split or merge copies): scores S = A Bᵀ (rows of A
/// dotted with rows of B) and row combinations C = W M / C = Wᵀ M of a [T, T] weight matrix W with [T, d_k] rows M.
/// </summary>
/// <remarks>
/// <para>Why not <c>Gemm</c>: at T = 23, d_k = 16 every tile of the blocked GEMM (8 x 32 micro-kernel) is partial, so
/// each of the N·h tiny products paid packing plus a scalar merge of a scratch tile. These loops keep 16 outputs of
/// a row of S (or of C) in registers (one 512-bit, two 256-bit or four 128-bit vectors, at
/// <see cref="Elementwise.Width"/>) and sum every output in the same order as a GEMM: one multiply-add per k step,
/// k ascending. With <c>causal</c>, entries above the diagonal are neither computed nor read: P is exactly 0 there,
/// so skipping them only drops terms 0 · v, and a non-finite value at a later position cannot reach an earlier
/// one.</para>
/// <para>Every output is one chain of <see cref="ISimd{TSelf}.MultiplyAddEstimate"/> (fused where the hardware has
/// an FMA), whichever width and lane it is computed in, so where the hardware has an FMA (AVX2, AVX-512, ARM64)
/// all widths give the same bits. On x86 without FMA (SSE only) the 128-bit path multiplies then adds: an exact
/// FMA would be emulated at ~20 instructions per pair of lanes.</para>
/// </remarks>
internal static unsafe class AttentionKernel
{
    /// <summary>Row length of the transposed scratch: T rounded up to whole 16-float blocks (any width's vectors).</summary>
    public static int Padded(int t) => (t + 15) & ~15;

    /// <summary>
    /// a · b + c fused where the hardware has an FMA instruction (FMA3, ARM64), else a multiply then an add: the
    /// scalar twin of <see cref="V128.MultiplyAddEstimate"/>, for remainders, so that an output gets the same bits
    /// whether a vector or the scalar loop computes it at the machine's own width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MultiplyAddEstimate(float a, float b, float c)
        => Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>
    /// S[i, j] = scale · Σ_p a[i, p] b[j, p] for j &lt; T (j ≤ i when <paramref name="causal"/>; the other entries get
    /// <paramref name="masked"/>). a and b are [T, dk] with leading dimensions; s is [T, T] contiguous.
    /// <paramref name="bt"/> is scratch of dk · <see cref="Padded"/>(T) floats, <paramref name="row"/> of Padded(T).
    /// </summary>
    public static void Scores(float* a, int lda, float* b, int ldb, float* s, int t, int dk, float scale, bool causal, float masked, float* bt, float* row)
    {
        switch (Elementwise.Width)
        {
            case 512:
                Scores<V512>(a, lda, b, ldb, s, t, dk, scale, causal, masked, bt, row);
                break;
            case 256:
                Scores<V256>(a, lda, b, ldb, s, t, dk, scale, causal, masked, bt, row);
                break;
            default:
                Scores<V128>(a, lda, b, ldb, s, t, dk, scale, causal, masked, bt, row);
                break;
        }
    }

    /// <summary>
    /// C[i, :] = scale · Σ_j W[i, j] M[j, :] (j ≤ i when causal), or with <paramref name="transposeW"/>
    /// C[j, :] = scale · Σ_i W[i, j] M[i, :] (i ≥ j when causal). W is [T, T] contiguous; M and C are [T, dk] with
    /// leading dimensions. C is overwritten.
    /// </summary>
    public static void Combine(float* w, bool transposeW, float* m, int ldm, float* c, int ldc, int t, int dk, float scale, bool causal)
    {
        switch (Elementwise.Width)
        {
            case 512:
                Combine<V512>(w, transposeW, m, ldm, c, ldc, t, dk, scale, causal);
                break;
            case 256:
                Combine<V256>(w, transposeW, m, ldm, c, ldc, t, dk, scale, causal);
                break;
            default:
                Combine<V128>(w, transposeW, m, ldm, c, ldc, t, dk, scale, causal);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scores<T>(float* a, int lda, float* b, int ldb, float* s, int t, int dk, float scale, bool causal, float masked, float* bt, float* row)
        where T : struct, ISimd<T>
    {
        int tp = Padded(t), n = T.Count;
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
                // 16 columns: one to four vectors by width (the conditions on T.Count fold away).
                T s0 = default, s1 = default, s2 = default, s3 = default;
                float* bp = bt + j0;
                for (int p = 0; p < dk; p++, bp += tp)
                {
                    var x = T.Create(ai[p]);
                    s0 = T.MultiplyAddEstimate(x, T.Load(ref bp[0]), s0);
                    if (n <= 8)
                    {
                        s1 = T.MultiplyAddEstimate(x, T.Load(ref bp[n]), s1);
                    }

                    if (n == 4)
                    {
                        s2 = T.MultiplyAddEstimate(x, T.Load(ref bp[8]), s2);
                        s3 = T.MultiplyAddEstimate(x, T.Load(ref bp[12]), s3);
                    }
                }

                T.Store(s0, ref row[j0]);
                if (n <= 8)
                {
                    T.Store(s1, ref row[j0 + n]);
                }

                if (n == 4)
                {
                    T.Store(s2, ref row[j0 + 8]);
                    T.Store(s3, ref row[j0 + 12]);
                }
            }

            // The rest in single vectors: Bᵀ's rows are zero-padded to a multiple of 16 >= cols.
            for (; j0 < cols; j0 += n)
            {
                T s0 = default;
                float* bp = bt + j0;
                for (int p = 0; p < dk; p++, bp += tp)
                {
                    s0 = T.MultiplyAddEstimate(T.Create(ai[p]), T.Load(ref bp[0]), s0);
                }

                T.Store(s0, ref row[j0]);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine<T>(float* w, bool transposeW, float* m, int ldm, float* c, int ldc, int t, int dk, float scale, bool causal)
        where T : struct, ISimd<T>
    {
        int n = T.Count;
        var vscale = T.Create(scale);
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
                T s0 = default, s1 = default, s2 = default, s3 = default;
                for (int u = first; u < last; u++)
                {
                    var x = T.Create(wi[u * step]);
                    float* mu = m + (long)u * ldm + c0;
                    s0 = T.MultiplyAddEstimate(x, T.Load(ref mu[0]), s0);
                    if (n <= 8)
                    {
                        s1 = T.MultiplyAddEstimate(x, T.Load(ref mu[n]), s1);
                    }

                    if (n == 4)
                    {
                        s2 = T.MultiplyAddEstimate(x, T.Load(ref mu[8]), s2);
                        s3 = T.MultiplyAddEstimate(x, T.Load(ref mu[12]), s3);
                    }
                }

                T.Store(s0 * vscale, ref ci[c0]);
                if (n <= 8)
                {
                    T.Store(s1 * vscale, ref ci[c0 + n]);
                }

                if (n == 4)
                {
                    T.Store(s2 * vscale, ref ci[c0 + 8]);
                    T.Store(s3 * vscale, ref ci[c0 + 12]);
                }
            }

            for (; c0 + n <= dk; c0 += n)
            {
                T s0 = default;
                for (int u = first; u < last; u++)
                {
                    s0 = T.MultiplyAddEstimate(T.Create(wi[u * step]), T.Load(ref m[(long)u * ldm + c0]), s0);
                }

                T.Store(s0 * vscale, ref ci[c0]);
            }

            for (; c0 < dk; c0++)
            {
                float s0 = 0f;
                for (int u = first; u < last; u++)
                {
                    s0 = MultiplyAddEstimate(wi[u * step], m[(long)u * ldm + c0], s0);
                }

                ci[c0] = s0 * scale;
            }
        }
    }
}
