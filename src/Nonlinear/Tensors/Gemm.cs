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

    /// <summary>C[M, N] = A[M, K] B[K, N] (overwrites C).</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        Check(a, m, k, "A");
        Check(b, k, n, "B");
        Check(c, m, n, "C");
        int threads = Threads((long)m * k * n, m);
        if (threads == 1)
        {
            Rows(a, b, c, 0, m, k, n);
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            WorkerPool.Run(threads, new RowsJob(pa, pb, pc, m, k, n, threads));
        }
    }

    /// <summary>C[M, N] = A[M, K] B[N, K]^T (overwrites C); <paramref name="bTransposed"/> is scratch of K*N floats.</summary>
    public static void MatMulTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, Span<float> bTransposed)
    {
        Check(b, n, k, "B");
        Check(bTransposed, k, n, "scratch");
        Transpose(b, bTransposed, n, k);
        MatMul(a, bTransposed, c, m, k, n);
    }

    /// <summary>C[M, N] += A[K, M]^T B[K, N] (accumulates into C: the weight gradient of a dense layer).</summary>
    public static void AddTransposedAB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int k, int m, int n)
    {
        Check(a, k, m, "A");
        Check(b, k, n, "B");
        Check(c, m, n, "C");
        for (int p = 0; p < k; p++)
        {
            var bRow = b.Slice(p * n, n);
            var aRow = a.Slice(p * m, m);
            for (int i = 0; i < m; i++)
            {
                var cRow = c.Slice(i * n, n);
                TensorPrimitives.MultiplyAdd(bRow, aRow[i], cRow, cRow);
            }
        }
    }

    /// <summary>B[cols, rows] = A[rows, cols]^T.</summary>
    public static void Transpose(ReadOnlySpan<float> a, Span<float> b, int rows, int cols)
    {
        Check(a, rows, cols, "A");
        Check(b, cols, rows, "B");
        for (int i = 0; i < rows; i++)
        {
            var row = a.Slice(i * cols, cols);
            for (int j = 0; j < cols; j++)
            {
                b[j * rows + i] = row[j];
            }
        }
    }

    private static void Rows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int first, int last, int k, int n)
    {
        for (int i = first; i < last; i++)
        {
            var cRow = c.Slice(i * n, n);
            cRow.Clear();
            var aRow = a.Slice(i * k, k);
            // No skipping of zero coefficients: 0 * inf must stay NaN, so that a non-finite weight is never hidden.
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), aRow[p], cRow, cRow);
            }
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

    private sealed class RowsJob(float* a, float* b, float* c, int m, int k, int n, int parts) : IParallelJob
    {
        public void Execute(int part)
        {
            int per = (m + parts - 1) / parts;
            int first = Math.Min(m, part * per), last = Math.Min(m, first + per);
            Rows(new ReadOnlySpan<float>(a, m * k), new ReadOnlySpan<float>(b, k * n), new Span<float>(c, m * n), first, last, k, n);
        }
    }
}
