namespace Nonlinear.Fuzzing;

/// <summary>One case: what was fed to the reader, how it ended, how long it took and what it allocated.</summary>
/// <param name="Index">The case number within the run (with the run seed, it regenerates the input).</param>
/// <param name="Mutations">The mutations applied, in order.</param>
/// <param name="Outcome">Valid, clear error or failure.</param>
/// <param name="Detail">The exception type name of an error, or why the case failed.</param>
/// <param name="Message">The exception's message, if any.</param>
/// <param name="Seconds">Wall-clock time inside the reader (for a hang: the time waited).</param>
/// <param name="AllocatedBytes">Bytes allocated by the reader's thread during the call (-1 for a hang).</param>
internal sealed record FuzzCaseResult(int Index, string Mutations, FuzzOutcome Outcome, string Detail, string? Message, double Seconds, long AllocatedBytes)
{
    /// <summary>CPU time of the reader's thread (10 ms resolution), or null where the platform does not tell it.</summary>
    public double? CpuSeconds { get; init; }
}
