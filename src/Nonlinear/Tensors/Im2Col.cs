using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// The data movement of a 2-D convolution done as a matrix product: <see cref="Unfold"/> (im2col) lays out the
/// receptive fields of one image [C, H, W] as the columns of a matrix cols [C·k·k, OH·OW], so that the
/// convolution is W [F, C·k·k] · cols; <see cref="Fold"/> (col2im) is its adjoint, bringing a gradient with
/// respect to cols back onto the image, adding where receptive fields overlap.
/// </summary>
/// <remarks>
/// Index map: cols[(c·k + i)·k + j, y·OW + x] = image[c, y·s − p + i, x·s − p + j], zero where that falls into the
/// padding. For each row of cols and each output row y the valid x form one range, computed once, so the inner
/// loops have no bounds tests: at stride 1 they are contiguous copies (or vector adds) of whole runs.
/// </remarks>
internal static unsafe class Im2Col
{
    /// <summary>The output size of a convolution or pooling window along one dimension: (n + 2p − k) / s + 1, floored.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// cols (rows of <paramref name="rowStride"/> floats, the first OH·OW of each written) from one image
    /// [channels, height, width]; see the class remarks for the index map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unfold(float* image, int channels, int height, int width, int k, int stride, int pad, int outH, int outW, float* cols, long rowStride)
    {
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    float* dst = cols + ((long)(c * k + i) * k + j) * rowStride;
                    var (lo, hi) = ValidRange(j, stride, pad, width, outW);
                    int run = hi - lo;
                    for (int y = 0; y < outH; y++)
                    {
                        float* d = dst + (long)y * outW;
                        int iy = y * stride - pad + i;
                        if ((uint)iy >= (uint)height || run <= 0)
                        {
                            new Span<float>(d, outW).Clear();
                            continue;
                        }

                        if (lo > 0)
                        {
                            new Span<float>(d, lo).Clear();
                        }

                        if (hi < outW)
                        {
                            new Span<float>(d + hi, outW - hi).Clear();
                        }

                        float* src = plane + (long)iy * width + lo * stride - pad + j;
                        if (stride == 1)
                        {
                            // Measured: for runs of one output row (11 to 26 floats here) this is as fast as
                            // hand-written vector or masked copies; the loop around it costs more than the copy.
                            Buffer.MemoryCopy(src, d + lo, run * sizeof(float), run * sizeof(float));
                        }
                        else
                        {
                            float* o = d + lo;
                            for (int x = 0; x < run; x++)
                            {
                                o[x] = src[x * stride];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Columns [q0, q1) of cols (see the class remarks) written straight in the blocked GEMM's packed-B layout
    /// (<see cref="GemmPacked"/>): strips of <paramref name="nr"/> columns, strip s at s·nr·C·k·k, each row of cols
    /// nr consecutive floats; lanes past q1 in the last strip are zero. This replaces unfolding into cols and then
    /// packing cols (one pass over the data instead of two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnfoldPacked(float* image, int channels, int height, int width, int k, int stride, int pad, int outH, int outW,
                                    int q0, int q1, int nr, float* dst)
    {
        _ = outH;
        int patch = channels * k * k;
        long stripSize = (long)patch * nr;
        int count = q1 - q0;
        if (count <= 0)
        {
            return;
        }

        int strips = (count + nr - 1) / nr, tail = strips * nr - count;
        if (tail > 0)
        {
            float* last = dst + (strips - 1) * stripSize + (nr - tail);
            for (int r = 0; r < patch; r++)
            {
                new Span<float>(last + (long)r * nr, tail).Clear();
            }
        }

        int y0 = q0 / outW, y1 = (q1 - 1) / outW;
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    float* row = dst + (long)((c * k + i) * k + j) * nr;
                    var (lo, hi) = ValidRange(j, stride, pad, width, outW);
                    int s = 0, lane = 0;
                    for (int y = y0; y <= y1; y++)
                    {
                        int rowStart = y * outW;
                        int xa = Math.Max(0, q0 - rowStart), xb = Math.Min(outW, q1 - rowStart);
                        int iy = y * stride - pad + i;
                        bool valid = (uint)iy < (uint)height && hi > lo;
                        float* src = valid ? plane + (long)iy * width - pad + j : null;
                        for (int x = xa; x < xb;)
                        {
                            int seg = Math.Min(xb - x, nr - lane);
                            Segment(row + s * stripSize + lane, src, x, x + seg, lo, hi, stride);
                            x += seg;
                            lane += seg;
                            if (lane == nr)
                            {
                                lane = 0;
                                s++;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether unfolding reads the image through a <see cref="GatherTable"/> (default; tests switch it off to check
    /// the copying path): AVX2 gathers where AVX2 is supported (and strips are a multiple of 8 wide), otherwise one
    /// scalar load per float through the same table. Per-row copies cost a few ns each whatever their length, and
    /// the runs here are short (one output row: 11 floats for the reference CNN's second layer), so gathering whole
    /// vectors measured 3-4x faster, and the scalar table walk (no per-run call, no bounds arithmetic) faster too
    /// (see the conv-layers benchmark's im2col line at DOTNET_EnableAVX=0).
    /// </summary>
    internal static bool UseGather { get; set; } = true;

    /// <summary>
    /// The padded row length of a <see cref="GatherTable"/> for <paramref name="pixels"/> output pixels: room for
    /// every strip width the GEMM kernels use (8, 12, 16, 32) to read whole strips past the last pixel.
    /// </summary>
    public static int GatherPixels(int pixels) => (pixels + 31) / 32 * 32 + 32;

    /// <summary>
    /// For each kernel offset (i, j) (row i·k + j of the table) and each output pixel q = y·OW + x in
    /// [0, <paramref name="paddedPixels"/>): the offset (y·s − p + i)·W + x·s − p + j of its input inside a channel
    /// plane, or −1 where that falls into the padding or q ≥ OH·OW. Pinned, built once per layer shape.
    /// </summary>
    public static int[] GatherTable(int height, int width, int k, int stride, int pad, int outH, int outW, int paddedPixels)
    {
        var table = GC.AllocateArray<int>(k * k * paddedPixels, pinned: true);
        int pixels = outH * outW;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                var row = table.AsSpan((i * k + j) * paddedPixels, paddedPixels);
                for (int q = 0; q < paddedPixels; q++)
                {
                    int y = q / outW, x = q - q / outW * outW;
                    int iy = y * stride - pad + i, ix = x * stride - pad + j;
                    row[q] = q < pixels && (uint)iy < (uint)height && (uint)ix < (uint)width ? iy * width + ix : -1;
                }
            }
        }

        return table;
    }

    /// <summary>
    /// <see cref="UnfoldPacked"/> through <paramref name="table"/> (<see cref="GatherTable"/>, row length
    /// <paramref name="paddedPixels"/> from <see cref="GatherPixels"/>): columns [q0, q1) of cols in packed-B strips
    /// of <paramref name="nr"/>; q0 is a multiple of nr, and q1 is too unless it is OH·OW (the table's lanes past
    /// OH·OW are −1, so the last strip's padding lanes come out zero). AVX2 gathers when AVX2 is supported and nr is
    /// a multiple of 8, otherwise scalar loads through the table (the same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnfoldPackedGather(float* image, int channels, int planeSize, int kk, int* table, int paddedPixels, int q0, int q1, int nr, float* dst)
    {
        long stripSize = (long)channels * kk * nr;
        if (!Avx2.IsSupported || nr % 8 != 0)
        {
            for (int qs = q0, s = 0; qs < q1; qs += nr, s++)
            {
                float* d = dst + s * stripSize;
                float* plane = image;
                for (int c = 0; c < channels; c++, plane += planeSize)
                {
                    for (int ij = 0; ij < kk; ij++, d += nr)
                    {
                        int* idx = table + (long)ij * paddedPixels + qs;
                        for (int v = 0; v < nr; v++)
                        {
                            int o = idx[v];
                            d[v] = o >= 0 ? plane[o] : 0f;
                        }
                    }
                }
            }

            return;
        }

        var zero = Vector256<float>.Zero;
        var none = Vector256<int>.Zero;
        for (int qs = q0, s = 0; qs < q1; qs += nr, s++)
        {
            float* strip = dst + s * stripSize;
            for (int ij = 0; ij < kk; ij++)
            {
                int* idx = table + (long)ij * paddedPixels + qs;
                for (int v = 0; v < nr; v += 8)
                {
                    var index = Vector256.Load(idx + v);
                    var mask = Vector256.GreaterThanOrEqual(index, none).AsSingle();
                    float* d = strip + (long)ij * nr + v;
                    float* plane = image;
                    for (int c = 0; c < channels; c++, plane += planeSize, d += kk * nr)
                    {
                        Avx2.GatherMaskVector256(zero, plane, index, mask, 4).Store(d);
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="Unfold"/> (rows of exactly OH·OW = <paramref name="pixels"/> floats) through <paramref name="table"/>
    /// (<see cref="GatherTable"/>): AVX2 gathers where supported, scalar loads through the table otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnfoldGather(float* image, int channels, int planeSize, int kk, int* table, int paddedPixels, int pixels, float* cols)
    {
        if (!Avx2.IsSupported)
        {
            // One scalar load per float through the table (no AVX2 gathers): the same values.
            float* d = cols;
            float* plane = image;
            for (int c = 0; c < channels; c++, plane += planeSize)
            {
                for (int ij = 0; ij < kk; ij++, d += pixels)
                {
                    int* idx = table + (long)ij * paddedPixels;
                    for (int q = 0; q < pixels; q++)
                    {
                        int o = idx[q];
                        d[q] = o >= 0 ? plane[o] : 0f;
                    }
                }
            }

            return;
        }

        var zero = Vector256<float>.Zero;
        var none = Vector256<int>.Zero;
        int full = pixels / 8 * 8;
        var tail = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(pixels - full)).AsSingle();
        for (int ij = 0; ij < kk; ij++)
        {
            int* idx = table + (long)ij * paddedPixels;
            for (int q = 0; q < pixels; q += 8)
            {
                var index = Vector256.Load(idx + q);
                var mask = Vector256.GreaterThanOrEqual(index, none).AsSingle();
                float* d = cols + (long)ij * pixels + q;
                float* plane = image;
                for (int c = 0; c < channels; c++, plane += planeSize, d += (long)kk * pixels)
                {
                    var g = Avx2.GatherMaskVector256(zero, plane, index, mask, 4);
                    if (q < full)
                    {
                        g.Store(d);
                    }
                    else
                    {
                        Avx.MaskStore(d, tail, g);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The unfolds on spans (for callers without pointers, e.g. tests): <paramref name="nr"/> 0 writes plain cols
    /// [C·k·k, OH·OW] (columns [0, OH·OW), <paramref name="q0"/> must be 0), otherwise packed-B strips of columns
    /// [q0, OH·OW); <paramref name="gather"/> picks the gather path (through a fresh <see cref="GatherTable"/>).
    /// </summary>
    public static void UnfoldSpan(ReadOnlySpan<float> image, int channels, int height, int width, int k, int stride, int pad, int q0, int nr, bool gather, Span<float> dst)
    {
        int outH = OutputSize(height, k, stride, pad), outW = OutputSize(width, k, stride, pad), pixels = outH * outW;
        int padded = GatherPixels(pixels);
        long need = nr == 0 ? (long)channels * k * k * pixels : (long)(pixels - q0 + nr - 1) / nr * nr * channels * k * k;
        if (image.Length != channels * height * width || dst.Length != need || (nr == 0 && q0 != 0))
        {
            throw new ArgumentException("image, cols or the options do not match the convolution's shape.");
        }

        var table = gather ? GatherTable(height, width, k, stride, pad, outH, outW, padded) : [];
        fixed (float* pi = image, pd = dst)
        fixed (int* pt = table)
        {
            switch ((nr == 0, gather))
            {
                case (true, false):
                    Unfold(pi, channels, height, width, k, stride, pad, outH, outW, pd, pixels);
                    break;
                case (true, true):
                    UnfoldGather(pi, channels, height * width, k * k, pt, padded, pixels, pd);
                    break;
                case (false, false):
                    UnfoldPacked(pi, channels, height, width, k, stride, pad, outH, outW, q0, pixels, nr, pd);
                    break;
                default:
                    UnfoldPackedGather(pi, channels, height * width, k * k, pt, padded, q0, pixels, nr, pd);
                    break;
            }
        }
    }

    /// <summary>d[x − xs] = src[x·stride] for x in [xs, xe) ∩ [lo, hi), zero elsewhere (everywhere when src is null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Segment(float* d, float* src, int xs, int xe, int lo, int hi, int stride)
    {
        if (src == null)
        {
            new Span<float>(d, xe - xs).Clear();
            return;
        }

        int a = Math.Clamp(lo, xs, xe), b = Math.Clamp(hi, a, xe);
        for (int x = xs; x < a; x++)
        {
            d[x - xs] = 0;
        }

        if (stride == 1)
        {
            Buffer.MemoryCopy(src + a, d + (a - xs), (b - a) * sizeof(float), (b - a) * sizeof(float));
        }
        else
        {
            float* o = d + (a - xs);
            for (int x = a; x < b; x++)
            {
                o[x - a] = src[x * stride];
            }
        }

        for (int x = b; x < xe; x++)
        {
            d[x - xs] = 0;
        }
    }

    /// <summary>
    /// The vector width of stride-1 folding (col2im): 512 (masked AVX-512 gather), 256 or 128 (portable Vector256 /
    /// Vector128 gather), or 0 (the scalar scatter). Default: the widest accelerated; tests switch it to check every
    /// path, which give the same bits.
    /// </summary>
    internal static int Width { get; set; } = DefaultWidth;

    /// <summary>The widest accelerated vector width of this machine (0 where no vectors are accelerated).</summary>
    internal static int DefaultWidth
        => Avx512F.IsSupported ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>
    /// image[c, r, t] = Σ over (i, j, y, x) with y·s − p + i = r and x·s − p + j = t of cols[(c·k + i)·k + j, y·OW + x]:
    /// the adjoint of <see cref="Unfold"/> (col2im), overwriting <paramref name="image"/>. Each pixel sums its
    /// contributions in (i, j) order on either path, so both give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fold(float* cols, long rowStride, int channels, int height, int width, int k, int stride, int pad, int outH, int outW, float* image)
    {
        if (stride == 1 && Width != 0)
        {
            switch (Width)
            {
                case 512 when Avx512F.IsSupported:
                    FoldGather(cols, rowStride, channels, height, width, k, pad, outH, outW, image);
                    return;
                case 256 or 512:
                    FoldGather256(cols, rowStride, channels, height, width, k, pad, outH, outW, image);
                    return;
                default:
                    FoldGather128(cols, rowStride, channels, height, width, k, pad, outH, outW, image);
                    return;
            }
        }

        new Span<float>(image, channels * height * width).Clear();
        FoldAdd(cols, rowStride, channels, height, width, k, stride, pad, outH, outW, image);
    }

    /// <summary>
    /// Stride-1 col2im as a gather: each chunk of 16 pixels of an image row is summed in one register from the k²
    /// shifted runs that cover it (masked loads: lanes outside the run or the image are neither read nor added),
    /// then stored once. The scatter form read, added and wrote every pixel k² times, one short run at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldGather(float* cols, long rowStride, int channels, int height, int width, int k, int pad, int outH, int outW, float* image)
    {
        var zero = Vector512<float>.Zero;
        var limit = Vector512.Create(outW);
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int r = 0; r < height; r++)
            {
                float* row = plane + (long)r * width;
                for (int t0 = 0; t0 < width; t0 += 16)
                {
                    var columns = Vector512<int>.Indices + Vector512.Create(t0);
                    var inImage = Vector512.LessThan(columns, Vector512.Create(width));
                    var sum = zero;
                    for (int i = 0; i < k; i++)
                    {
                        int y = r + pad - i;
                        if ((uint)y >= (uint)outH)
                        {
                            continue;
                        }

                        float* rowsOfI = cols + (long)(c * k + i) * k * rowStride + (long)y * outW;
                        for (int j = 0; j < k; j++)
                        {
                            // Pixel t takes x = t + p − j of run (i, j), where 0 <= x < OW.
                            var x = columns + Vector512.Create(pad - j);
                            var valid = inImage & Vector512.GreaterThanOrEqual(x, Vector512<int>.Zero) & Vector512.LessThan(x, limit);
                            sum += Avx512F.MaskLoad(rowsOfI + j * rowStride + t0 + pad - j, valid.AsSingle(), zero);
                        }
                    }

                    if (t0 + 16 <= width)
                    {
                        sum.Store(row + t0);
                    }
                    else
                    {
                        Avx512F.MaskStore(row + t0, inImage.AsSingle(), sum);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stride-1 col2im as a gather on portable 256-bit vectors (AVX2, or emulated): as <see cref="FoldGather"/>, but
    /// without masked loads: a chunk's full vector is loaded and the lanes outside the run or the image replaced by
    /// zero (ConditionalSelect); only where that load would reach outside cols are the valid lanes read one by one.
    /// Every pixel still sums its contributions in (i, j) order from zero: the same bits as the other paths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldGather256(float* cols, long rowStride, int channels, int height, int width, int k, int pad, int outH, int outW, float* image)
    {
        const int L = 8;
        float* end = cols + (long)(channels * k * k - 1) * rowStride + (long)outH * outW;
        float* lanes = stackalloc float[L];
        var zero = Vector256<float>.Zero;
        var limit = Vector256.Create(outW);
        var widthV = Vector256.Create(width);
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int r = 0; r < height; r++)
            {
                float* row = plane + (long)r * width;
                for (int t0 = 0; t0 < width; t0 += L)
                {
                    var columns = Vector256<int>.Indices + Vector256.Create(t0);
                    var inImage = Vector256.LessThan(columns, widthV);
                    var sum = zero;
                    for (int i = 0; i < k; i++)
                    {
                        int y = r + pad - i;
                        if ((uint)y >= (uint)outH)
                        {
                            continue;
                        }

                        float* rowsOfI = cols + (long)(c * k + i) * k * rowStride + (long)y * outW;
                        for (int j = 0; j < k; j++)
                        {
                            var x = columns + Vector256.Create(pad - j);
                            var valid = (inImage & Vector256.GreaterThanOrEqual(x, Vector256<int>.Zero) & Vector256.LessThan(x, limit)).AsSingle();
                            float* p = rowsOfI + j * rowStride + t0 + pad - j;
                            if (p >= cols && p + L <= end)
                            {
                                sum += Vector256.ConditionalSelect(valid, Vector256.Load(p), zero);
                            }
                            else
                            {
                                for (int l = 0; l < L; l++)
                                {
                                    lanes[l] = valid.AsInt32().GetElement(l) != 0 ? p[l] : 0f;
                                }

                                sum += Vector256.Load(lanes);
                            }
                        }
                    }

                    if (t0 + L <= width)
                    {
                        sum.Store(row + t0);
                    }
                    else
                    {
                        for (int l = 0; t0 + l < width; l++)
                        {
                            row[t0 + l] = sum.GetElement(l);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stride-1 col2im as a gather on portable 128-bit vectors (SSE, NEON): <see cref="FoldGather256"/> with 4 lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldGather128(float* cols, long rowStride, int channels, int height, int width, int k, int pad, int outH, int outW, float* image)
    {
        const int L = 4;
        float* end = cols + (long)(channels * k * k - 1) * rowStride + (long)outH * outW;
        float* lanes = stackalloc float[L];
        var zero = Vector128<float>.Zero;
        var limit = Vector128.Create(outW);
        var widthV = Vector128.Create(width);
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int r = 0; r < height; r++)
            {
                float* row = plane + (long)r * width;
                for (int t0 = 0; t0 < width; t0 += L)
                {
                    var columns = Vector128<int>.Indices + Vector128.Create(t0);
                    var inImage = Vector128.LessThan(columns, widthV);
                    var sum = zero;
                    for (int i = 0; i < k; i++)
                    {
                        int y = r + pad - i;
                        if ((uint)y >= (uint)outH)
                        {
                            continue;
                        }

                        float* rowsOfI = cols + (long)(c * k + i) * k * rowStride + (long)y * outW;
                        for (int j = 0; j < k; j++)
                        {
                            var x = columns + Vector128.Create(pad - j);
                            var valid = (inImage & Vector128.GreaterThanOrEqual(x, Vector128<int>.Zero) & Vector128.LessThan(x, limit)).AsSingle();
                            float* p = rowsOfI + j * rowStride + t0 + pad - j;
                            if (p >= cols && p + L <= end)
                            {
                                sum += Vector128.ConditionalSelect(valid, Vector128.Load(p), zero);
                            }
                            else
                            {
                                for (int l = 0; l < L; l++)
                                {
                                    lanes[l] = valid.AsInt32().GetElement(l) != 0 ? p[l] : 0f;
                                }

                                sum += Vector128.Load(lanes);
                            }
                        }
                    }

                    if (t0 + L <= width)
                    {
                        sum.Store(row + t0);
                    }
                    else
                    {
                        for (int l = 0; t0 + l < width; l++)
                        {
                            row[t0 + l] = sum.GetElement(l);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// image[c, y·s − p + i, x·s − p + j] += cols[(c·k + i)·k + j, y·OW + x] for every in-range position (the adjoint
    /// of <see cref="Unfold"/>). Adds into <paramref name="image"/>: clear it first for a plain col2im.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldAdd(float* cols, long rowStride, int channels, int height, int width, int k, int stride, int pad, int outH, int outW, float* image)
    {
        for (int c = 0; c < channels; c++)
        {
            float* plane = image + (long)c * height * width;
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    float* src = cols + ((long)(c * k + i) * k + j) * rowStride;
                    var (lo, hi) = ValidRange(j, stride, pad, width, outW);
                    int run = hi - lo;
                    if (run <= 0)
                    {
                        continue;
                    }

                    for (int y = 0; y < outH; y++)
                    {
                        int iy = y * stride - pad + i;
                        if ((uint)iy >= (uint)height)
                        {
                            continue;
                        }

                        float* s = src + (long)y * outW + lo;
                        float* d = plane + (long)iy * width + lo * stride - pad + j;
                        if (stride == 1)
                        {
                            AddRun(d, s, run);
                        }
                        else
                        {
                            for (int x = 0; x < run; x++)
                            {
                                d[x * stride] += s[x];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The output columns x in [lo, hi) whose input column x·s − p + j lies inside [0, width).</summary>
    private static (int Lo, int Hi) ValidRange(int j, int stride, int pad, int width, int outW)
    {
        int offset = j - pad;                                   // input column of x = 0
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int last = width - 1 - offset;                          // x·s <= last
        int hi = last < 0 ? 0 : Math.Min(outW, last / stride + 1);
        return (Math.Min(lo, outW), hi);
    }

    /// <summary>Lanes [0, count) set, for count in 1..15.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tail(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>
    /// d[0..n) += s[0..n): runs here are short (one output row), so no call overhead and no bounds checks; on
    /// AVX-512 the tail is one masked load-add-store (masked-off lanes are neither read nor written), which made
    /// col2im a fifth faster than a scalar tail on the Fashion-MNIST CNN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRun(float* d, float* s, int n)
    {
        int x = 0;
        if (Avx512F.IsSupported)
        {
            for (; x + 16 <= n; x += 16)
            {
                Vector512.Store(Vector512.Load(d + x) + Vector512.Load(s + x), d + x);
            }

            if (x < n)
            {
                var mask = Tail(n - x);
                var zero = Vector512<float>.Zero;
                Avx512F.MaskStore(d + x, mask, Avx512F.MaskLoad(d + x, mask, zero) + Avx512F.MaskLoad(s + x, mask, zero));
            }

            return;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 8 <= n; x += 8)
            {
                Vector256.Store(Vector256.Load(d + x) + Vector256.Load(s + x), d + x);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 4 <= n; x += 4)
            {
                Vector128.Store(Vector128.Load(d + x) + Vector128.Load(s + x), d + x);
            }
        }

        for (; x < n; x++)
        {
            d[x] += s[x];
        }
    }
}
