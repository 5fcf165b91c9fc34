namespace Nonlinear.Diagnostics;

/// <summary>One training run of the dying-ReLU experiment (everything a table or a plot needs).</summary>
/// <param name="Activation">The hidden activation ("relu" or "leaky_relu").</param>
/// <param name="Spec">The model trained.</param>
/// <param name="DeadShare">
/// Per epoch, the share of hidden units (over all hidden activation layers) that were dead: derivative exactly 0 on
/// every training sample of the epoch, so that no gradient reaches their weights. For ReLU that is output 0 on
/// every sample. Leaky ReLU's derivative is never 0 (0.01 below zero), so by this definition its share is 0.
/// </param>
/// <param name="NegativeShare">
/// Per epoch, the share of hidden units whose input was at most 0 on every sample
/// (<see cref="LayerDiagnostics.NegativeShare"/>): for ReLU the same as <paramref name="DeadShare"/>; for Leaky
/// ReLU the units that sit on the 0.01 slope, still passing a gradient and able to come back.
/// </param>
/// <param name="Loss">Mean training loss per epoch.</param>
/// <param name="Accuracy">Training accuracy per epoch.</param>
/// <param name="Diagnostics">The full per-epoch diagnostics (per layer, with statistics).</param>
public sealed record DyingReluRun(
    string Activation,
    string Spec,
    IReadOnlyList<double> DeadShare,
    IReadOnlyList<double> NegativeShare,
    IReadOnlyList<double> Loss,
    IReadOnlyList<double> Accuracy,
    IReadOnlyList<EpochDiagnostics> Diagnostics);
