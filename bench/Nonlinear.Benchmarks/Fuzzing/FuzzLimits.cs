namespace Nonlinear.Fuzzing;

/// <summary>What one case may cost before it counts as a failure.</summary>
/// <param name="MaxSeconds">Longest time in the reader; null to not judge time (unit tests: no timed assertions).</param>
/// <param name="MaxAllocatedBytes">Most bytes the reader may allocate for one input.</param>
/// <param name="HangSeconds">How long the runner waits before it reports a hang and moves on.</param>
internal sealed record FuzzLimits(double? MaxSeconds, long MaxAllocatedBytes, double HangSeconds)
{
    /// <summary>The limits of the issue: 1 s, 64 MB, a hang after 10 s.</summary>
    public static FuzzLimits Full { get; } = new(1.0, 64L << 20, 10);
}
