namespace Nonlinear.Training;

/// <summary>The penalty a <see cref="Regularization"/> puts on the weights.</summary>
public enum RegularizationKind
{
    /// <summary>rate · Σ|w|: its gradient rate · sign(w) pushes every weight toward 0 by the same step, so small weights reach exactly 0 (sparse networks).</summary>
    L1,

    /// <summary>rate · Σw²/2: its gradient rate · w shrinks each weight in proportion to its size ("weight decay").</summary>
    L2,
}
