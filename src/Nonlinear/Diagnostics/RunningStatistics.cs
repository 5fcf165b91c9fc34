using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Mean, standard deviation, extremes, a histogram and the non-finite count of the values of many batches,
/// accumulated without allocating. The histogram's range is fixed by the first batch added after
/// <see cref="Reset"/> (its smallest and largest value); later values outside it go to the end bins.
/// </summary>
/// <remarks>
/// Fast path: the sums are taken in float over chunks of <see cref="Chunk"/> values (vectorised) and added in
/// double, which keeps them accurate for any batch size; a finite sum and sum of squares prove every value
/// finite, so only a batch with a NaN, an infinity or an overflowing square takes the scalar path.
/// </remarks>
internal sealed class RunningStatistics
{
    private const int Chunk = 4096;
    private readonly long[] _histogram;
    private long _count;
    private long _nonFinite;
    private double _sum;
    private double _sumSquares;
    private double _min;
    private double _max;
    private float _low;
    private float _high;
    private bool _hasRange;

    public RunningStatistics(int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bins, 1024);
        _histogram = new long[bins];
        Reset();
    }

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
        _hasRange = false;
    }

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        double sum = 0, squares = 0;
        for (int i = 0; i < values.Length; i += Chunk)
        {
            var chunk = values.Slice(i, Math.Min(Chunk, values.Length - i));
            sum += TensorPrimitives.Sum(chunk);
            squares += TensorPrimitives.SumOfSquares(chunk);
        }

        if (!double.IsFinite(sum) || !double.IsFinite(squares))
        {
            AddScalar(values);
            return;
        }

        float min = TensorPrimitives.Min(values), max = TensorPrimitives.Max(values);
        SetRange(min, max);
        _count += values.Length;
        _sum += sum;
        _sumSquares += squares;
        _min = Math.Min(_min, min);
        _max = Math.Max(_max, max);
        AddToHistogram(values);
    }

    public ActivationStatistics ToStatistics()
    {
        if (_count == 0)
        {
            return new ActivationStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, new long[_histogram.Length], _nonFinite);
        }

        double mean = _sum / _count;
        double std = Math.Sqrt(Math.Max(0, (_sumSquares / _count) - (mean * mean)));
        return new ActivationStatistics(_count, mean, std, _min, _max, _low, _high, (long[])_histogram.Clone(), _nonFinite);
    }

    private void SetRange(float min, float max)
    {
        if (_hasRange)
        {
            return;
        }

        if (!(max > min))
        {
            // A constant batch (all zeros, say): a unit-wide range around it, so later values still spread out.
            float half = Math.Max(0.5f, Math.Abs(min) * 0.5f);
            (min, max) = (min - half, max + half);
        }

        (_low, _high, _hasRange) = (min, max, true);
    }

    private void AddToHistogram(ReadOnlySpan<float> values)
    {
        int bins = _histogram.Length;
        float scale = bins / (_high - _low);
        if (!float.IsFinite(scale))
        {
            // A range so wide (near float.MaxValue) or so narrow that the bin width is not representable.
            _histogram[0] += values.Length;
            return;
        }

        Span<int> counts = stackalloc int[bins];
        counts.Clear();
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var low = new Vector<float>(_low);
            var factor = new Vector<float>(scale);
            var top = new Vector<float>(bins - 1);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var t = Vector.Min(Vector.Max((new Vector<float>(values[i..]) - low) * factor, Vector<float>.Zero), top);
                var index = Vector.ConvertToInt32(t);
                for (int lane = 0; lane < Vector<int>.Count; lane++)
                {
                    counts[index[lane]]++;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            counts[Bin(values[i], scale)]++;
        }

        for (int b = 0; b < bins; b++)
        {
            _histogram[b] += counts[b];
        }
    }

    private int Bin(float value, float scale) => (int)Math.Clamp((value - _low) * scale, 0f, _histogram.Length - 1);

    /// <summary>The slow path for a batch holding NaN or infinite values (or squares that overflow float).</summary>
    private void AddScalar(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        if (min <= max)
        {
            SetRange(min, max);
        }

        float scale = _hasRange ? _histogram.Length / (_high - _low) : 0;
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
