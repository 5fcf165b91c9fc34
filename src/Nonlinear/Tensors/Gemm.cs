using System.Numerics.Tensors;

namespace Nonlinear.Tensors;

/// <summary>
/// Row-major float32 matrix products for dense layers: C = A B, C = A B^T and C += A^T B, with the shapes
/// checked. Rows of C are computed with vectorised multiply-adds (TensorPrimitives) and split over the worker
/// team above a size threshold.
/// </summary>
/// <remarks>
/// This is the straightforward kernel (each row of C is a sum of scaled rows of B, all in cache for small
/// layers). The cache-blocked, register-tiled GEMM that convolution needs comes with the real-data issue; this
/// one is the correctness baseline it will be tested against.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    private const long ParallelWork = 1 << 20;

    /// <summary>
    /// Whether products run on the register-blocked AVX-512 kernel (<see cref="GemmKernel"/>) or on the
    /// row-by-row reference (other hardware; tests switch it to compare the two).
    /// </summary>
    internal static bool UseKernel { get; set; } = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    /// <summary>C[M, N] = A[M, K] B[K, N] (overwrites C).</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        => Multiply(a, b, c, m, k, n, accumulate: false);

    /// <summary>C[M, N] += A[M, K] B[K, N].</summary>
    public static void MatMulAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
        => Multiply(a, b, c, m, k, n, accumulate: true);

    private static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate)
    {
        Check(a, m, k, "A");
        Check(b, k, n, "B");
        Check(c, m, n, "C");
        if (m == 0 || n == 0)
        {
            return;
        }

        // Split rows in whole 6-row tiles so that every thread runs full tiles.
        int threads = Threads((long)m * k * n, (m + GemmKernel.Rows - 1) / GemmKernel.Rows);
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (threads == 1)
            {
                RowRange(pa, pb, pc, 0, m, m, k, n, accumulate);
            }
            else
            {
                WorkerPool.Run(threads, RowsJob.Get(pa, pb, pc, m, k, n, threads, accumulate));
            }
        }
    }

    /// <summary>
    /// The general product: C[M, N] (+)= op(A) op(B), where op(A) is [M, K] and is stored as A[M, K], or as A[K, M]
    /// when <paramref name="transposeA"/>; op(B) is [K, N], stored as B[K, N], or as B[N, K] when
    /// <paramref name="transposeB"/>. Overwrites C unless <paramref name="accumulate"/>.
    /// </summary>
    /// <remarks>Scratch for the transposed operands is per thread and reused: steady-state calls allocate nothing.</remarks>
    public static void Product(ReadOnlySpan<float> a, bool transposeA, ReadOnlySpan<float> b, bool transposeB, Span<float> c, int m, int k, int n, bool accumulate)
    {
        if (transposeA)
        {
            Check(a, k, m, "A");
            var ta = Scratch(ref _scratchA, m * k);
            Transpose(a, ta, k, m);
            a = ta;
        }

        if (transposeB)
        {
            Check(b, n, k, "B");
            var tb = Scratch(ref _scratchB, k * n);
            Transpose(b, tb, n, k);
            b = tb;
        }

        Multiply(a, b, c, m, k, n, accumulate);
    }

    [ThreadStatic]
    private static float[]? _scratchA;

    [ThreadStatic]
    private static float[]? _scratchB;

    private static Span<float> Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[Math.Max(length, 1024)];
        }

        return buffer.AsSpan(0, length);
    }

    /// <summary>C[M, N] = A[M, K] B[N, K]^T (overwrites C); <paramref name="bTransposed"/> is scratch of K*N floats.</summary>
    public static void MatMulTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, Span<float> bTransposed)
    {
        Check(b, n, k, "B");
        Check(bTransposed, k, n, "scratch");
        Transpose(b, bTransposed, n, k);
        MatMul(a, bTransposed, c, m, k, n);
    }

    /// <summary>
    /// C[M, N] += A[K, M]^T B[K, N] (accumulates into C: the weight gradient of a dense layer);
    /// <paramref name="aTransposed"/> is scratch of M*K floats.
    /// </summary>
    public static void AddTransposedAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int k, int m, int n, Span<float> aTransposed)
    {
        Check(a, k, m, "A");
        Check(aTransposed, m, k, "scratch");
        Transpose(a, aTransposed, k, m);
        MatMulAdd(aTransposed, b, c, m, k, n);
    }

    /// <summary>B[cols, rows] = A[rows, cols]^T, in 32x32 tiles so that reads and writes both stay within cache lines.</summary>
    public static void Transpose(ReadOnlySpan<float> a, Span<float> b, int rows, int cols)
    {
        Check(a, rows, cols, "A");
        Check(b, cols, rows, "B");
        const int T = 32;
        fixed (float* pa = a, pb = b)
        {
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
    }

    /// <summary>The reference product, row by row: each row of C a sum of scaled rows of B.</summary>
    private static void Rows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int first, int last, int k, int n, bool accumulate)
    {
        for (int i = first; i < last; i++)
        {
            var cRow = c.Slice(i * n, n);
            if (!accumulate)
            {
                cRow.Clear();
            }

            var aRow = a.Slice(i * k, k);
            // No skipping of zero coefficients: 0 * inf must stay NaN, so that a non-finite weight is never hidden.
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aRow[p], cRow, cRow);
            }
        }
    }

    private static void RowRange(float* a, float* b, float* c, int first, int last, int m, int k, int n, bool accumulate)
    {
        if (UseKernel)
        {
            GemmKernel.Run(a, b, c, first, last, k, n, accumulate);
        }
        else
        {
            Rows(new ReadOnlySpan<float>(a, m * k), new ReadOnlySpan<float>(b, k * n), new Span<float>(c, m * n), first, last, k, n, accumulate);
        }
    }

    private static int Threads(long work, int rows) => work < ParallelWork ? 1 : Math.Min(Engine.MaxThreads, rows);

    private static void Check(ReadOnlySpan<float> span, int rows, int cols, string name)
    {
        // The message is built only on failure: this runs on every layer call.
        if (span.Length != rows * cols)
        {
            throw new ArgumentException($"{name} must hold [{rows}, {cols}] = {rows * cols} floats; found {span.Length}.");
        }
    }

    /// <summary>One reusable job per calling thread: the parallel path allocates nothing per call.</summary>
    private sealed class RowsJob : IParallelJob
    {
        [ThreadStatic]
        private static RowsJob? _cached;

        private float* a, b, c;
        private int m, k, n, parts;
        private bool accumulate;

        public static RowsJob Get(float* a, float* b, float* c, int m, int k, int n, int parts, bool accumulate)
        {
            var job = _cached ??= new RowsJob();
            job.a = a;
            job.b = b;
            job.c = c;
            (job.m, job.k, job.n, job.parts, job.accumulate) = (m, k, n, parts, accumulate);
            return job;
        }

        public void Execute(int part)
        {
            int tiles = (m + GemmKernel.Rows - 1) / GemmKernel.Rows;
            int per = (tiles + parts - 1) / parts * GemmKernel.Rows;
            int first = Math.Min(m, part * per), last = Math.Min(m, first + per);
            RowRange(a, b, c, first, last, m, k, n, accumulate);
        }
    }
}
