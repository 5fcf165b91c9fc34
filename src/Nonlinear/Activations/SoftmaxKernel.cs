using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nonlinear.Tensors;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>
/// Row kernels shared by <see cref="Softmax"/> and <see cref="LogSoftmax"/>. Stable by construction: the row
/// maximum m is subtracted first, so e^(x - m) &lt;= 1 never overflows.
/// </summary>
/// <remarks>
/// Exactness: x - m is itself rounded (e.g. 0.001 - 80), and e^(x - m) magnifies that rounding by |x - m| (up to
/// ~60 ulp at x - m = -50). We recover the rounding error err of the subtraction exactly (TwoSum) and use
/// e^(x - m) = e^d (1 + err). For log-softmax, ln(sum) is computed as ln(1 + rest) with the max entry's exact 1
/// kept out of rest, so that a sum like 1 + 1e-5 keeps rest's digits.
/// Speed: rows of 16 or more run row by row (fused exp-and-sum, then one scaling pass); shorter rows (e.g. 10
/// classes): softmax broadcasts each row's max into a block buffer so the exponentials run on full vectors;
/// log-softmax transposes blocks of rows so that each vector lane holds one row (see the methods). TensorPrimitives supplies the arg-max, dot and scaling; the exponential is ours
/// (TensorPrimitives.Exp is 13x slower than a copy here).
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
            WorkerPool.Run(threads, job);
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
            WorkerPool.Run(threads, job);
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
        }
        else if (log)
        {
            ShortLogSoftmaxRows(x, y, n);
        }
        else
        {
            ShortSoftmaxRows(x, y, n);
        }
    }

    private static void LongRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float m = TensorPrimitives.Max(x);
        if (!log)
        {
            float sum = Elementwise.MapSum(x, y, new ShiftedExp(m));
            TensorPrimitives.Multiply(y, 1f / sum, y);
            return;
        }

        // One read-only pass for ln(sum): no scratch, and y (which may be x) is only written by the last pass.
        double rest = Elementwise.Width switch
        {
            512 => Rest<V512>(x, m),
            256 => Rest<V256>(x, m),
            _ => Rest<V128>(x, m),
        };
        Elementwise.Map(x, y, new ShiftedLogOperator(m, (float)Math.Log(1 + rest)));
    }

    /// <summary>
    /// sum e^(x - m) - 1, without rounding the large 1 into it: entries equal to the max (e^0 = 1 exactly) are
    /// counted, not summed, so rest = (sum over the others) + (count - 1).
    /// </summary>
    private static double Rest<T>(ReadOnlySpan<float> x, float m) where T : struct, ISimd<T>
    {
        ref float p = ref MemoryMarshal.GetReference(x);
        int w = T.Count, i = 0;
        var mv = T.Create(m);
        var zero = T.Create(0f);
        T sum0 = zero, sum1 = zero, count = zero;
        for (; i <= x.Length - 2 * w; i += 2 * w)
        {
            var x0 = T.Load(ref Unsafe.Add(ref p, i));
            var x1 = T.Load(ref Unsafe.Add(ref p, i + w));
            var top0 = T.Equal(x0, mv);
            var top1 = T.Equal(x1, mv);
            sum0 += T.Select(top0, zero, CompensatedExp(x0, mv));
            sum1 += T.Select(top1, zero, CompensatedExp(x1, mv));
            count += (top0 & T.Create(1f)) + (top1 & T.Create(1f));
        }

        Span<float> pad = stackalloc float[16];
        for (; i < x.Length; i += w)
        {
            // The last, partial vector is padded with -inf, which adds e^-inf = 0 and is never the max.
            bool partial = i > x.Length - w;
            if (partial)
            {
                pad.Fill(float.NegativeInfinity);
                x[i..].CopyTo(pad);
            }

            var v = partial ? T.Load(ref pad[0]) : T.Load(ref Unsafe.Add(ref p, i));
            var top = T.Equal(v, mv);
            sum0 += T.Select(top, zero, CompensatedExp(v, mv));
            count += top & T.Create(1f);
        }

        return T.Sum(sum0 + sum1) + (double)T.Sum(count) - 1;
    }

    /// <summary>
    /// Softmax over rows shorter than 16: each row's max is broadcast into a block buffer, so that the
    /// exponentials run on full vectors across rows; then one sum and one scaling per row.
    /// </summary>
    private static void ShortSoftmaxRows(ReadOnlySpan<float> x, Span<float> y, int n)
    {
        int rowsPerBlock = Block / n;
        Span<float> max = stackalloc float[rowsPerBlock * n];
        Span<float> exps = stackalloc float[rowsPerBlock * n];
        for (int start = 0; start < x.Length; start += rowsPerBlock * n)
        {
            int len = Math.Min(rowsPerBlock * n, x.Length - start);
            var xb = x.Slice(start, len);
            var mb = max[..len];
            var eb = exps[..len];
            for (int r = 0; r < len; r += n)
            {
                mb.Slice(r, n).Fill(TensorPrimitives.Max(xb.Slice(r, n)));
            }

            Elementwise.Map(xb, mb, eb, default(ShiftedExpBroadcast));
            var yb = y.Slice(start, len);
            for (int r = 0; r < len; r += n)
            {
                var row = eb.Slice(r, n);
                TensorPrimitives.Multiply(row, 1f / TensorPrimitives.Sum(row), yb.Slice(r, n));
            }
        }
    }

    /// <summary>
    /// Log-softmax over rows shorter than 16: a block of W rows (W = vector width) is transposed so that each
    /// vector holds one column (one element of W rows); max, sums and ln(1 + rest) are then lane-wise vector
    /// operations with no per-row call, and the result is transposed back. The transposes cost about 1 ns per
    /// element (measured), which only pays off here, where each row also needs a logarithm: 4.2 ns per element
    /// row by row against 1.7 transposed at [N, 10].
    /// </summary>
    private static void ShortLogSoftmaxRows(ReadOnlySpan<float> x, Span<float> y, int n)
    {
        switch (Elementwise.Width)
        {
            case 512:
                ShortLogSoftmaxRows<V512>(x, y, n);
                break;
            case 256:
                ShortLogSoftmaxRows<V256>(x, y, n);
                break;
            default:
                ShortLogSoftmaxRows<V128>(x, y, n);
                break;
        }
    }

    private static void ShortLogSoftmaxRows<T>(ReadOnlySpan<float> x, Span<float> y, int n) where T : struct, ISimd<T>
    {
        int w = T.Count, rows = x.Length / n;
        Span<float> columns = stackalloc float[16 * 16];
        Span<float> results = stackalloc float[16 * 16];
        ref float c = ref columns[0];
        ref float o = ref results[0];
        for (int r0 = 0; r0 < rows; r0 += w)
        {
            int valid = Math.Min(w, rows - r0);
            Transpose(x.Slice(r0 * n, valid * n), columns, valid, n, w);
            var m = T.Load(ref c);
            for (int j = 1; j < n; j++)
            {
                m = T.MaxNative(m, T.Load(ref Unsafe.Add(ref c, j * w)));
            }

            // rest = sum of e^(x - m) over the row without the first max entry (whose e^0 is exactly 1).
            var rest = T.Create(0f);
            var taken = T.Create(0f);
            for (int j = 0; j < n; j++)
            {
                var xj = T.Load(ref Unsafe.Add(ref c, j * w));
                var e = CompensatedExp(xj, m);
                T.Store(e, ref Unsafe.Add(ref o, j * w));
                var isTop = T.Equal(xj, m) & T.Equal(taken, T.Create(0f));
                taken |= isTop;
                rest += T.Select(isTop, T.Create(0f), e);
            }

            var lse = VectorMath.Log1p(rest);
            for (int j = 0; j < n; j++)
            {
                T.Store(ShiftedLog(T.Load(ref Unsafe.Add(ref c, j * w)), m, lse), ref Unsafe.Add(ref o, j * w));
            }

            TransposeBack(results, y.Slice(r0 * n, valid * n), valid, n, w);
        }
    }

    /// <summary>Row-major [rows, n] into column-major [n, w] (rows beyond <paramref name="rows"/> padded with 0).</summary>
    private static void Transpose(ReadOnlySpan<float> source, Span<float> columns, int rows, int n, int w)
    {
        if (rows < w)
        {
            columns[..(n * w)].Clear();
        }

        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(columns);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < n; j++)
            {
                Unsafe.Add(ref d, j * w + r) = Unsafe.Add(ref s, r * n + j);
            }
        }
    }

    /// <summary>Column-major [n, w] back into row-major [rows, n].</summary>
    private static void TransposeBack(ReadOnlySpan<float> columns, Span<float> destination, int rows, int n, int w)
    {
        ref float s = ref MemoryMarshal.GetReference(columns);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < n; j++)
            {
                Unsafe.Add(ref d, r * n + j) = Unsafe.Add(ref s, j * w + r);
            }
        }
    }

    private static void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int n, bool log)
    {
        if (n >= 16)
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

            return;
        }

        // Short rows: the per-row sum (or dot) is broadcast into a block buffer, then one full-vector pass.
        int rowsPerBlock = Block / n;
        Span<float> rowValue = stackalloc float[rowsPerBlock * n];
        for (int start = 0; start < y.Length; start += rowsPerBlock * n)
        {
            int len = Math.Min(rowsPerBlock * n, y.Length - start);
            var yb = y.Slice(start, len);
            var dyb = dy.Slice(start, len);
            var sb = rowValue[..len];
            for (int r = 0; r < len; r += n)
            {
                sb.Slice(r, n).Fill(log ? TensorPrimitives.Sum(dyb.Slice(r, n)) : TensorPrimitives.Dot(dyb.Slice(r, n), yb.Slice(r, n)));
            }

            if (log)
            {
                Elementwise.Map(yb, dyb, sb, dx.Slice(start, len), default(LogSoftmaxBackwardBroadcast));
            }
            else
            {
                Elementwise.Map(yb, dyb, sb, dx.Slice(start, len), default(SoftmaxBackwardBroadcast));
            }
        }
    }

    /// <summary>e^(x - m) = e^d (1 + err), d = x - m rounded, err its exact rounding error (TwoSum).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T CompensatedExp<T>(T x, T m) where T : struct, ISimd<T>
    {
        var d = x - m;
        var e = VectorMath.Exp(d);
        return T.MultiplyAddEstimate(e, Error(x, m, d), e);
    }

    /// <summary>(x - m) - lse with the exact rounding error of x - m added back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T ShiftedLog<T>(T x, T m, T lse) where T : struct, ISimd<T>
    {
        var d = x - m;
        return d - lse + Error(x, m, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Error<T>(T x, T m, T d) where T : struct, ISimd<T>
    {
        var bb = d - x;
        var err = (x - (d - bb)) + (-m - bb);
        return T.Select(T.IsNaN(err), T.Create(0f), err);
    }

    private readonly struct ShiftedExp(float m) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => CompensatedExp(x, T.Create(m));
    }


    private readonly struct ShiftedExpBroadcast : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T m) where T : struct, ISimd<T> => CompensatedExp(x, m);
    }

    private readonly struct LogSoftmaxBackwardBroadcast : ITernaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy, T sum) where T : struct, ISimd<T> => dy - VectorMath.Exp(y) * sum;
    }

    private readonly struct SoftmaxBackwardBroadcast : ITernaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy, T dot) where T : struct, ISimd<T> => y * (dy - dot);
    }

    private readonly struct ShiftedLogOperator(float m, float lse) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => ShiftedLog(x, T.Create(m), T.Create(lse));
    }



    private readonly struct LogSoftmaxBackward(float sum) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T> => dy - VectorMath.Exp(y) * T.Create(sum);
    }



    private sealed class Job(float* a, float* b, float* c, int rows, int n, int parts, bool log, bool backward) : IParallelJob
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

    /// <summary>The entropy −Σ p ln p of probabilities in nats (0 ln 0 = 0), accumulated in double in order.</summary>
    public static double Entropy(ReadOnlySpan<float> probabilities)
    {
        double h = 0;
        foreach (float p in probabilities)
        {
            if (p > 0)
            {
                h -= p * Math.Log(p);
            }
        }

        return h;
    }
}
