using System.Numerics;

namespace Nonlinear.Diagnostics;

/// <summary>Vectorised counting over spans (what TensorPrimitives does not offer).</summary>
internal static class SpanCounts
{
    /// <summary>How many values have |v| &lt; <paramref name="limit"/> (NaN never counts).</summary>
    public static long MagnitudeBelow(ReadOnlySpan<float> values, float limit)
    {
        long count = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var bound = new Vector<float>(limit);
            var hits = Vector<int>.Zero;
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                // A true lane is all ones (-1 as an integer): subtracting counts it.
                hits -= Vector.LessThan(Vector.Abs(new Vector<float>(values[i..])), bound);
            }

            count = Vector.Sum(hits);
        }

        for (; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) < limit)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>How many values are exactly zero.</summary>
    public static int Zeros(ReadOnlySpan<float> values)
    {
        int count = 0;
        foreach (float v in values)
        {
            if (v == 0)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>How many values are at most zero (NaN never counts).</summary>
    public static int AtMostZero(ReadOnlySpan<float> values)
    {
        int count = 0;
        foreach (float v in values)
        {
            if (v <= 0)
            {
                count++;
            }
        }

        return count;
    }
}
