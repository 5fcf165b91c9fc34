using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors;

/// <summary>
/// Row-major float32 matrix products: C (+)= op(A) op(B) with either operand transposed, the shapes checked,
/// computed by a cache-blocked GEMM with packed panels (<see cref="GemmBlocked{TKernel}"/>) on an AVX-512
/// (<see cref="GemmKernel512"/>), AVX2 (<see cref="GemmKernel256"/>) or 128-bit (<see cref="GemmKernel128"/>: SSE,
/// ARM64 NEON) micro-kernel, the widest the machine accelerates, split over the worker team above a size threshold.
/// Hardware without any SIMD runs the row-by-row TensorPrimitives reference.
/// </summary>
/// <remarks>
/// Transposed operands are read in place by the packing routines (no transpose pass). Zero coefficients are
/// never skipped: 0 * inf is NaN, so that a non-finite weight is never hidden. Steady-state calls allocate nothing
/// (packing buffers are per thread and reused, the parallel job is reused).
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more than it saves (settable for tests).</summary>
    internal static long ParallelWork { get; set; } = 1 << 20;

    /// <summary>
    /// Up to this many rows of C, products read op(B) in place (<see cref="GemmSmall"/>) rather than packing it:
    /// packing costs as much as a product this flat (measured at 784 x 256: 1 row 3x faster in place, 2 rows 1.4-1.9x,
    /// 4 rows 1.2x slower; settable for tests, 0 disables).
    /// </summary>
    internal static int SmallRows { get; set; } = 2;

    /// <summary>
    /// A product split over threads by rows packs op(B) once, in parallel, into a buffer all parts read, instead of
    /// every part packing all of op(B), when op(B) holds at least this many floats (batch-1000 inference through a
    /// 784 x 256 dense layer: 0.8 MB packed twice otherwise). Same blocks and kernel calls, so the same bits;
    /// <see cref="int.MaxValue"/> disables it, 0 shares every row-split product (settable for tests and the benchmark).
    /// Off by default: on a quiet 2-core machine (`dense-infer 3000`) the two extra hand-offs cost more than the second
    /// packing saves (MLP batch-1000 median 1.33 ms shared against 1.24 ms each thread packing; MLP training epochs equal).
    /// </summary>
    internal static int SharedPackingFloats { get; set; } = int.MaxValue;

    /// <summary>
    /// The widest micro-kernel this machine accelerates: 512 (AVX-512), 256 (AVX2 + FMA), 128 (Vector128: SSE,
    /// ARM64 NEON, WebAssembly SIMD), or 0 when no vector is accelerated.
    /// </summary>
    internal static int WidestAccelerated { get; } =
        Vector512.IsHardwareAccelerated ? 512 : Avx2.IsSupported && Fma.IsSupported ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>
    /// Whether products run on the blocked SIMD GEMM (default wherever Vector128 or wider is accelerated) or on the
    /// row-by-row reference (no SIMD at all; tests switch it to compare the two).
    /// </summary>
    internal static bool UseKernel { get; set; } = WidestAccelerated != 0;

    /// <summary>
    /// The vector width in bits of the micro-kernel (and of <see cref="GemmSmall"/>'s loops): 512
    /// (<see cref="GemmKernel512"/>), 256 (<see cref="GemmKernel256"/>) or 128 (<see cref="GemmKernel128"/>; also
    /// what any other value runs). Default: <see cref="WidestAccelerated"/> (128 where nothing is, unused then since
    /// <see cref="UseKernel"/> is false); tests and the benchmark set a narrower one to run every path on one machine.
    /// </summary>
    internal static int Width { get; set; } = Math.Max(128, WidestAccelerated);

    /// <summary>C[M, N] = A[M, K] B[K, N] (overwrites C).</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        => Product(a, false, b, false, c, m, k, n, accumulate: false);

    /// <summary>C[M, N] += A[M, K] B[K, N].</summary>
    public static void MatMulAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        => Product(a, false, b, false, c, m, k, n, accumulate: true);

    /// <summary>
    /// C[M, N] = A[M, K] B[N, K]^T (overwrites C). <paramref name="bTransposed"/> is no longer used (B^T is read in
    /// place by packing); it is kept so that existing callers compile, and may be empty.
    /// </summary>
    public static void MatMulTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, Span<float> bTransposed)
    {
        _ = bTransposed;
        Product(a, false, b, true, c, m, k, n, accumulate: false);
    }

    /// <summary>
    /// C[M, N] += A[K, M]^T B[K, N] (accumulates into C: the weight gradient of a dense layer).
    /// <paramref name="aTransposed"/> is no longer used (A^T is read in place by packing) and may be empty.
    /// </summary>
    public static void AddTransposedAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int k, int m, int n, Span<float> aTransposed)
    {
        _ = aTransposed;
        Product(a, true, b, false, c, m, k, n, accumulate: true);
    }

    /// <summary>
    /// The general product: C[M, N] (+)= op(A) op(B), where op(A) is [M, K] and is stored as A[M, K], or as A[K, M]
    /// when <paramref name="transposeA"/>; op(B) is [K, N], stored as B[K, N], or as B[N, K] when
    /// <paramref name="transposeB"/>. Overwrites C unless <paramref name="accumulate"/>.
    /// </summary>
    public static void Product(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB, Span<float> c, int m, int k, int n, bool accumulate)
        => Product(a, transposeA, b, transposeB, c, m, k, n, accumulate, default, GemmBias.None, relu: false);

    /// <summary>
    /// <see cref="Product(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>
    /// with an epilogue applied to the finished C while it is in registers: C[i, j] += bias[j]
    /// (<see cref="GemmBias.PerColumn"/>, a dense layer: bias holds N floats) or bias[i] (<see cref="GemmBias.PerRow"/>,
    /// a convolution's [filters, pixels] output: M floats), then max(0, C) when <paramref name="relu"/>.
    /// </summary>
    public static void Product(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB, Span<float> c, int m, int k, int n,
                               bool accumulate, ReadOnlySpan<float> bias, GemmBias biasKind, bool relu)
    {
        Check(a, transposeA ? k : m, transposeA ? m : k, "A");
        Check(b, transposeB ? n : k, transposeB ? k : n, "B");
        Check(c, m, n, "C");
        int biasLength = biasKind switch { GemmBias.PerColumn => n, GemmBias.PerRow => m, _ => 0 };
        if (bias.Length != biasLength)
        {
            throw new ArgumentException($"bias must hold {biasLength} floats for {biasKind} on a [{m}, {n}] product; found {bias.Length}.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            Compute(pa, transposeA ? m : k, transposeA, pb, transposeB ? k : n, transposeB, pc, m, k, n, accumulate,
                    new GemmEpilogue(pbias, biasKind == GemmBias.PerRow, relu));
        }
    }

    private static void Compute(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, float* c, int m, int k, int n,
                                bool accumulate, GemmEpilogue epilogue)
    {
        if (k == 0 || !UseKernel)
        {
            if (k == 0)
            {
                if (!accumulate)
                {
                    new Span<float>(c, m * n).Clear();
                }
            }
            else
            {
                Reference(a, transposeA, b, transposeB, c, m, k, n, accumulate);
            }

            ApplyEpilogue(c, m, n, epilogue);
            return;
        }

        if (m <= SmallRows)
        {
            GemmSmall.Run(a, lda, transposeA, b, ldb, transposeB, c, m, k, n, accumulate);
            ApplyEpilogue(c, m, n, epilogue);
            return;
        }

        int threads = Threads(m, k, n);
        if (threads == 1)
        {
            Blocked(a, lda, transposeA, b, ldb, transposeB, c, n, m, k, n, accumulate, epilogue);
        }
        else
        {
            float* packedB = null;
            if (SplitsRows(m, n, threads) && (long)k * n >= SharedPackingFloats)
            {
                // Two hand-offs (pack, then multiply) instead of one: no barrier inside a job, so nesting stays safe.
                int nr = Cols;
                packedB = GemmBuffers.ForThisThread.Shared((long)k * ((n + nr - 1) / nr * nr));
                WorkerPool.Run(threads, PackJob.Get(b, ldb, transposeB, k, n, nr, packedB, threads));
            }

            WorkerPool.Run(threads, BlockedJob.Get(a, lda, transposeA, b, ldb, transposeB, c, m, k, n, accumulate, epilogue, threads, packedB));
        }
    }

    /// <summary>Rows (MR) of the micro-kernel at <see cref="Width"/>.</summary>
    private static int Rows => Width switch { 512 => GemmKernel512.Rows, 256 => GemmKernel256.Rows, _ => GemmKernel128.Rows };

    /// <summary>Columns (NR) of the micro-kernel at <see cref="Width"/>.</summary>
    private static int Cols => Width switch { 512 => GemmKernel512.Cols, 256 => GemmKernel256.Cols, _ => GemmKernel128.Cols };

    /// <summary>
    /// Whether a product over <paramref name="parts"/> threads splits C by rows: the dimension whose split duplicates
    /// the less packing (splitting rows makes every part pack all of op(B), K x N; columns, all of op(A), M x K),
    /// and rows only when every part gets at least one whole MR strip.
    /// </summary>
    private static bool SplitsRows(int m, int n, int parts) => m > n && m >= parts * Rows;

    /// <summary>One thread's share: the blocked GEMM on the chosen micro-kernel.</summary>
    private static void Blocked(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, float* c, int ldc, int m, int k, int n,
                                bool accumulate, in GemmEpilogue epilogue, float* packedB = null)
    {
        switch (Width)
        {
            case 512:
                GemmBlocked<GemmKernel512>.Run(a, lda, transposeA, b, ldb, transposeB, c, ldc, m, k, n, accumulate, epilogue, packedB);
                break;
            case 256:
                GemmBlocked<GemmKernel256>.Run(a, lda, transposeA, b, ldb, transposeB, c, ldc, m, k, n, accumulate, epilogue, packedB);
                break;
            default:
                GemmBlocked<GemmKernel128>.Run(a, lda, transposeA, b, ldb, transposeB, c, ldc, m, k, n, accumulate, epilogue, packedB);
                break;
        }
    }

    private static int Threads(int m, int k, int n)
        => (long)m * k * n < ParallelWork ? 1 : Math.Min(Engine.MaxThreads, Math.Max((m + 7) / 8, (n + 15) / 16));

    /// <summary>The epilogue as a separate pass over C (reference path and K = 0).</summary>
    private static void ApplyEpilogue(float* c, int m, int n, in GemmEpilogue epilogue)
    {
        if (!epilogue.Any)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * n, n);
            if (epilogue.Bias != null)
            {
                if (epilogue.PerRow)
                {
                    TensorPrimitives.Add(row, epilogue.Bias[i], row);
                }
                else
                {
                    TensorPrimitives.Add(row, new ReadOnlySpan<float>(epilogue.Bias, n), row);
                }
            }

            if (epilogue.ClampAtZero)
            {
                for (int j = 0; j < n; j++)
                {
                    row[j] = GemmEpilogue.Relu(row[j]);
                }
            }
        }
    }

    /// <summary>B[cols, rows] = A[rows, cols]^T, in 32x32 tiles so that reads and writes both stay within cache lines.</summary>
    public static void Transpose(ReadOnlySpan<float> a, Span<float> b, int rows, int cols)
    {
        Check(a, rows, cols, "A");
        Check(b, cols, rows, "B");
        fixed (float* pa = a, pb = b)
        {
            Transpose(pa, pb, rows, cols);
        }
    }

    private static void Transpose(float* pa, float* pb, int rows, int cols)
    {
        const int T = 32;
        for (int i0 = 0; i0 < rows; i0 += T)
        {
            int i1 = Math.Min(rows, i0 + T);
            for (int j0 = 0; j0 < cols; j0 += T)
            {
                int j1 = Math.Min(cols, j0 + T);
                for (int i = i0; i < i1; i++)
                {
                    float* src = pa + (long)i * cols;
                    for (int j = j0; j < j1; j++)
                    {
                        pb[(long)j * rows + i] = src[j];
                    }
                }
            }
        }
    }

    [ThreadStatic]
    private static float[]? _scratchA;

    [ThreadStatic]
    private static float[]? _scratchB;

    private static float* Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(length, 1024), pinned: true);
        }

        fixed (float* p = buffer)
        {
            return p; // pinned array: the pointer stays valid
        }
    }

    /// <summary>
    /// The reference product (hardware without SIMD, and the tests' baseline), row by row: each row of C a sum
    /// of scaled rows of op(B); transposed operands are first transposed into per-thread scratch.
    /// </summary>
    private static void Reference(float* a, bool transposeA, float* b, bool transposeB, float* c, int m, int k, int n, bool accumulate)
    {
        if (transposeA)
        {
            float* ta = Scratch(ref _scratchA, m * k);
            Transpose(a, ta, k, m);
            a = ta;
        }

        if (transposeB)
        {
            float* tb = Scratch(ref _scratchB, k * n);
            Transpose(b, tb, n, k);
            b = tb;
        }

        for (int i = 0; i < m; i++)
        {
            var cRow = new Span<float>(c + (long)i * n, n);
            if (!accumulate)
            {
                cRow.Clear();
            }

            float* aRow = a + (long)i * k;
            // No skipping of zero coefficients: 0 * inf must stay NaN, so that a non-finite weight is never hidden.
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + (long)p * n, n), aRow[p], cRow, cRow);
            }
        }
    }

    private static void Check(ReadOnlySpan<float> span, int rows, int cols, string name)
    {
        // The message is built only on failure: this runs on every layer call.
        if (span.Length != rows * cols)
        {
            throw new ArgumentException($"{name} must hold [{rows}, {cols}] = {rows * cols} floats; found {span.Length}.");
        }
    }

    /// <summary>
    /// One reusable job per calling thread (the parallel path allocates nothing per call): each part runs the blocked
    /// GEMM on its own share of C, a range of whole MR-row strips or of whole NR-column strips, packing its own
    /// panels (no barrier between parts, so nesting inside another parallel job is safe), or, for a row split, reading
    /// the op(B) that <see cref="PackJob"/> packed for all of them.
    /// </summary>
    private sealed class BlockedJob : IParallelJob
    {
        [ThreadStatic]
        private static BlockedJob? _cached;

        private float* a, b, c, packedB;
        private int lda, ldb, m, k, n, parts;
        private bool transposeA, transposeB, accumulate;
        private GemmEpilogue epilogue;

        public static BlockedJob Get(float* a, int lda, bool transposeA, float* b, int ldb, bool transposeB, float* c, int m, int k, int n,
                                     bool accumulate, GemmEpilogue epilogue, int parts, float* packedB)
        {
            var job = _cached ??= new BlockedJob();
            job.a = a;
            job.b = b;
            job.c = c;
            job.packedB = packedB;
            (job.lda, job.ldb, job.m, job.k, job.n, job.parts) = (lda, ldb, m, k, n, parts);
            (job.transposeA, job.transposeB, job.accumulate, job.epilogue) = (transposeA, transposeB, accumulate, epilogue);
            return job;
        }

        public void Execute(int part)
        {
            int mr = Rows, nr = Cols;
            bool splitRows = SplitsRows(m, n, parts);

            int extent = splitRows ? m : n, unit = splitRows ? mr : nr;
            int units = (extent + unit - 1) / unit;
            int first = (int)Math.Min(extent, (long)units * part / parts * unit);
            int last = (int)Math.Min(extent, (long)units * (part + 1) / parts * unit);
            if (first >= last)
            {
                return;
            }

            if (splitRows)
            {
                float* pa = transposeA ? a + first : a + (long)first * lda;
                var e = epilogue.Bias != null && epilogue.PerRow ? epilogue.At(first, 0) : epilogue;
                Blocked(pa, lda, transposeA, b, ldb, transposeB, c + (long)first * n, n, last - first, k, n, accumulate, e, packedB);
            }
            else
            {
                float* pb = transposeB ? b + (long)first * ldb : b + first;
                var e = epilogue.Bias != null && !epilogue.PerRow ? epilogue.At(0, first) : epilogue;
                Blocked(a, lda, transposeA, pb, ldb, transposeB, c + first, n, m, k, last - first, accumulate, e);
            }
        }
    }

    /// <summary>
    /// One reusable job per calling thread: packs all of op(B) [K, N] (whole-k strips of NR columns, the layout
    /// <see cref="GemmBlocked{TKernel}"/> reads as a shared packing), each part a contiguous range of strips.
    /// </summary>
    private sealed class PackJob : IParallelJob
    {
        [ThreadStatic]
        private static PackJob? _cached;

        private float* b, dst;
        private int ldb, k, n, nr, parts;
        private bool transposeB;

        public static PackJob Get(float* b, int ldb, bool transposeB, int k, int n, int nr, float* dst, int parts)
        {
            var job = _cached ??= new PackJob();
            job.b = b;
            job.dst = dst;
            (job.ldb, job.k, job.n, job.nr, job.parts, job.transposeB) = (ldb, k, n, nr, parts, transposeB);
            return job;
        }

        public void Execute(int part)
        {
            int strips = (n + nr - 1) / nr;
            int first = (int)((long)strips * part / parts) * nr;
            int last = (int)Math.Min(n, (long)strips * (part + 1) / parts * nr);
            if (first < last)
            {
                GemmPack.B(b, ldb, transposeB, 0, k, first, last - first, nr, dst + (long)first * k);
            }
        }
    }
}
