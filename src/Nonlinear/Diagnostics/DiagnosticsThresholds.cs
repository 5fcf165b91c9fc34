namespace Nonlinear.Diagnostics;

/// <summary>When the diagnostics and the advisor call something a problem; every threshold can be changed.</summary>
public sealed record DiagnosticsThresholds
{
    /// <summary>A first/last weight-gradient ratio below this means vanishing gradients (default 1e-3).</summary>
    public double VanishingRatio { get; init; } = 1e-3;

    /// <summary>A first/last weight-gradient ratio above this means exploding gradients (default 1e3).</summary>
    public double ExplodingRatio { get; init; } = 1e3;

    /// <summary>A layer with more than this share of dead units gets a warning (default 0.5).</summary>
    public double DeadShare { get; init; } = 0.5;

    /// <summary>A layer with more than this share of saturated pre-activations gets a warning (default 0.5).</summary>
    public double SaturatedShare { get; init; } = 0.5;

    /// <summary>A derivative below this fraction of the activation's largest derivative counts as saturated (default 0.01).</summary>
    public double SaturationDerivative { get; init; } = 0.01;

    /// <summary>
    /// A recurrent gate value within this fraction of its activation's range from either end counts as saturated
    /// (default 0.01: a sigmoid gate below 0.01 or above 0.99, a tanh one beyond ±0.98).
    /// </summary>
    public double GateSaturation { get; init; } = 0.01;

    /// <summary>The defaults.</summary>
    public static DiagnosticsThresholds Default { get; } = new();
}
