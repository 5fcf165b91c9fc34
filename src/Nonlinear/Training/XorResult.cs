namespace Nonlinear.Training;

/// <summary>One row of the XOR experiment.</summary>
/// <param name="Activation">The hidden activation ("none" for the linear model).</param>
/// <param name="Spec">The model trained.</param>
/// <param name="Correct">Points of the four classified correctly after training.</param>
/// <param name="EpochsTo100">First epoch after which all four were right (null: never).</param>
/// <param name="FinalLoss">Binary cross-entropy after the last epoch.</param>
public sealed record XorResult(string Activation, string Spec, int Correct, int? EpochsTo100, double FinalLoss);
