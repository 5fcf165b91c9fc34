namespace Nonlinear.Training;

/// <summary>Raised after every training batch (a struct: no allocation per batch).</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="BatchesPerEpoch">Batches in each epoch.</param>
/// <param name="Loss">Mean loss of this batch.</param>
/// <param name="RunningLoss">Mean loss over the epoch so far.</param>
/// <param name="RunningAccuracy">Accuracy over the epoch so far (NaN for regression).</param>
/// <param name="Samples">Samples seen in the epoch so far.</param>
public readonly record struct BatchReport(int Epoch, int Batch, int BatchesPerEpoch, double Loss, double RunningLoss, double RunningAccuracy, int Samples);
