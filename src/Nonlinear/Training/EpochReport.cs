namespace Nonlinear.Training;

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean training loss over the epoch.</param>
/// <param name="Accuracy">Training accuracy over the epoch (NaN for regression).</param>
/// <param name="ValidationLoss">Validation loss after the epoch (NaN without validation data).</param>
/// <param name="ValidationAccuracy">Validation accuracy after the epoch (NaN without validation data or for regression).</param>
/// <param name="LearningRate">The learning rate used during the epoch.</param>
/// <param name="Elapsed">Wall time of the epoch's training (without validation).</param>
public readonly record struct EpochReport(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy, double LearningRate, TimeSpan Elapsed);
