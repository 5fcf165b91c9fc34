namespace Nonlinear.Data;

/// <summary>What a <see cref="Dataset"/>'s targets mean, which fixes their shape and allowed values.</summary>
public enum TaskKind
{
    /// <summary>Real-valued targets of shape [N, T]; any finite value.</summary>
    Regression,

    /// <summary>Two classes; targets of shape [N, 1] holding 0 or 1 (the form a single sigmoid output is trained on).</summary>
    Binary,

    /// <summary>K classes; targets of shape [N] holding the class index 0..K-1 as a float.</summary>
    Multiclass,

    /// <summary>
    /// K classes at every time step (e.g. next-character prediction): targets of shape [N, T] holding the class
    /// index 0..K-1 as a float, or -1 (<see cref="Losses.SequenceCrossEntropy.IgnoreIndex"/>) at padded steps;
    /// T is the features' T when they are [N, T] token ids or [N, T, F]. Accuracy and loss are over real steps.
    /// </summary>
    Sequence,
}
