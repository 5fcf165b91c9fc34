namespace Nonlinear.Diagnostics;

/// <summary>The thresholds of the <see cref="Advisor"/>'s static checks (runtime ones use <see cref="DiagnosticsThresholds"/>).</summary>
public sealed record AdvisorOptions
{
    /// <summary>
    /// This many hidden saturating activations (sigmoid, tanh, ...) not preceded by batch normalisation make a
    /// "deep-saturating" warning (default 5: 0.25^5 ≈ 1e-3 bounds the gradient through five sigmoids).
    /// </summary>
    public int DeepSaturatingLayers { get; init; } = 5;

    /// <summary>Leaky ReLU slopes below this are flagged as behaving like ReLU (default 0.01).</summary>
    public double LeakyAlphaMin { get; init; } = 0.01;

    /// <summary>Leaky ReLU slopes above this are flagged as nearly linear (default 0.3).</summary>
    public double LeakyAlphaMax { get; init; } = 0.3;

    /// <summary>
    /// Over a training history, a layer whose dead share grew by at least this much (first to last epoch) gets a
    /// "dead-units-growing" note even under the dead-share threshold (default 0.2).
    /// </summary>
    public double DeadShareGrowth { get; init; } = 0.2;

    /// <summary>The defaults.</summary>
    public static AdvisorOptions Default { get; } = new();
}
