namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The numbers of an exercise drawn from its seed: SplitMix64, written out here because System.Random's sequence for
/// a seed is not promised to stay the same across .NET versions, and a learner's exercise must.
/// </summary>
internal sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>64 random bits.</summary>
    public ulong Bits()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>An integer in [0, <paramref name="count"/>).</summary>
    public int Below(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return (int)(Bits() % (ulong)count);
    }

    /// <summary>A double in [0, 1).</summary>
    public double Unit() => (Bits() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => Unit() < probability;

    /// <summary>One of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Below(items.Count)];
    }

    /// <summary>The items in a random order (Fisher-Yates).</summary>
    public List<T> Shuffled<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    /// <summary>
    /// A number a learner can type and multiply by hand: at most <paramref name="decimals"/> decimals, in
    /// [<paramref name="min"/>, <paramref name="max"/>], and at least <paramref name="smallest"/> away from 0.
    /// </summary>
    public double Nice(double min, double max, int decimals, double smallest = 0)
    {
        double scale = Math.Pow(10, decimals);
        long low = (long)Math.Ceiling(min * scale), high = (long)Math.Floor(max * scale);
        if (high < low)
        {
            throw new ArgumentException($"No number with {decimals} decimals lies in [{min}, {max}].");
        }

        for (int tries = 0; tries < 64; tries++)
        {
            double value = Math.Round((low + (long)(Unit() * (high - low + 1))) / scale, decimals);
            if (Math.Abs(value) >= smallest && value >= min && value <= max)
            {
                return value;
            }
        }

        // Only reached when almost all of the range is excluded; the bound itself qualifies.
        return Math.Abs(max) >= smallest ? Math.Round(max, decimals) : Math.Round(min, decimals);
    }

    /// <summary>Like <see cref="Nice"/> with one or two decimals, chosen at random (two a third of the time).</summary>
    public double Nice12(double min, double max, double smallest = 0) => Nice(min, max, Chance(1.0 / 3) ? 2 : 1, smallest);
}
