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
}
