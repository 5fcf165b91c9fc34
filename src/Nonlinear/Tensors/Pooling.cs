using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Max pooling over planes [H, W] (one per sample and channel), with square windows and no padding:
/// y[y0, x0] = max over the window at (y0·s, x0·s) of size k, and the position of that maximum, which the
/// backward pass routes the gradient to.
/// </summary>
/// <remarks>
/// Ties go to the first position in row-major window order and NaN wins (a NaN input gives a NaN output), as in
/// PyTorch's CPU kernel. Planes are split over the worker team when there are enough of them. The forward pass is
/// vectorised over consecutive outputs of a row for every window and stride, at <see cref="Width"/> bits: stride 1
/// reads the window's columns straight from the plane; larger strides first split the plane into its stride phases
/// (<see cref="Deinterleave"/>), after which the window's columns are consecutive again. Every width gives the
/// scalar loop's results bit for bit, argmax included. The backward pass is a scalar scatter-add.
/// </remarks>
internal static unsafe class Pooling
{
    /// <summary>
    /// The vector width in bits of the forward pass: 512, 256 or 128, or 0 for the scalar loops. Defaults to the widest
    /// width the machine accelerates (0 when none is); tests set it to check every path against the scalar one. A
    /// width wider than the machine accelerates still gives the same results (the JIT emulates it), only slowly.
    /// </summary>
    internal static int Width
    {
        get;
        set => field = value is 0 or 128 or 256 or 512 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The pooling width must be 0, 128, 256 or 512.");
    } = DefaultWidth;

    /// <summary>The widest accelerated vector width in bits (0 when no vector width is accelerated).</summary>
    internal static int DefaultWidth =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>Per-thread scratch for the stride phases of a plane (grown, never shrunk: no allocation in steady state).</summary>
    [ThreadStatic]
    private static float[]? _phases;

    /// <summary>Below this many input elements the work is not split.</summary>
    private const int ParallelElements = 1 << 16;

    /// <summary>
    /// Pools <paramref name="planes"/> planes of x [planes, h, w] into y [planes, outH, outW]; <paramref name="argmax"/>
    /// [planes, outH, outW] receives each maximum's index within its input plane (row·w + column).
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int planes, int h, int w, int k, int stride, int outH, int outW)
    {
        Check(x.Length, (long)planes * h * w, "input");
        Check(y.Length, (long)planes * outH * outW, "output");
        Check(argmax.Length, (long)planes * outH * outW, "argmax");
        fixed (float* px = x, py = y)
        fixed (int* pi = argmax)
        {
            int parts = Parts(x.Length, planes);
            WorkerPool.Run(parts, PoolJob.Get(px, py, pi, planes, h, w, k, stride, outH, outW, parts, forward: true));
        }
    }

    /// <summary>dx = 0, then dx[plane, argmax] += dy for every output (adds where windows overlap).</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int planes, int h, int w, int outH, int outW)
        => MaxBackward(dy, argmax, default, dx, planes, h, w, outH, outW);

    /// <summary>
    /// The pooling backward pass followed by a ReLU's, in one pass: dx = 0, then dx[plane, argmax] += (y ≤ 0 ? 0 : dy)
    /// for every output, where <paramref name="y"/> is the pooling's output (empty: no ReLU, plain
    /// <see cref="MaxBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float}, int, int, int, int, int)"/>).
    /// </summary>
    /// <remarks>
    /// For max pooling over a ReLU's output r, y = r[argmax], so masking each contribution by y equals the ReLU's
    /// backward (dx_relu = r ≤ 0 ? 0 : dx_pool) applied after the pooling's: where r ≤ 0 both give +0 (every masked
    /// contribution is +0 added to +0), elsewhere the same contributions are added in the same order. Bit for bit
    /// equal to the two layers' backward passes, NaN included (a NaN r passes dy, as relu' does).
    /// </remarks>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, ReadOnlySpan<float> y, Span<float> dx, int planes, int h, int w, int outH, int outW)
    {
        Check(dx.Length, (long)planes * h * w, "input gradient");
        Check(dy.Length, (long)planes * outH * outW, "output gradient");
        Check(argmax.Length, (long)planes * outH * outW, "argmax");
        if (!y.IsEmpty)
        {
            Check(y.Length, (long)planes * outH * outW, "output");
        }

        fixed (float* pdy = dy, pdx = dx, py = y)
        fixed (int* pi = argmax)
        {
            int parts = Parts(dx.Length, planes);
            var job = PoolJob.Get(pdx, pdy, pi, planes, h, w, 0, 0, outH, outW, parts, forward: false);
            job.Mask = py;
            WorkerPool.Run(parts, job);
        }
    }

    /// <summary>
    /// <see cref="MaxForward"/> of max(0, x) (the relu activation: MAXPS(0, x) semantics, the same vector operation at
    /// <see cref="Simd.Elementwise.Width"/>) without writing max(0, x) out: each plane goes through the ReLU into a
    /// per-thread scratch and is pooled from there while it is in L1. Bit for bit equal to the relu activation
    /// followed by <see cref="MaxForward"/>, argmax included.
    /// </summary>
    public static void MaxForwardRelu(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int planes, int h, int w, int k, int stride, int outH, int outW)
    {
        Check(x.Length, (long)planes * h * w, "input");
        Check(y.Length, (long)planes * outH * outW, "output");
        Check(argmax.Length, (long)planes * outH * outW, "argmax");
        fixed (float* px = x, py = y)
        fixed (int* pi = argmax)
        {
            int parts = Parts(x.Length, planes);
            var job = PoolJob.Get(px, py, pi, planes, h, w, k, stride, outH, outW, parts, forward: true);
            job.Relu = true;
            WorkerPool.Run(parts, job);
        }
    }

    /// <summary>
    /// <see cref="MaxForward"/> for planes [0, <paramref name="planes"/>) on the calling thread only (no hand-off to the
    /// worker team): for callers that already run on one of the team's parts, e.g. a convolution that pools each
    /// sample's output while it is still in cache.
    /// </summary>
    internal static void MaxForwardPlanes(float* x, float* y, int* argmax, int planes, int h, int w, int k, int stride, int outH, int outW)
        => Forward(x, y, argmax, 0, planes, h, w, k, stride, outH, outW, relu: false);

    private static int Parts(int elements, int planes) => elements < ParallelElements ? 1 : Math.Min(Engine.MaxThreads, planes);

    private static void Check(int length, long expected, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"The pooling {name} must hold {expected} floats; found {length}.");
        }
    }

    /// <summary>Per-thread scratch for one plane after the ReLU (<see cref="MaxForwardRelu"/>; grown, never shrunk).</summary>
    [ThreadStatic]
    private static float[]? _rectified;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward(float* x, float* y, int* argmax, int first, int last, int h, int w, int k, int stride, int outH, int outW, bool relu)
    {
        if (relu)
        {
            var plane = _rectified;
            if (plane is null || plane.Length < h * w)
            {
                _rectified = plane = GC.AllocateUninitializedArray<float>(h * w, pinned: true);
            }

            fixed (float* r = plane)
            {
                for (int p = first; p < last; p++)
                {
                    Simd.Elementwise.Map(new ReadOnlySpan<float>(x + (long)p * h * w, h * w), new Span<float>(r, h * w), default(ReluOp));
                    Forward(r, y + (long)p * outH * outW, argmax + (long)p * outH * outW, 0, 1, h, w, k, stride, outH, outW, relu: false);
                }
            }

            return;
        }

        int width = VectorWidth(Width, k, stride, outW);
        int pitch = stride == 1 ? w : (w + stride - 1) / stride;
        int rows = (outH - 1) * stride + k; // the input rows the windows reach
        bool masked2x2 = width == 512 && k == 2 && stride == 2 && Avx512F.IsSupported;
        float[]? scratch = null;
        if (width != 0 && !masked2x2 && stride > 1)
        {
            long need = (long)rows * stride * pitch;
            scratch = _phases;
            if (scratch is null || scratch.Length < need)
            {
                _phases = scratch = new float[need];
            }
        }

        fixed (float* phases = scratch)
        {
            for (int p = first; p < last; p++)
            {
                float* plane = x + (long)p * h * w;
                float* o = y + (long)p * outH * outW;
                int* a = argmax + (long)p * outH * outW;
                if (width == 0)
                {
                    if (k == 2 && stride == 2)
                    {
                        Forward2x2(plane, o, a, w, outH, outW);
                    }
                    else
                    {
                        ForwardScalar(plane, o, a, w, k, stride, outH, outW);
                    }

                    continue;
                }

                if (masked2x2)
                {
                    Forward2x2Vector(plane, o, a, w, outH, outW);
                    continue;
                }

                float* source = plane;
                if (stride > 1)
                {
                    Deinterleave(plane, phases, rows, w, stride, pitch);
                    source = phases;
                }

                switch (width)
                {
                    case 512:
                        Forward512(source, pitch, stride, k, w, o, a, outH, outW);
                        break;
                    case 256:
                        Forward256(source, pitch, stride, k, w, o, a, outH, outW);
                        break;
                    default:
                        Forward128(source, pitch, stride, k, w, o, a, outH, outW);
                        break;
                }
            }
        }
    }

    /// <summary>
    /// The width the forward pass runs at: <paramref name="width"/>, narrowed until a vector of outputs fits in an
    /// output row (a 14-wide row runs at 256 bits as two overlapping vectors), 0 (scalar) for rows narrower than 4.
    /// The AVX-512 2x2 stride-2 kernel masks its short rows, so it keeps 512 bits for any row.
    /// </summary>
    internal static int VectorWidth(int width, int k, int stride, int outW)
    {
        if (width == 512 && k == 2 && stride == 2 && Avx512F.IsSupported)
        {
            return 512;
        }

        while (width >= 128 && outW < width / 32)
        {
            width /= 2;
        }

        return width >= 128 ? width : 0;
    }

    /// <summary>
    /// Splits input rows [0, rows) of a plane into their <paramref name="stride"/> phases: phase row (r, q) at
    /// phases + (r · stride + q) · pitch holds x[r, q], x[r, q + stride], ... so that the window column j of consecutive
    /// outputs is consecutive in phase row (r, j mod stride), from element j / stride on. Stride 2 is split with
    /// vector shuffles (SSE shufps, NEON uzp1/uzp2); other strides with a scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Deinterleave(float* plane, float* phases, int rows, int w, int stride, int pitch)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = plane + (long)r * w;
            float* dst = phases + (long)r * stride * pitch;
            int m = 0;
            if (stride == 2)
            {
                float* even = dst, odd = dst + pitch;
                if (Sse.IsSupported)
                {
                    for (; 2 * m + 8 <= w; m += 4)
                    {
                        var lo = Sse.LoadVector128(src + 2 * m);
                        var hi = Sse.LoadVector128(src + 2 * m + 4);
                        Sse.Store(even + m, Sse.Shuffle(lo, hi, 0b10_00_10_00));
                        Sse.Store(odd + m, Sse.Shuffle(lo, hi, 0b11_01_11_01));
                    }
                }
                else if (AdvSimd.Arm64.IsSupported)
                {
                    for (; 2 * m + 8 <= w; m += 4)
                    {
                        var lo = AdvSimd.LoadVector128(src + 2 * m);
                        var hi = AdvSimd.LoadVector128(src + 2 * m + 4);
                        AdvSimd.Store(even + m, AdvSimd.Arm64.UnzipEven(lo, hi));
                        AdvSimd.Store(odd + m, AdvSimd.Arm64.UnzipOdd(lo, hi));
                    }
                }

                for (; 2 * m + 1 < w; m++)
                {
                    even[m] = src[2 * m];
                    odd[m] = src[2 * m + 1];
                }

                if (2 * m < w)
                {
                    even[m] = src[2 * m];
                }

                continue;
            }

            for (int q = 0; q < stride; q++)
            {
                float* phase = dst + (long)q * pitch;
                for (int i = 0; q + i * stride < w; i++)
                {
                    phase[i] = src[q + i * stride];
                }
            }
        }
    }

    /// <summary>
    /// Any window and stride, 16 outputs of a row at a time (the row's last vector is moved back to end at the row's
    /// end, recomputing a few outputs). The window's candidates are scanned in row-major order, as the scalar loop
    /// does: a later candidate wins if greater or NaN (the first maximum, or the last NaN). <paramref name="source"/>
    /// is the plane (stride 1, pitch = w) or its phases (see <see cref="Deinterleave"/>); outW ≥ 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward512(float* source, int pitch, int s, int k, int w, float* o, int* a, int outH, int outW)
    {
        const int L = 16;
        var ramp = Vector512<int>.Indices * s;
        for (int oy = 0; oy < outH; oy++)
        {
            int top = oy * s;
            for (int ox = 0; ; ox = Math.Min(ox + L, outW - L))
            {
                var start = ramp + Vector512.Create(top * w + ox * s);
                var max = Vector512.Load(source + ((long)top * s * pitch) + ox);
                var index = start;
                for (int i = 0; i < k; i++)
                {
                    for (int j = i == 0 ? 1 : 0; j < k; j++)
                    {
                        var c = Vector512.Load(source + ((long)((top + i) * s + (j % s)) * pitch) + ox + (j / s));
                        var t = Vector512.GreaterThan(c, max) | ~Vector512.Equals(c, c);
                        max = Vector512.ConditionalSelect(t, c, max);
                        index = Vector512.ConditionalSelect(t.AsInt32(), start + Vector512.Create((i * w) + j), index);
                    }
                }

                max.Store(o + (oy * outW) + ox);
                index.Store(a + (oy * outW) + ox);
                if (ox + L >= outW)
                {
                    break;
                }
            }
        }
    }

    /// <summary><see cref="Forward512"/> with 8 outputs at a time; outW ≥ 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward256(float* source, int pitch, int s, int k, int w, float* o, int* a, int outH, int outW)
    {
        const int L = 8;
        var ramp = Vector256<int>.Indices * s;
        for (int oy = 0; oy < outH; oy++)
        {
            int top = oy * s;
            for (int ox = 0; ; ox = Math.Min(ox + L, outW - L))
            {
                var start = ramp + Vector256.Create(top * w + ox * s);
                var max = Vector256.Load(source + ((long)top * s * pitch) + ox);
                var index = start;
                for (int i = 0; i < k; i++)
                {
                    for (int j = i == 0 ? 1 : 0; j < k; j++)
                    {
                        var c = Vector256.Load(source + ((long)((top + i) * s + (j % s)) * pitch) + ox + (j / s));
                        var t = Vector256.GreaterThan(c, max) | ~Vector256.Equals(c, c);
                        max = Vector256.ConditionalSelect(t, c, max);
                        index = Vector256.ConditionalSelect(t.AsInt32(), start + Vector256.Create((i * w) + j), index);
                    }
                }

                max.Store(o + (oy * outW) + ox);
                index.Store(a + (oy * outW) + ox);
                if (ox + L >= outW)
                {
                    break;
                }
            }
        }
    }

    /// <summary><see cref="Forward512"/> with 4 outputs at a time; outW ≥ 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward128(float* source, int pitch, int s, int k, int w, float* o, int* a, int outH, int outW)
    {
        const int L = 4;
        var ramp = Vector128<int>.Indices * s;
        for (int oy = 0; oy < outH; oy++)
        {
            int top = oy * s;
            for (int ox = 0; ; ox = Math.Min(ox + L, outW - L))
            {
                var start = ramp + Vector128.Create(top * w + ox * s);
                var max = Vector128.Load(source + ((long)top * s * pitch) + ox);
                var index = start;
                for (int i = 0; i < k; i++)
                {
                    for (int j = i == 0 ? 1 : 0; j < k; j++)
                    {
                        var c = Vector128.Load(source + ((long)((top + i) * s + (j % s)) * pitch) + ox + (j / s));
                        var t = Vector128.GreaterThan(c, max) | ~Vector128.Equals(c, c);
                        max = Vector128.ConditionalSelect(t, c, max);
                        index = Vector128.ConditionalSelect(t.AsInt32(), start + Vector128.Create((i * w) + j), index);
                    }
                }

                max.Store(o + (oy * outW) + ox);
                index.Store(a + (oy * outW) + ox);
                if (ox + L >= outW)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Any window and stride, one output at a time (the reference the vector paths are tested against).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardScalar(float* plane, float* o, int* a, int w, int k, int stride, int outH, int outW)
    {
        for (int oy = 0; oy < outH; oy++)
        {
            for (int ox = 0; ox < outW; ox++)
            {
                int top = oy * stride, left = ox * stride;
                int best = top * w + left;
                float max = float.NegativeInfinity;
                for (int i = 0; i < k; i++)
                {
                    int rowStart = (top + i) * w + left;
                    for (int j = 0; j < k; j++)
                    {
                        Take(ref max, ref best, plane[rowStart + j], rowStart + j);
                    }
                }

                o[oy * outW + ox] = max;
                a[oy * outW + ox] = best;
            }
        }
    }

    /// <summary>
    /// <see cref="Forward2x2"/> on AVX-512, 16 outputs at a time: the even and odd columns of both input rows are
    /// separated with two-register permutes, then the same tournament runs with vector compares and blends. A chunk
    /// shorter than 16 outputs (every row of a typical CNN: 26 → 13, 11 → 5) reads and writes through masks, which
    /// neither fault nor touch memory past the row (a padded copy of each row cost a third of the pooling time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward2x2Vector(float* plane, float* o, int* a, int w, int outH, int outW)
    {
        var evenIndex = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddIndex = evenIndex + Vector512<int>.One;
        var ramp = evenIndex; // 2 * lane: the input column offset of each output
        for (int oy = 0; oy < outH; oy++)
        {
            float* r0 = plane + 2 * oy * w;
            float* r1 = r0 + w;
            int base0 = 2 * oy * w;
            for (int ox = 0; ox < outW; ox += 16)
            {
                int count = Math.Min(16, outW - ox);
                int j = 2 * ox;
                float* s0 = r0 + j, s1 = r1 + j;
                Vector512<float> lo0, hi0, lo1, hi1;
                Vector512<int> store = default;
                if (count == 16)
                {
                    lo0 = Vector512.Load(s0);
                    hi0 = Vector512.Load(s0 + 16);
                    lo1 = Vector512.Load(s1);
                    hi1 = Vector512.Load(s1 + 16);
                }
                else
                {
                    // Masked lanes read as zero and are never stored.
                    var lanes = Vector512<int>.Indices;
                    var loMask = Vector512.LessThan(lanes, Vector512.Create(2 * count)).AsSingle();
                    var hiMask = Vector512.LessThan(lanes, Vector512.Create(2 * count - 16)).AsSingle();
                    lo0 = Avx512F.MaskLoad(s0, loMask, Vector512<float>.Zero);
                    hi0 = Avx512F.MaskLoad(s0 + 16, hiMask, Vector512<float>.Zero);
                    lo1 = Avx512F.MaskLoad(s1, loMask, Vector512<float>.Zero);
                    hi1 = Avx512F.MaskLoad(s1 + 16, hiMask, Vector512<float>.Zero);
                    store = Vector512.LessThan(lanes, Vector512.Create(count));
                }

                var c0 = Avx512F.PermuteVar16x32x2(lo0, evenIndex, hi0);
                var c1 = Avx512F.PermuteVar16x32x2(lo0, oddIndex, hi0);
                var c2 = Avx512F.PermuteVar16x32x2(lo1, evenIndex, hi1);
                var c3 = Avx512F.PermuteVar16x32x2(lo1, oddIndex, hi1);

                // The later candidate wins if greater or NaN (x != x): the first maximum, or the last NaN.
                var t01 = Vector512.GreaterThan(c1, c0) | ~Vector512.Equals(c1, c1);
                var m01 = Vector512.ConditionalSelect(t01, c1, c0);
                var i01 = Vector512.ConditionalSelect(t01.AsInt32(), Vector512<int>.One, Vector512<int>.Zero);
                var t23 = Vector512.GreaterThan(c3, c2) | ~Vector512.Equals(c3, c3);
                var m23 = Vector512.ConditionalSelect(t23, c3, c2);
                var i23 = Vector512.ConditionalSelect(t23.AsInt32(), Vector512.Create(w + 1), Vector512.Create(w));
                var t = Vector512.GreaterThan(m23, m01) | ~Vector512.Equals(m23, m23);
                var max = Vector512.ConditionalSelect(t, m23, m01);
                var index = Vector512.ConditionalSelect(t.AsInt32(), i23, i01) + ramp + Vector512.Create(base0 + j);
                if (count == 16)
                {
                    max.Store(o + oy * outW + ox);
                    index.Store(a + oy * outW + ox);
                }
                else
                {
                    Avx512F.MaskStore(o + oy * outW + ox, store.AsSingle(), max);
                    Avx512F.MaskStore(a + oy * outW + ox, store, index);
                }
            }
        }
    }

    /// <summary>
    /// The common 2x2, stride 2 case: the four candidates in row-major order, first maximum (or NaN) wins. A
    /// tournament (the first pair, the second pair, then the two winners) keeps the dependency chains short, and
    /// the selects are written without branches: on real activations (half of them zero after ReLU) the comparisons
    /// are unpredictable.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward2x2(float* plane, float* o, int* a, int w, int outH, int outW)
    {
        for (int oy = 0; oy < outH; oy++)
        {
            float* r0 = plane + 2 * oy * w;
            float* r1 = r0 + w;
            int base0 = 2 * oy * w;
            float* orow = o + oy * outW;
            int* arow = a + oy * outW;
            for (int ox = 0; ox < outW; ox++)
            {
                int j = 2 * ox;
                float c0 = r0[j], c1 = r0[j + 1], c2 = r1[j], c3 = r1[j + 1];

                // The later candidate wins if greater or NaN: the same winner as the sequential scan (the first
                // maximum, or the last NaN).
                bool t01 = (c1 > c0) | float.IsNaN(c1);
                float m01 = t01 ? c1 : c0;
                int i01 = t01 ? 1 : 0;
                bool t23 = (c3 > c2) | float.IsNaN(c3);
                float m23 = t23 ? c3 : c2;
                int i23 = t23 ? w + 1 : w;
                bool t = (m23 > m01) | float.IsNaN(m23);
                orow[ox] = t ? m23 : m01;
                arow[ox] = base0 + j + (t ? i23 : i01);
            }
        }
    }

    /// <summary>
    /// max, best = v, offset when v &gt; max or v is NaN, without branches: on real activations (half of them zero
    /// after ReLU) the comparison is unpredictable, and mispredictions dominated the pooling loop.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Take(ref float max, ref int best, float v, int offset)
    {
        int take = -((v > max ? 1 : 0) | (float.IsNaN(v) ? 1 : 0));
        best += (offset - best) & take;
        int bits = BitConverter.SingleToInt32Bits(max);
        max = BitConverter.Int32BitsToSingle(bits + ((BitConverter.SingleToInt32Bits(v) - bits) & take));
    }

    /// <summary>
    /// Planes [first, last): each plane of dx is cleared just before its scatter-add (while it is in L1, rather than
    /// the whole range first, which sent every cleared line to memory and back). With <paramref name="mask"/> (the
    /// pooling's output y) each contribution is 0 where y ≤ 0: the ReLU backward fused in (see
    /// <see cref="MaxBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float}, int, int, int, int, int)"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward(float* dx, float* dy, int* argmax, float* mask, int first, int last, int h, int w, int outH, int outW)
    {
        int plane = h * w, outPlane = outH * outW;
        for (int p = first; p < last; p++)
        {
            float* d = dx + (long)p * plane;
            float* g = dy + (long)p * outPlane;
            int* a = argmax + (long)p * outPlane;
            new Span<float>(d, plane).Clear();
            if (mask is null)
            {
                for (int i = 0; i < outPlane; i++)
                {
                    d[a[i]] += g[i];
                }

                continue;
            }

            float* m = mask + (long)p * outPlane;
            for (int i = 0; i < outPlane; i++)
            {
                // relu'(r) = 0 where r <= 0 (NaN passes): the same select as the relu activation's backward.
                d[a[i]] += m[i] <= 0f ? 0f : g[i];
            }
        }
    }

    /// <summary>The relu activation's forward operation (Relu.ForwardOp): MAXPS(0, x), NaN propagates, -0 stays -0.</summary>
    private readonly struct ReluOp : Simd.IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, Simd.ISimd<T> => T.MaxNative(T.Create(0f), x);
    }

    /// <summary>One reusable job per calling thread: the parallel path allocates nothing per call.</summary>
    private sealed class PoolJob : IParallelJob
    {
        [ThreadStatic]
        private static PoolJob? _cached;

        private float* _a, _b;
        private int* _argmax;

        /// <summary>Forward only: pool max(0, x) (see <see cref="MaxForwardRelu"/>). Reset by <see cref="Get"/>.</summary>
        public bool Relu { get; set; }

        /// <summary>Backward only: the pooling's output, to fuse a ReLU's backward (null: none). Reset by <see cref="Get"/>.</summary>
        public float* Mask { get; set; }
        private int _planes, _h, _w, _k, _stride, _outH, _outW, _parts;
        private bool _forward;

        /// <summary>Forward: a = x, b = y. Backward: a = dx, b = dy.</summary>
        public static PoolJob Get(float* a, float* b, int* argmax, int planes, int h, int w, int k, int stride, int outH, int outW, int parts, bool forward)
        {
            var job = _cached ??= new PoolJob();
            job._a = a;
            job._b = b;
            job._argmax = argmax;
            job.Mask = null;
            job.Relu = false;
            (job._planes, job._h, job._w, job._k, job._stride, job._outH, job._outW, job._forward) = (planes, h, w, k, stride, outH, outW, forward);
            job._parts = parts;
            return job;
        }

        public void Execute(int part)
        {
            int per = (_planes + _parts - 1) / _parts;
            int first = Math.Min(_planes, part * per), last = Math.Min(_planes, first + per);
            if (_forward)
            {
                Forward(_a, _b, _argmax, first, last, _h, _w, _k, _stride, _outH, _outW, Relu);
            }
            else
            {
                Backward(_a, _b, _argmax, Mask, first, last, _h, _w, _outH, _outW);
            }
        }
    }
}
