namespace Nonlinear.Diagnostics;

/// <summary>What one forward and backward pass says about how gradients travel back through a model.</summary>
/// <param name="Layers">One entry per layer with weights (dense, conv, batch norm), in model order.</param>
/// <param name="Ratio">
/// First layer's weight-gradient norm over the last one's (NaN with fewer than two): far below 1 means the
/// gradients vanish on their way back to the input, far above 1 that they explode.
/// </param>
/// <param name="Loss">The loss of the batch.</param>
public sealed record GradientFlowResult(IReadOnlyList<LayerGradientNorm> Layers, double Ratio, double Loss);
