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

    /// <summary>Whether stride-1 folding runs on the AVX-512 gather path (tests switch it off to check the scatter one).</summary>
    internal static bool UseVector { get; set; } = Avx512F.IsSupported;

    /// <summary>
    /// image[c, r, t] = Σ over (i, j, y, x) with y·s − p + i = r and x·s − p + j = t of cols[(c·k + i)·k + j, y·OW + x]:
    /// the adjoint of <see cref="Unfold"/> (col2im), overwriting <paramref name="image"/>. Each pixel sums its
    /// contributions in (i, j) order on either path, so both give the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fold(float* cols, long rowStride, int channels, int height, int width, int k, int stride, int pad, int outH, int outW, float* image)
    {
        if (stride == 1 && UseVector)
        {
            FoldGather(cols, rowStride, channels, height, width, k, pad, outH, outW, image);
            return;
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

        for (; x < n; x++)
        {
            d[x] += s[x];
        }
    }
}
