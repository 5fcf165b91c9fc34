namespace Nonlinear.Diagnostics;

/// <summary>The diagnostics of one epoch: one entry per layer, the gradient-flow ratio and the first non-finite value.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Layers">One entry per layer of the model, in order.</param>
/// <param name="GradientRatio">
/// Weight-gradient norm of the first layer with weights divided by that of the last one (NaN with fewer than two
/// such layers). Far below 1 (e.g. under 1e-3): gradients vanish on their way back; far above 1 (over 1e3): they explode.
/// </param>
/// <param name="FirstNonFinite">
/// Where a NaN or infinity first appeared ("epoch 3, batch 17, layer 4 (relu)"), or null when every value was finite.
/// </param>
public sealed record EpochDiagnostics(
    int Epoch,
    IReadOnlyList<LayerDiagnostics> Layers,
    double GradientRatio,
    string? FirstNonFinite);
