namespace Nonlinear.Training;

/// <summary>Loss and accuracy of a model on a dataset.</summary>
/// <param name="Loss">Mean loss.</param>
/// <param name="Accuracy">Share of samples classified correctly (NaN for regression).</param>
/// <param name="Count">Number of samples.</param>
public readonly record struct Evaluation(double Loss, double Accuracy, int Count);
