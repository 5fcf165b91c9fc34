using System.Diagnostics;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The stretch of a load run that counts: set once the sessions have warmed up (JIT, first frames), so that
/// start-up does not dilute the rates. Until then nothing is inside it.
/// </summary>
internal sealed class MeasuringWindow
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;

    public long StartTicks => Volatile.Read(ref _start);

    public long EndTicks => Volatile.Read(ref _end);

    public double Seconds => (double)(EndTicks - StartTicks) / Stopwatch.Frequency;

    /// <summary>Opens the window now for <paramref name="length"/>.</summary>
    public void Open(TimeSpan length)
    {
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _end, now + (long)(length.TotalSeconds * Stopwatch.Frequency));
        Volatile.Write(ref _start, now);
    }

    public bool Contains(long ticks) => ticks >= StartTicks && ticks < EndTicks;
}
