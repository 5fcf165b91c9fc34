using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nonlinear.Tensors.Simd;

/// <summary>
/// The span loops every elementwise kernel shares (the TensorPrimitives pattern): an operator struct supplies
/// the body, this class handles lengths, aliasing, the widest vector the machine has, the remainder and
/// multi-threading above a size threshold.
/// </summary>
/// <remarks>
/// The remainder is padded into a full vector and run through the same vector body, so every element is
/// computed by the same instructions wherever it sits in the span (results do not depend on length).
/// </remarks>
internal static unsafe class Elementwise
{
    /// <summary>Below this many elements a second thread costs more than it saves (measured: ~1 MB of floats).</summary>
    internal const int ParallelThreshold = 1 << 18;

    private static int _width = DefaultWidth;

    /// <summary>
    /// The vector width in bits (512, 256 or 128) the kernels run at: by default <see cref="DefaultWidth"/>. Tests
    /// switch it to check every narrower path too (a width the hardware does not accelerate runs emulated:
    /// correct, slow; 512 needs AVX-512).
    /// </summary>
    internal static int Width
    {
        get => _width;
        set => _width = value is 512 or 256 or 128 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The vector width must be 512, 256 or 128 bits.");
    }

    /// <summary>
    /// The widest width the hardware accelerates: 512 with AVX-512, 256 with AVX2, 128 with SSE or ARM64 NEON.
    /// With no SIMD at all (every width emulated in software), 256: measured fastest of the three there
    /// (DOTNET_EnableHWIntrinsic=0, see the note of issue 13).
    /// </summary>
    internal static int DefaultWidth
        => Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 256;

    /// <summary>
    /// From this many elements per thread, outputs are written with non-temporal stores: an output this large
    /// (32 MB) does not stay in cache anyway, and skipping the read-for-ownership of each output line is worth
    /// ~25% of bandwidth (measured: a streaming copy loop 55 GB/s against memmove's 44 at 16M floats).
    /// </summary>
    internal const int NonTemporalThreshold = 1 << 23;

    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op) where TOp : struct, IUnaryOperator
    {
        CheckSameLength(x.Length, y.Length, nameof(y));
        CheckAliasing(x, y);
        int threads = ThreadsFor(x.Length);
        if (threads == 1 && x.Length < NonTemporalThreshold)
        {
            Run(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length, op);
            return;
        }

        // Pinned: the streaming-store path aligns on the output's address, which must not move under it.
        fixed (float* px = x, py = y)
        {
            if (threads == 1)
            {
                Run(ref *px, ref *py, x.Length, op);
                return;
            }

            var job = UnaryJob<TOp>.Get(px, py, x.Length, threads, op);
            WorkerPool.Run(threads, job);
        }
    }

    public static void Map<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, TOp op) where TOp : struct, IBinaryOperator
    {
        CheckSameLength(a.Length, b.Length, nameof(b));
        CheckSameLength(a.Length, y.Length, nameof(y));
        CheckAliasing(a, y);
        CheckAliasing(b, y);
        int threads = ThreadsFor(a.Length);
        if (threads == 1)
        {
            Run(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(y), a.Length, op);
            return;
        }

        fixed (float* pa = a, pb = b, py = y)
        {
            var job = BinaryJob<TOp>.Get(pa, pb, py, a.Length, threads, op);
            WorkerPool.Run(threads, job);
        }
    }

    /// <summary>y = f(a, b, c) on one thread (for row kernels, which parallelise over rows themselves).</summary>
    public static void Map<TOp>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> y, TOp op) where TOp : struct, ITernaryOperator
    {
        CheckSameLength(a.Length, b.Length, nameof(b));
        CheckSameLength(a.Length, c.Length, nameof(c));
        CheckSameLength(a.Length, y.Length, nameof(y));
        CheckAliasing(a, y);
        CheckAliasing(b, y);
        CheckAliasing(c, y);
        ref float ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), rc = ref MemoryMarshal.GetReference(c), ry = ref MemoryMarshal.GetReference(y);
        switch (Width)
        {
            case 512:
                Run<TOp, V512>(ref ra, ref rb, ref rc, ref ry, a.Length, op);
                break;
            case 256:
                Run<TOp, V256>(ref ra, ref rb, ref rc, ref ry, a.Length, op);
                break;
            default:
                Run<TOp, V128>(ref ra, ref rb, ref rc, ref ry, a.Length, op);
                break;
        }
    }

    /// <summary>y = f(x) and the sum of y, in one pass on one thread (softmax's exponentials and their sum).</summary>
    public static float MapSum<TOp>(ReadOnlySpan<float> x, Span<float> y, TOp op) where TOp : struct, IUnaryOperator
    {
        CheckSameLength(x.Length, y.Length, nameof(y));
        CheckAliasing(x, y);
        ref float rx = ref MemoryMarshal.GetReference(x), ry = ref MemoryMarshal.GetReference(y);
        return Width switch
        {
            512 => RunSum<TOp, V512>(ref rx, ref ry, x.Length, op),
            256 => RunSum<TOp, V256>(ref rx, ref ry, x.Length, op),
            _ => RunSum<TOp, V128>(ref rx, ref ry, x.Length, op),
        };
    }

    private static int ThreadsFor(int length)
        => length < ParallelThreshold ? 1 : Math.Min(Engine.MaxThreads, length / (ParallelThreshold / 2));

    private static void CheckSameLength(int expected, int actual, string name)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"Span lengths differ: expected {expected} elements, found {actual}.", name);
        }
    }

    private static void CheckAliasing(ReadOnlySpan<float> input, ReadOnlySpan<float> output)
    {
        // The loops read a whole vector before writing it, so exactly the same span in and out is safe;
        // a shifted overlap is not.
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException("Input and output spans overlap without being the same span; use the same span for in-place work or disjoint spans.");
        }
    }

    private static void Run<TOp>(ref float x, ref float y, int length, TOp op) where TOp : struct, IUnaryOperator
    {
        switch (Width)
        {
            case 512:
                Run<TOp, V512>(ref x, ref y, length, op);
                break;
            case 256:
                Run<TOp, V256>(ref x, ref y, length, op);
                break;
            default:
                Run<TOp, V128>(ref x, ref y, length, op);
                break;
        }
    }

    private static void Run<TOp>(ref float a, ref float b, ref float y, int length, TOp op) where TOp : struct, IBinaryOperator
    {
        switch (Width)
        {
            case 512:
                Run<TOp, V512>(ref a, ref b, ref y, length, op);
                break;
            case 256:
                Run<TOp, V256>(ref a, ref b, ref y, length, op);
                break;
            default:
                Run<TOp, V128>(ref a, ref b, ref y, length, op);
                break;
        }
    }

    private static void Run<TOp, T>(ref float x, ref float y, int length, TOp op)
        where TOp : struct, IUnaryOperator where T : struct, ISimd<T>
    {
        if (length < NonTemporalThreshold || Unsafe.AreSame(ref x, ref y))
        {
            Run<TOp, T, PlainStore>(ref x, ref y, length, op);
            return;
        }

        // Plain stores up to the first vector-aligned output address, streaming stores for whole vectors, then
        // plain stores again for the rest.
        nint w = T.Count;
        nint misaligned = (nint)((nuint)Unsafe.AsPointer(ref y) % (nuint)(w * sizeof(float))) / sizeof(float);
        int head = misaligned == 0 ? 0 : (int)(w - misaligned);
        int body = (length - head) / (int)w * (int)w;
        Run<TOp, T, PlainStore>(ref x, ref y, head, op);
        Run<TOp, T, StreamingStore>(ref Unsafe.Add(ref x, head), ref Unsafe.Add(ref y, head), body, op);

        // Streaming stores are weakly ordered: fence before anyone reads y.
        Interlocked.MemoryBarrier();
        Run<TOp, T, PlainStore>(ref Unsafe.Add(ref x, head + body), ref Unsafe.Add(ref y, head + body), length - head - body, op);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOp, T, TStore>(ref float x, ref float y, int length, TOp op)
        where TOp : struct, IUnaryOperator where T : struct, ISimd<T> where TStore : struct, IStore
    {
        nint n = length, w = T.Count, i = 0;

        // Unrolled 4x, except at 128 bits: there the emulated exact FMA (SSE without FMA) makes sine's and GELU's
        // bodies large enough that four inlined copies exhaust the JIT's inlining budget (the body then runs as
        // calls, several times slower); 4-lane iterations are independent anyway. typeof(T) folds at import.
        for (; typeof(T) != typeof(V128) && i <= n - 4 * w; i += 4 * w)
        {
            var v0 = T.Load(ref Unsafe.Add(ref x, i));
            var v1 = T.Load(ref Unsafe.Add(ref x, i + w));
            var v2 = T.Load(ref Unsafe.Add(ref x, i + 2 * w));
            var v3 = T.Load(ref Unsafe.Add(ref x, i + 3 * w));
            TStore.Store(op.Invoke(v0), ref Unsafe.Add(ref y, i));
            TStore.Store(op.Invoke(v1), ref Unsafe.Add(ref y, i + w));
            TStore.Store(op.Invoke(v2), ref Unsafe.Add(ref y, i + 2 * w));
            TStore.Store(op.Invoke(v3), ref Unsafe.Add(ref y, i + 3 * w));
        }

        for (; i <= n - w; i += w)
        {
            TStore.Store(op.Invoke(T.Load(ref Unsafe.Add(ref x, i))), ref Unsafe.Add(ref y, i));
        }

        if (i < n)
        {
            Span<float> bx = stackalloc float[16];
            int rest = (int)(n - i);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref x, i), rest).CopyTo(bx);
            T.Store(op.Invoke(T.Load(ref bx[0])), ref bx[0]);
            bx[..rest].CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, i), rest));
        }
    }

    /// <summary>How a loop writes its output vectors.</summary>
    private interface IStore
    {
        static abstract void Store<T>(T value, ref float destination) where T : struct, ISimd<T>;
    }

    private readonly struct PlainStore : IStore
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(T value, ref float destination) where T : struct, ISimd<T> => T.Store(value, ref destination);
    }

    private readonly struct StreamingStore : IStore
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store<T>(T value, ref float destination) where T : struct, ISimd<T> => T.StoreAlignedNonTemporal(value, ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOp, T>(ref float a, ref float b, ref float y, int length, TOp op)
        where TOp : struct, IBinaryOperator where T : struct, ISimd<T>
    {
        nint n = length, w = T.Count, i = 0;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var a0 = T.Load(ref Unsafe.Add(ref a, i));
            var b0 = T.Load(ref Unsafe.Add(ref b, i));
            var a1 = T.Load(ref Unsafe.Add(ref a, i + w));
            var b1 = T.Load(ref Unsafe.Add(ref b, i + w));
            T.Store(op.Invoke(a0, b0), ref Unsafe.Add(ref y, i));
            T.Store(op.Invoke(a1, b1), ref Unsafe.Add(ref y, i + w));
        }

        for (; i <= n - w; i += w)
        {
            T.Store(op.Invoke(T.Load(ref Unsafe.Add(ref a, i)), T.Load(ref Unsafe.Add(ref b, i))), ref Unsafe.Add(ref y, i));
        }

        if (i < n)
        {
            Span<float> ba = stackalloc float[16];
            Span<float> bb = stackalloc float[16];
            int rest = (int)(n - i);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref a, i), rest).CopyTo(ba);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, i), rest).CopyTo(bb);
            T.Store(op.Invoke(T.Load(ref ba[0]), T.Load(ref bb[0])), ref ba[0]);
            ba[..rest].CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, i), rest));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TOp, T>(ref float a, ref float b, ref float c, ref float y, int length, TOp op)
        where TOp : struct, ITernaryOperator where T : struct, ISimd<T>
    {
        nint n = length, w = T.Count, i = 0;
        for (; i <= n - w; i += w)
        {
            T.Store(op.Invoke(T.Load(ref Unsafe.Add(ref a, i)), T.Load(ref Unsafe.Add(ref b, i)), T.Load(ref Unsafe.Add(ref c, i))), ref Unsafe.Add(ref y, i));
        }

        if (i < n)
        {
            Span<float> ba = stackalloc float[16];
            Span<float> bb = stackalloc float[16];
            Span<float> bc = stackalloc float[16];
            int rest = (int)(n - i);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref a, i), rest).CopyTo(ba);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref b, i), rest).CopyTo(bb);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref c, i), rest).CopyTo(bc);
            T.Store(op.Invoke(T.Load(ref ba[0]), T.Load(ref bb[0]), T.Load(ref bc[0])), ref ba[0]);
            ba[..rest].CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, i), rest));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float RunSum<TOp, T>(ref float x, ref float y, int length, TOp op)
        where TOp : struct, IUnaryOperator where T : struct, ISimd<T>
    {
        // Four accumulators: independent dependency chains, and each lane sums a quarter as many terms.
        nint n = length, w = T.Count, i = 0;
        T s0 = T.Create(0f), s1 = s0, s2 = s0, s3 = s0;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            var v0 = op.Invoke(T.Load(ref Unsafe.Add(ref x, i)));
            var v1 = op.Invoke(T.Load(ref Unsafe.Add(ref x, i + w)));
            var v2 = op.Invoke(T.Load(ref Unsafe.Add(ref x, i + 2 * w)));
            var v3 = op.Invoke(T.Load(ref Unsafe.Add(ref x, i + 3 * w)));
            T.Store(v0, ref Unsafe.Add(ref y, i));
            T.Store(v1, ref Unsafe.Add(ref y, i + w));
            T.Store(v2, ref Unsafe.Add(ref y, i + 2 * w));
            T.Store(v3, ref Unsafe.Add(ref y, i + 3 * w));
            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
        }

        for (; i <= n - w; i += w)
        {
            var v = op.Invoke(T.Load(ref Unsafe.Add(ref x, i)));
            T.Store(v, ref Unsafe.Add(ref y, i));
            s0 += v;
        }

        float sum = T.Sum((s0 + s1) + (s2 + s3));
        if (i < n)
        {
            // The padded lanes hold f(0), which must not count.
            Span<float> bx = stackalloc float[16];
            int rest = (int)(n - i);
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref x, i), rest).CopyTo(bx);
            T.Store(op.Invoke(T.Load(ref bx[0])), ref bx[0]);
            for (int k = 0; k < rest; k++)
            {
                sum += bx[k];
            }

            bx[..rest].CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, i), rest));
        }

        return sum;
    }

    /// <summary>Splits [0, length) into <c>parts</c> chunks aligned to 64 floats.</summary>
    private static (int Start, int Count) Chunk(int length, int parts, int index)
    {
        int per = (length / parts + 63) & ~63;
        int start = Math.Min(length, per * index);
        int end = index == parts - 1 ? length : Math.Min(length, start + per);
        return (start, end - start);
    }

    /// <summary>One reusable job per calling thread and operator: the parallel path allocates nothing per call.</summary>
    private sealed class UnaryJob<TOp> : IParallelJob where TOp : struct, IUnaryOperator
    {
        [ThreadStatic]
        private static UnaryJob<TOp>? _cached;

        private float* x, y;
        private int length, parts;
        private TOp op;

        public static UnaryJob<TOp> Get(float* x, float* y, int length, int parts, TOp op)
        {
            var job = _cached ??= new UnaryJob<TOp>();
            job.x = x;
            job.y = y;
            (job.length, job.parts, job.op) = (length, parts, op);
            return job;
        }

        public void Execute(int index)
        {
            var (start, count) = Chunk(length, parts, index);
            Run(ref x[start], ref y[start], count, op);
        }
    }

    /// <summary>One reusable job per calling thread and operator.</summary>
    private sealed class BinaryJob<TOp> : IParallelJob where TOp : struct, IBinaryOperator
    {
        [ThreadStatic]
        private static BinaryJob<TOp>? _cached;

        private float* a, b, y;
        private int length, parts;
        private TOp op;

        public static BinaryJob<TOp> Get(float* a, float* b, float* y, int length, int parts, TOp op)
        {
            var job = _cached ??= new BinaryJob<TOp>();
            job.a = a;
            job.b = b;
            job.y = y;
            (job.length, job.parts, job.op) = (length, parts, op);
            return job;
        }

        public void Execute(int index)
        {
            var (start, count) = Chunk(length, parts, index);
            Run(ref a[start], ref b[start], ref y[start], count, op);
        }
    }
}
