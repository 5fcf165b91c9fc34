namespace Nonlinear.Diagnostics;

/// <summary>What the diagnostics saw in one layer of a model during one epoch (or one probe).</summary>
/// <param name="Index">0-based layer index in the model.</param>
/// <param name="Spec">The layer's spec token, e.g. "dense:64" or "relu".</param>
/// <param name="GradientNorm">L2 norm of the layer's weight gradients (biases excluded), averaged over the batches observed; NaN for layers without weights.</param>
/// <param name="DeadShare">
/// For ReLU-family activation layers (the activation's derivative is 0 on part of its domain: relu, relu6,
/// hardtanh...): the share of units whose output was zero (derivative zero) on every sample observed; NaN for
/// other layers.
/// </param>
/// <param name="SaturatedShare">
/// For saturating activation layers (sigmoid, tanh, softsign, hard variants): the share of pre-activations whose
/// derivative was below 1% of the activation's largest derivative; NaN for other layers.
/// </param>
/// <param name="Output">Statistics of the layer's outputs; null when not collected.</param>
public sealed record LayerDiagnostics(
    int Index,
    string Spec,
    double GradientNorm,
    double DeadShare,
    double SaturatedShare,
    ActivationStatistics? Output)
{
    /// <summary>
    /// For rectifier activation layers (relu, leaky_relu, elu, gelu, silu...): the share of units whose input was
    /// at most zero on every sample observed, i.e. that only ever used the activation's negative side. For ReLU
    /// this equals <see cref="DeadShare"/>; for Leaky ReLU, whose units are never exactly dead (slope 0.01 below
    /// zero), it is the comparable measure. NaN for other layers.
    /// </summary>
    public double NegativeShare { get; init; } = double.NaN;

    /// <summary>
    /// For recurrent layers (rnn, lstm, gru): the gradient norm reaching each time step and the saturation of each
    /// gate; null for other layers.
    /// </summary>
    public RecurrentDiagnostics? Recurrent { get; init; }

    /// <summary>For attention layers (attention, transformer): the entropy of the attention rows per head; null for other layers.</summary>
    public AttentionDiagnostics? Attention { get; init; }
}
