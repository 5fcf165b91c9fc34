using System.Numerics.Tensors;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>
/// Row kernels shared by <see cref="Softmax"/> and <see cref="LogSoftmax"/>. Stable by construction: the row
/// maximum m is subtracted first, so e^(x - m) &lt;= 1 never overflows.
/// </summary>
/// <remarks>
/// x - m is itself rounded (e.g. 0.001 - 80), and e^(x - m) magnifies that rounding by |x - m|: up to ~60 ulp
/// at x - m = -50. We recover the rounding error err of the subtraction exactly (TwoSum) and use
/// e^(x - m) = e^d (1 + err), which keeps softmax within a few ulp of the float64 result. Rows shorter than
/// 16 are processed in blocks so that the exponential still runs on full vectors.
/// TensorPrimitives supplies the reductions (max, sum, dot) and the softmax backward's (dy - s) y; the
/// exponential is ours (TensorPrimitives.Exp is 13x slower than a copy here).
/// </remarks>
internal static unsafe class SoftmaxKernel
{
    private const int Block = 1024;

    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rowLength, bool log)
    {
        int rows = x.Length / rowLength;
        int threads = x.Length >= Elementwise.ParallelThreshold ? Math.Min(Engine.MaxThreads, rows) : 1;
        if (threads <= 1)
        {
            ForwardRows(x, y, rowLength, log);
            return;
        }

        fixed (float* px = x, py = y)
        {
            var job = new Job(px, py, null, rows, rowLength, threads, log, backward: false);
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Execute);
        }
    }

    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength, bool log)
    {
        int rows = y.Length / rowLength;
        int threads = y.Length >= Elementwise.ParallelThreshold ? Math.Min(Engine.MaxThreads, rows) : 1;
        if (threads <= 1)
        {
            BackwardRows(y, dy, dx, rowLength, log);
            return;
        }

        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            var job = new Job(py, pdx, pdy, rows, rowLength, threads, log, backward: true);
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Execute);
        }
    }

    private static void ForwardRows(ReadOnlySpan<float> x, Span<float> y, int n, bool log)
    {
        if (n >= 16)
        {
            for (int r = 0; r < x.Length; r += n)
            {
                LongRow(x.Slice(r, n), y.Slice(r, n), log);
            }

            return;
        }

        // Short rows: broadcast each row's max into a block-sized buffer so e^(x - m) runs on full vectors.
        int rowsPerBlock = Math.Max(1, Block / n);
        Span<float> max = stackalloc float[rowsPerBlock * n];
        Span<float> sums = log ? stackalloc float[rowsPerBlock * n] : default;
        for (int start = 0; start < x.Length; start += rowsPerBlock * n)
        {
            int len = Math.Min(rowsPerBlock * n, x.Length - start);
            var xb = x.Slice(start, len);
            var yb = y.Slice(start, len);
            var mb = max[..len];
            for (int r = 0; r < len; r += n)
            {
                mb.Slice(r, n).Fill(TensorPrimitives.Max(xb.Slice(r, n)));
            }

            if (!log)
            {
                Elementwise.Map(xb, mb, yb, default(ShiftedExpBroadcast));
                for (int r = 0; r < len; r += n)
                {
                    var row = yb.Slice(r, n);
                    TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
                }

                continue;
            }

            // log-softmax: y = (x - m) - ln(sum e^(x - m)), with the rounding error of x - m added back.
            // The exponentials go to a scratch block: in place, y is x and must stay intact until the last pass.
            var eb = sums[..len];
            Elementwise.Map(xb, mb, eb, default(ShiftedExpBroadcast));
            for (int r = 0; r < len; r += n)
            {
                mb.Slice(r, n).Fill(LogSum(xb.Slice(r, n), eb.Slice(r, n)));
            }

            // mb now holds ln(sum) per element; the max is recomputed per row below (cheap for short rows).
            for (int r = 0; r < len; r += n)
            {
                float m = TensorPrimitives.Max(xb.Slice(r, n));
                float lse = mb[r];
                for (int i = r; i < r + n; i++)
                {
                    yb[i] = ShiftedLog(xb[i], m, lse);
                }
            }
        }
    }

    private static void LongRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float m = TensorPrimitives.Max(x);
        if (!log)
        {
            Elementwise.Map(x, y, new ShiftedExp(m));
            TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
            return;
        }

        // In place (x and y the same span) the sum pass must not overwrite x: use a stack block for it.
        // The row max contributes exactly e^0 = 1; the rest is summed apart so that ln(1 + rest) keeps rest's
        // digits (in float32, 1 + 1e-5 would lose most of them and log_softmax of the max entry with it).
        int top = TensorPrimitives.IndexOfMax(x);
        double rest = 0;
        Span<float> tmp = stackalloc float[Block];
        for (int i = 0; i < x.Length; i += Block)
        {
            int len = Math.Min(Block, x.Length - i);
            var e = tmp[..len];
            Elementwise.Map(x.Slice(i, len), e, new ShiftedExp(m));
            if (top >= i && top < i + len)
            {
                e[top - i] = 0;
            }

            rest += TensorPrimitives.Sum(e);
        }

        Elementwise.Map(x, y, new ShiftedLogOperator(m, (float)Math.Log(1 + rest)));
    }

    private static void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int n, bool log)
    {
        for (int r = 0; r < y.Length; r += n)
        {
            var yr = y.Slice(r, n);
            var dyr = dy.Slice(r, n);
            var dxr = dx.Slice(r, n);
            if (log)
            {
                // dx = dy - softmax(x) sum(dy), softmax(x) = e^y.
                Elementwise.Map(yr, dyr, dxr, new LogSoftmaxBackward(TensorPrimitives.Sum(dyr)));
            }
            else
            {
                // dx = y (dy - <dy, y>).
                TensorPrimitives.AddMultiply(dyr, -TensorPrimitives.Dot(dyr, yr), yr, dxr);
            }
        }
    }

    /// <summary>
    /// ln(sum_j e^(x_j - m)) for one row given its shifted exponentials e: ln(1 + rest), where rest excludes the
    /// max entry's exact 1, so that a sum like 1 + 1e-5 keeps all of rest's digits.
    /// </summary>
    private static float LogSum(ReadOnlySpan<float> x, ReadOnlySpan<float> e)
    {
        int top = TensorPrimitives.IndexOfMax(x);
        double rest = (double)TensorPrimitives.Sum(e[..top]) + TensorPrimitives.Sum(e[(top + 1)..]);
        return (float)Math.Log(1 + rest);
    }

    /// <summary>x - m - lse, with the exact rounding error of x - m added back.</summary>
    private static float ShiftedLog(float x, float m, float lse)
    {
        float d = x - m;
        float err = SubtractionError(x, m, d);
        return (float)((double)d - lse + err);
    }

    private static float SubtractionError(float x, float m, float d)
    {
        float bb = d - x;
        float err = (x - (d - bb)) + (-m - bb);
        return float.IsNaN(err) ? 0 : err;
    }

    /// <summary>e^(x - m) = e^d (1 + err), d = x - m rounded, err its exact rounding error (TwoSum).</summary>
    private static T CompensatedExp<T>(T x, T m) where T : struct, ISimd<T>
    {
        var d = x - m;
        var e = VectorMath.Exp(d);
        return T.MultiplyAdd(e, Error(x, m, d), e);
    }

    private static T Error<T>(T x, T m, T d) where T : struct, ISimd<T>
    {
        var bb = d - x;
        var err = (x - (d - bb)) + (-m - bb);
        return T.Select(T.IsNaN(err), T.Create(0f), err);
    }

    private readonly struct ShiftedExp(float m) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : struct, ISimd<T> => CompensatedExp(x, T.Create(m));
    }

    private readonly struct ShiftedExpBroadcast : IBinaryOperator
    {
        public T Invoke<T>(T x, T m) where T : struct, ISimd<T> => CompensatedExp(x, m);
    }

    private readonly struct ShiftedLogOperator(float m, float lse) : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            var mv = T.Create(m);
            var d = x - mv;
            return d - T.Create(lse) + Error(x, mv, d);
        }
    }

    private readonly struct LogSoftmaxBackward(float sum) : IBinaryOperator
    {
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T> => dy - VectorMath.Exp(y) * T.Create(sum);
    }

    private sealed class Job(float* a, float* b, float* c, int rows, int n, int parts, bool log, bool backward)
    {
        public void Execute(int index)
        {
            int per = (rows + parts - 1) / parts;
            int first = Math.Min(rows, index * per), count = Math.Min(rows, first + per) - first;
            if (count <= 0)
            {
                return;
            }

            long offset = (long)first * n;
            int len = count * n;
            if (backward)
            {
                // a = y, c = dy, b = dx.
                BackwardRows(new ReadOnlySpan<float>(a + offset, len), new ReadOnlySpan<float>(c + offset, len), new Span<float>(b + offset, len), n, log);
            }
            else
            {
                ForwardRows(new ReadOnlySpan<float>(a + offset, len), new Span<float>(b + offset, len), n, log);
            }
        }
    }
}
