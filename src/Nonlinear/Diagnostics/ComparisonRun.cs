using Nonlinear.Models;
using Nonlinear.Training;

namespace Nonlinear.Diagnostics;

/// <summary>One trained model of a comparison: one activation, one seed.</summary>
/// <param name="Activation">The activation spec compared, e.g. "relu".</param>
/// <param name="Seed">The seed of its weights and shuffling.</param>
/// <param name="Model">The trained model.</param>
/// <param name="History">Loss and accuracy per epoch; the validation columns are the test set's.</param>
/// <param name="TestAccuracy">Accuracy on the test set after the last epoch.</param>
/// <param name="EpochsToTarget">The first epoch whose test accuracy reached the target, or null.</param>
/// <param name="Seconds">Wall time of the training (test evaluations included).</param>
/// <param name="Diagnostics">Per-epoch diagnostics (empty when they were off).</param>
public sealed record ComparisonRun(
    string Activation,
    int Seed,
    Sequential Model,
    TrainingHistory History,
    double TestAccuracy,
    int? EpochsToTarget,
    double Seconds,
    IReadOnlyList<EpochDiagnostics> Diagnostics)
{
    /// <summary>
    /// The share of dead units at the last epoch, averaged over the layers where it is defined (ReLU-like
    /// activations); NaN when no layer has it.
    /// </summary>
    public double FinalDeadShare
    {
        get
        {
            if (Diagnostics.Count == 0)
            {
                return double.NaN;
            }

            var shares = Diagnostics[^1].Layers.Select(l => l.DeadShare).Where(d => !double.IsNaN(d)).ToArray();
            return shares.Length == 0 ? double.NaN : shares.Average();
        }
    }

    /// <summary>First/last weight-gradient ratio at the last epoch (NaN without diagnostics).</summary>
    public double FinalGradientRatio => Diagnostics.Count == 0 ? double.NaN : Diagnostics[^1].GradientRatio;

    /// <summary>Loss on the test set after the last epoch (for a sequence model, nats per step).</summary>
    public double TestLoss => History.Epochs.Count == 0 ? double.NaN : History.Last.ValidationLoss;

    /// <summary>
    /// The first recurrent layer's ||dL/dh_1|| / ||dL/dh_T|| at the last epoch (see
    /// <see cref="RecurrentDiagnostics.StepGradientRatio"/>); NaN without a recurrent layer or diagnostics.
    /// </summary>
    public double FinalStepGradientRatio => FirstRecurrent?.StepGradientRatio ?? double.NaN;

    /// <summary>
    /// The first recurrent layer's saturated share at the last epoch, over its gates with a bounded activation
    /// (for an RNN, its state); NaN without one, or for an unbounded activation (relu).
    /// </summary>
    public double FinalSaturation => FirstRecurrent?.MeanSaturation ?? double.NaN;

    private RecurrentDiagnostics? FirstRecurrent => Diagnostics.Count == 0 ? null : Diagnostics[^1].Layers.Select(l => l.Recurrent).FirstOrDefault(r => r is not null);
}
