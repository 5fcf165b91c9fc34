using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Training;

/// <summary>
/// Something that watches a <see cref="Trainer"/> from inside its loop, where the layer outputs and the
/// gradients of a batch are still in place (e.g. <c>Nonlinear.Diagnostics.TrainingDiagnostics</c>). The trainer
/// knows only this interface, so the core does not depend on the diagnostics.
/// </summary>
/// <remarks>
/// Calls come on the training thread. An observer must not change the model's parameters or gradients, and
/// should allocate nothing per batch in steady state (training does not).
/// </remarks>
public interface ITrainingObserver
{
    /// <summary>
    /// A batch has been through forward and backward; the optimizer has not stepped yet. Every layer's
    /// <c>LastOutput</c> holds this batch, and every parameter's gradient is this batch's gradient.
    /// </summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="input">The batch as the first layer saw it (after augmentation).</param>
    /// <param name="epoch">1-based epoch of the current <see cref="Trainer.Fit(Nonlinear.Data.Dataset, int, int, int, Nonlinear.Data.Dataset?, CancellationToken)"/> call.</param>
    /// <param name="batch">1-based batch within the epoch.</param>
    void BatchEnded(Sequential model, Tensor input, int epoch, int batch);

    /// <summary>
    /// The loss of a batch was not finite: forward ran, backward did not, and the trainer is about to throw
    /// <see cref="TrainingDivergedException"/>. Layer outputs hold the diverging batch.
    /// </summary>
    void Diverged(Sequential model, Tensor input, int epoch, int batch);

    /// <summary>Every batch of an epoch has been observed (called before <see cref="Trainer.EpochEnded"/> is raised).</summary>
    void EpochEnded(Sequential model, int epoch);
}
