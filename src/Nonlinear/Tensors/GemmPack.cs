using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Packing for the blocked GEMM: copies a block of op(A) or op(B) into the order the micro-kernel reads it
/// (strips of <c>MR</c> rows of A, k-major; strips of <c>NR</c> columns of B, k-major), zero-padding partial strips so
/// that the micro-kernel always runs full width. Both read either storage order, so a transposed operand costs
/// no separate transpose pass.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into strips of <paramref name="mr"/> rows: strip s holds, for each p,
    /// the <paramref name="mr"/> values op(A)[i0 + s*mr + r, p] (rows past mc are zero). op(A)[i, p] is a[i*lda + p],
    /// or a[p*lda + i] when <paramref name="transposed"/>. Strips lie s·mr·<paramref name="ks"/> floats apart
    /// (<paramref name="ks"/> = 0 means kc): with ks &gt; kc the block fills k steps [0, kc) of strips that are ks deep,
    /// so that several blocks packed at dst + k0·mr build one panel of depth ks (a product over several samples).
    /// </summary>
    public static void A(float* a, int lda, bool transposed, int i0, int mc, int p0, int kc, int mr, float* dst, int ks = 0)
    {
        ks = ks == 0 ? kc : ks;
        for (int s = 0; s < mc; s += mr)
        {
            int h = Math.Min(mr, mc - s);
            float* d = dst + (long)s * ks;
            if (transposed)
            {
                // Each p contributes h contiguous floats of the stored [K, M] matrix.
                float* src = a + (long)p0 * lda + i0 + s;
                for (int p = 0; p < kc; p++, src += lda, d += mr)
                {
                    int r = 0;
                    if (h == 8 && mr == 8 && Vector256.IsHardwareAccelerated)
                    {
                        Vector256.Store(Vector256.Load(src), d);
                        continue;
                    }

                    if (h == 4 && mr == 4 && Vector128.IsHardwareAccelerated)
                    {
                        Vector128.Store(Vector128.Load(src), d);
                        continue;
                    }

                    for (; r < h; r++)
                    {
                        d[r] = src[r];
                    }

                    for (; r < mr; r++)
                    {
                        d[r] = 0;
                    }
                }
            }
            else if (h == 8 && mr == 8)
            {
                Transpose8(a + (long)(i0 + s) * lda + p0, lda, kc, d);
            }
            else if (h == 4 && mr == 4)
            {
                Transpose4(a + (long)(i0 + s) * lda + p0, lda, kc, d, 4);
            }
            else if (h == 6 && mr == 6 && Avx.IsSupported)
            {
                Transpose6(a + (long)(i0 + s) * lda + p0, lda, kc, d);
            }
            else
            {
                // Row r of the strip is contiguous in A: read along it, write with stride mr.
                for (int r = 0; r < mr; r++)
                {
                    float* dr = d + r;
                    if (r < h)
                    {
                        float* src = a + (long)(i0 + s + r) * lda + p0;
                        for (int p = 0; p < kc; p++)
                        {
                            dr[p * mr] = src[p];
                        }
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                        {
                            dr[p * mr] = 0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into strips of <paramref name="nr"/> columns: strip s holds, for each p,
    /// the <paramref name="nr"/> values op(B)[p, j0 + s*nr + j] (columns past nc are zero). op(B)[p, j] is b[p*ldb + j],
    /// or b[j*ldb + p] when <paramref name="transposed"/>. Strips lie s·nr·<paramref name="ks"/> floats apart
    /// (<paramref name="ks"/> = 0 means kc; see <see cref="A"/>).
    /// </summary>
    public static void B(float* b, int ldb, bool transposed, int p0, int kc, int j0, int nc, int nr, float* dst, int ks = 0)
    {
        ks = ks == 0 ? kc : ks;
        if (!transposed)
        {
            // Rows of B are contiguous: walk 8 rows at a time across all strips, so that reads stream along 8 rows
            // (a strip at a time would jump a whole row stride per 128 bytes read: one TLB miss each for wide B) and
            // each strip receives 8 consecutive packed rows.
            int full = nc / nr * nr;
            for (int pb = 0; pb < kc; pb += 8)
            {
                int pe = Math.Min(kc, pb + 8);
                for (int s = 0; s < full; s += nr)
                {
                    float* d = dst + (long)s * ks + (long)pb * nr;
                    float* src = b + (long)(p0 + pb) * ldb + j0 + s;
                    for (int p = pb; p < pe; p++, src += ldb, d += nr)
                    {
                        CopyStrip(src, d, nr);
                    }
                }
            }

            if (full < nc)
            {
                int w = nc - full;
                float* d = dst + (long)full * ks;
                float* src = b + (long)p0 * ldb + j0 + full;
                for (int p = 0; p < kc; p++, src += ldb, d += nr)
                {
                    int j = 0;
                    for (; j < w; j++)
                    {
                        d[j] = src[j];
                    }

                    for (; j < nr; j++)
                    {
                        d[j] = 0;
                    }
                }
            }

            return;
        }

        for (int s = 0; s < nc; s += nr)
        {
            int w = Math.Min(nr, nc - s);
            float* d = dst + (long)s * ks;
            // Column j of op(B) is row j of the stored [N, K] matrix: 8 of them at a time through an 8x8 transpose
            // (AVX, NR a multiple of 8), else 4 at a time through a 4x4 one (the 128-bit kernel's NR = 12).
            int j = 0;
            if (Avx.IsSupported && nr % 8 == 0)
            {
                for (; j + 8 <= w; j += 8)
                {
                    Transpose8(b + (long)(j0 + s + j) * ldb + p0, ldb, kc, d + j, nr);
                }
            }

            for (; j + 4 <= w; j += 4)
            {
                Transpose4(b + (long)(j0 + s + j) * ldb + p0, ldb, kc, d + j, nr);
            }

            for (; j < nr; j++)
            {
                float* dj = d + j;
                if (j < w)
                {
                    float* src = b + (long)(j0 + s + j) * ldb + p0;
                    for (int p = 0; p < kc; p++)
                    {
                        dj[p * nr] = src[p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        dj[p * nr] = 0;
                    }
                }
            }
        }
    }

    /// <summary>dst[0 .. nr) = src[0 .. nr) for NR a multiple of 4: one k step of a B strip.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyStrip(float* src, float* dst, int nr)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= nr; j += 8)
            {
                Vector256.Store(Vector256.Load(src + j), dst + j);
            }
        }

        for (; j < nr; j += 4)
        {
            Vector128.Store(Vector128.Load(src + j), dst + j);
        }
    }

    /// <summary>
    /// dst[p*stride + r] = src[r*ld + p] for 4 rows r and kc columns p, 4x4 blocks in registers where SSE is
    /// available (elsewhere, ARM64 included, element by element).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose4(float* src, int ld, int kc, float* dst, int stride)
    {
        int p = 0;
        if (Sse.IsSupported)
        {
            for (; p + 4 <= kc; p += 4)
            {
                float* s = src + p;
                var r0 = Vector128.Load(s);
                var r1 = Vector128.Load(s + ld);
                var r2 = Vector128.Load(s + 2 * ld);
                var r3 = Vector128.Load(s + 3 * ld);
                var t0 = Sse.UnpackLow(r0, r1); // r0[0] r1[0] r0[1] r1[1]
                var t1 = Sse.UnpackLow(r2, r3); // r2[0] r3[0] r2[1] r3[1]
                var t2 = Sse.UnpackHigh(r0, r1); // r0[2] r1[2] r0[3] r1[3]
                var t3 = Sse.UnpackHigh(r2, r3); // r2[2] r3[2] r2[3] r3[3]
                float* d = dst + (long)p * stride;
                Sse.MoveLowToHigh(t0, t1).Store(d); // r0[0] r1[0] r2[0] r3[0]
                Sse.MoveHighToLow(t1, t0).Store(d + stride); // r0[1] r1[1] r2[1] r3[1]
                Sse.MoveLowToHigh(t2, t3).Store(d + 2 * stride);
                Sse.MoveHighToLow(t3, t2).Store(d + 3 * stride);
            }
        }

        for (; p < kc; p++)
        {
            float* d = dst + (long)p * stride;
            d[0] = src[p];
            d[1] = src[ld + p];
            d[2] = src[2L * ld + p];
            d[3] = src[3L * ld + p];
        }
    }

    /// <summary>
    /// dst[p*6 + r] = src[r*ld + p] for 6 rows r and kc columns p (a 6-row strip of the AVX2 kernel, transposed): 8
    /// columns at a time through the 8x8 transpose with two zero rows; each column's 8-float store spills 2 zeros
    /// into the next column's place, which the next store overwrites (the 8th column of a block is stored as 4 + 2
    /// floats, so nothing is written past column kc − 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose6(float* src, int ld, int kc, float* dst)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
        {
            float* s = src + p;
            var r0 = Vector256.Load(s);
            var r1 = Vector256.Load(s + ld);
            var r2 = Vector256.Load(s + 2 * ld);
            var r3 = Vector256.Load(s + 3 * ld);
            var r4 = Vector256.Load(s + 4 * ld);
            var r5 = Vector256.Load(s + 5 * ld);
            var r6 = Vector256<float>.Zero;
            var r7 = Vector256<float>.Zero;
            Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
            float* d = dst + (long)p * 6;
            r0.Store(d);
            r1.Store(d + 6);
            r2.Store(d + 12);
            r3.Store(d + 18);
            r4.Store(d + 24);
            r5.Store(d + 30);
            r6.Store(d + 36);
            r7.GetLower().Store(d + 42);
            d[46] = r7.GetElement(4);
            d[47] = r7.GetElement(5);
        }

        for (; p < kc; p++)
        {
            float* d = dst + (long)p * 6;
            for (int r = 0; r < 6; r++)
            {
                d[r] = src[(long)r * ld + p];
            }
        }
    }

    /// <summary>dst[p*8 + r] = src[r*ld + p] for 8 rows r and kc columns p (an 8-row strip, transposed).</summary>
    private static void Transpose8(float* src, int ld, int kc, float* dst) => Transpose8(src, ld, kc, dst, 8);

    /// <summary>dst[p*stride + r] = src[r*ld + p] for 8 rows r and kc columns p, 8x8 blocks in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8(float* src, int ld, int kc, float* dst, int stride)
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            for (; p + 8 <= kc; p += 8)
            {
                float* s = src + p;
                var r0 = Vector256.Load(s);
                var r1 = Vector256.Load(s + ld);
                var r2 = Vector256.Load(s + 2 * ld);
                var r3 = Vector256.Load(s + 3 * ld);
                var r4 = Vector256.Load(s + 4 * ld);
                var r5 = Vector256.Load(s + 5 * ld);
                var r6 = Vector256.Load(s + 6 * ld);
                var r7 = Vector256.Load(s + 7 * ld);
                Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                float* d = dst + (long)p * stride;
                r0.Store(d);
                r1.Store(d + stride);
                r2.Store(d + 2 * stride);
                r3.Store(d + 3 * stride);
                r4.Store(d + 4 * stride);
                r5.Store(d + 5 * stride);
                r6.Store(d + 6 * stride);
                r7.Store(d + 7 * stride);
            }
        }

        for (; p < kc; p++)
        {
            float* d = dst + (long)p * stride;
            for (int r = 0; r < 8; r++)
            {
                d[r] = src[(long)r * ld + p];
            }
        }
    }

    /// <summary>The classic AVX 8x8 float transpose: unpack pairs, shuffle quads, swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
                                     ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
