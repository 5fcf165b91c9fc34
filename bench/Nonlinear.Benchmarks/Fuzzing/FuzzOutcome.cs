namespace Nonlinear.Fuzzing;

/// <summary>How one case ended.</summary>
internal enum FuzzOutcome
{
    /// <summary>The reader returned a result that passed the target's checks.</summary>
    Valid,

    /// <summary>The reader threw one of the accepted exception types with a message.</summary>
    ClearError,

    /// <summary>Anything else: another exception type, an empty message, a bad result, too slow, a hang or too much memory.</summary>
    Failure,
}
