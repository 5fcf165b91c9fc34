using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Mean, standard deviation, extremes, a histogram and the non-finite count of the values of many batches,
/// accumulated without allocating. The histogram's range is set once after <see cref="Reset"/> (by
/// <see cref="SetRange"/>, or by the first batch added: its smallest and largest value); later values outside it
/// go to the end bins. Several instances with the same range can share a batch between threads and be combined.
/// </summary>
/// <remarks>
/// One pass over memory: each chunk of <see cref="Chunk"/> values (small enough for the L1 cache) goes through
/// the vectorised sum, sum of squares, min, max and histogram before the next is loaded. Sums are taken in float
/// per chunk and added in double, which keeps them accurate for any batch size. A finite sum and sum of squares
/// prove every value of the chunk finite, so only a chunk with a NaN, an infinity or an overflowing square takes
/// the scalar path.
/// </remarks>
internal sealed class RunningStatistics
{
    private const int Chunk = 4096;
    private readonly long[] _histogram;
    private readonly int[] _laneCounts;
    private long _count;
    private long _nonFinite;
    private double _sum;
    private double _sumSquares;
    private double _min;
    private double _max;
    private float _low;
    private float _high;

    public RunningStatistics(int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bins, 1024);
        _histogram = new long[bins];

        // One row of counters per vector lane: consecutive values in the same bin (ReLU's zeros) then update
        // different counters instead of waiting on one another's store.
        _laneCounts = new int[bins * Vector<int>.Count];
        Reset();
    }

    public bool HasRange { get; private set; }

    public int Bins => _histogram.Length;

    public (float Low, float High) Range => (_low, _high);

    public long NonFinite => _nonFinite;

    public void Reset()
    {
        Array.Clear(_histogram);
        _count = 0;
        _nonFinite = 0;
        _sum = 0;
        _sumSquares = 0;
        _min = double.PositiveInfinity;
        _max = double.NegativeInfinity;
        HasRange = false;
    }

    /// <summary>Fixes the histogram's range (a constant range is widened so that later values still spread out).</summary>
    public void SetRange(float min, float max)
    {
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            (min, max) = (0, 0);
        }

        if (!(max > min))
        {
            float half = Math.Max(0.5f, Math.Abs(min) * 0.5f);
            (min, max) = (min - half, max + half);
        }

        (_low, _high, HasRange) = (min, max, true);
    }

    /// <summary>The smallest and largest finite value of <paramref name="values"/> ((+inf, -inf) when none).</summary>
    public static (float Min, float Max) FiniteRange(ReadOnlySpan<float> values)
    {
        if (TensorPrimitives.IsFiniteAll<float>(values))
        {
            return (TensorPrimitives.Min(values), TensorPrimitives.Max(values));
        }

        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return (min, max);
    }

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        if (!HasRange)
        {
            var (min, max) = FiniteRange(values);
            SetRange(min, max);
        }

        for (int i = 0; i < values.Length; i += Chunk)
        {
            AddChunk(values.Slice(i, Math.Min(Chunk, values.Length - i)));
        }
    }

    /// <summary>The statistics of everything added to <paramref name="parts"/> (which share one range).</summary>
    public static ActivationStatistics Combine(ReadOnlySpan<RunningStatistics> parts)
    {
        var first = parts[0];
        long count = 0, nonFinite = 0;
        double sum = 0, squares = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        var histogram = new long[first._histogram.Length];
        foreach (var p in parts)
        {
            count += p._count;
            nonFinite += p._nonFinite;
            sum += p._sum;
            squares += p._sumSquares;
            min = Math.Min(min, p._min);
            max = Math.Max(max, p._max);
            for (int b = 0; b < histogram.Length; b++)
            {
                histogram[b] += p._histogram[b];
            }
        }

        if (count == 0)
        {
            return new ActivationStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, histogram, nonFinite);
        }

        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(0, (squares / count) - (mean * mean)));
        return new ActivationStatistics(count, mean, std, min, max, first._low, first._high, histogram, nonFinite);
    }

    public ActivationStatistics ToStatistics() => Combine([this]);

    private void AddChunk(ReadOnlySpan<float> values)
    {
        double sum = TensorPrimitives.Sum(values);
        double squares = TensorPrimitives.SumOfSquares(values);
        if (!double.IsFinite(sum) || !double.IsFinite(squares))
        {
            AddScalar(values);
            return;
        }

        _count += values.Length;
        _sum += sum;
        _sumSquares += squares;
        _min = Math.Min(_min, TensorPrimitives.Min(values));
        _max = Math.Max(_max, TensorPrimitives.Max(values));
        AddToHistogram(values);
    }

    private void AddToHistogram(ReadOnlySpan<float> values)
    {
        int bins = _histogram.Length;
        float scale = bins / (_high - _low);
        if (!float.IsFinite(scale))
        {
            // A range so wide (near float.MaxValue) that the bin width is not representable.
            _histogram[0] += values.Length;
            return;
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            Array.Clear(_laneCounts);
            var counts = _laneCounts.AsSpan();
            var low = new Vector<float>(_low);
            var factor = new Vector<float>(scale);
            var top = new Vector<float>(bins - 1);

            // Lane j counts into row j: index + j * bins.
            var rowOffsets = Vector<int>.Indices * bins;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var t = Vector.Min(Vector.Max((new Vector<float>(values[i..]) - low) * factor, Vector<float>.Zero), top);
                var index = Vector.ConvertToInt32(t) + rowOffsets;
                for (int lane = 0; lane < Vector<int>.Count; lane++)
                {
                    counts[index[lane]]++;
                }
            }

            for (int lane = 0; lane < Vector<int>.Count; lane++)
            {
                var row = counts.Slice(lane * bins, bins);
                for (int b = 0; b < bins; b++)
                {
                    _histogram[b] += row[b];
                }
            }
        }

        for (; i < values.Length; i++)
        {
            _histogram[Bin(values[i], scale)]++;
        }
    }

    private int Bin(float value, float scale) => (int)Math.Clamp((value - _low) * scale, 0f, _histogram.Length - 1);

    /// <summary>The slow path for a chunk holding NaN or infinite values (or squares that overflow float).</summary>
    private void AddScalar(ReadOnlySpan<float> values)
    {
        float scale = _histogram.Length / (_high - _low);
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                _nonFinite++;
                continue;
            }

            _count++;
            _sum += v;
            _sumSquares += (double)v * v;
            _min = Math.Min(_min, v);
            _max = Math.Max(_max, v);
            _histogram[float.IsFinite(scale) ? Bin(v, scale) : 0]++;
        }
    }
}
