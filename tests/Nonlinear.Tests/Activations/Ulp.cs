namespace Nonlinear.Tests.Activations;

/// <summary>Distances in float32 units in the last place, for comparing a float kernel with a float64 reference.</summary>
internal static class Ulp
{
    /// <summary>The smallest normal float: below it results are subnormal and compared absolutely.</summary>
    public const double SubnormalFloor = 1.1754943508222875e-38;

    /// <summary>The spacing of float32 values around |expected| (never less than the subnormal step).</summary>
    public static double Of(double expected)
    {
        float f = (float)Math.Abs(expected);
        if (float.IsInfinity(f))
        {
            f = float.MaxValue;
        }

        return Math.Max(MathF.BitIncrement(f) - (double)f, 1.401298464324817e-45);
    }

    /// <summary>
    /// True when <paramref name="actual"/> is within <paramref name="ulps"/> ulp of <paramref name="expected"/>,
    /// or within <paramref name="floor"/> absolutely; NaN matches NaN, infinities must match exactly, and
    /// +0 equals -0.
    /// </summary>
    public static bool Close(float actual, double expected, double ulps, double floor)
    {
        if (double.IsNaN(expected) || float.IsNaN(actual))
        {
            return double.IsNaN(expected) && float.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || float.IsInfinity(actual))
        {
            // A finite float64 value beyond float.MaxValue rounds to infinity.
            return (float)expected == actual;
        }

        double err = Math.Abs(actual - expected);
        return err <= floor || err <= ulps * Of(expected);
    }

    /// <summary>Error in ulp (for reporting).</summary>
    public static double Distance(float actual, double expected)
        => double.IsNaN(expected) || double.IsInfinity(expected) ? (actual.Equals((float)expected) ? 0 : double.PositiveInfinity) : Math.Abs(actual - expected) / Of(expected);
}
