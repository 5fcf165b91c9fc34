using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// The library's training diagnostics (<see cref="TrainingDiagnostics"/>) on a trained model without training it:
/// every batch of the data goes forward (inference mode: dropout off, batch normalisation on its running statistics)
/// and its loss gradient backward, and the diagnostics observe each batch as they would during training; no
/// optimizer step follows, so the weights are unchanged. The result is one <see cref="EpochDiagnostics"/>: dead units,
/// saturation and negative shares over all the samples, output statistics, and weight-gradient norms per layer.
/// </summary>
internal static class ModelProbe
{
    /// <summary>The diagnostics of one pass over <paramref name="data"/> (already normalised as the model expects).</summary>
    public static EpochDiagnostics Run(Sequential model, Dataset data, Loss loss, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        var diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 };
        ITrainingObserver observer = diagnostics;
        var batches = new BatchIterator(data, batchSize, shuffle: false, seed: 0);
        try
        {
            for (int b = 0; b < batches.BatchesPerEpoch; b++)
            {
                batches.Fill(0, b, out var x, out var y);
                model.ZeroGradients();
                var output = model.Forward(x, training: false);
                var gradient = new Tensor(output.Shape);
                double value = loss.Compute(output, y, gradient);
                if (!double.IsFinite(value))
                {
                    // As the trainer does: the diagnostics locate the first non-finite value; no backward pass.
                    observer.Diverged(model, x, 1, b + 1);
                    return diagnostics.Latest!;
                }

                model.BackwardParameters(gradient);
                observer.BatchEnded(model, x, 1, b + 1);
            }

            observer.EpochEnded(model, 1);
            return diagnostics.Latest!;
        }
        finally
        {
            model.ZeroGradients();
        }
    }
}
