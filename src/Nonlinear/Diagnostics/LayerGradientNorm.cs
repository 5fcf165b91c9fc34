namespace Nonlinear.Diagnostics;

/// <summary>The L2 norm of one layer's weight gradient (biases excluded).</summary>
/// <param name="Index">0-based layer index in the model.</param>
/// <param name="Spec">The layer's spec token, e.g. "dense:64".</param>
/// <param name="Norm">sqrt(sum of squared dLoss/dWeight).</param>
public sealed record LayerGradientNorm(int Index, string Spec, double Norm);
