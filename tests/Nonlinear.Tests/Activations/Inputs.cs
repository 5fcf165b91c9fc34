namespace Nonlinear.Tests.Activations;

/// <summary>The inputs every elementwise activation is checked on.</summary>
internal static class Inputs
{
    /// <summary>The extremes named by the issue: ±0, subnormals, ±1e-30, ±88.7, ±89, ±1e4, ±3.4e38, ±inf, NaN, and more.</summary>
    public static readonly float[] Extremes = Symmetric(
    [
        0f, 1.401298464e-45f, 1e-40f, 1.17549435e-38f, 1e-30f, 1e-20f, 1e-8f, 1e-4f, 0.5f, 1f, 3f, 6f, 20f, 20.5f,
        30f, 50f, 88.5f, 88.7f, 88.72f, 88.8f, 89f, 100f, 104f, 1000f, 1e4f, 1e10f, 3.4e38f, float.MaxValue,
        float.PositiveInfinity,
    ]).Append(float.NaN).ToArray();

    /// <summary>A dense sweep of [-100, 100] in steps of 1/1024 (every point an exact float).</summary>
    public static float[] Sweep()
    {
        var xs = new float[200 * 1024 + 1];
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i] = -100f + i / 1024f;
        }

        return xs;
    }

    /// <summary>Random bit patterns: every exponent from subnormal to huge, both signs (NaNs excluded).</summary>
    public static float[] RandomBits(int count, int seed)
    {
        var rng = new Random(seed);
        var xs = new float[count];
        for (int i = 0; i < count; i++)
        {
            float f;
            do
            {
                f = BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next(2) << 31));
            }
            while (!float.IsFinite(f));
            xs[i] = f;
        }

        return xs;
    }

    public static float[] All() => [.. Extremes, .. Sweep(), .. RandomBits(50_000, 7)];

    private static IEnumerable<float> Symmetric(float[] xs) => xs.Concat(xs.Select(x => -x));
}
