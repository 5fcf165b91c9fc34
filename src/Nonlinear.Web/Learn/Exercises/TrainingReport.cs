namespace Nonlinear.Web.Learn.Exercises;

/// <summary>What the server measured when it re-trained a learner's answer: the verdict's <c>training</c> object.</summary>
/// <param name="Epochs">Epochs trained (a make-it-learn check stops at the first epoch that reaches the target); 0 when not trained.</param>
/// <param name="MaxEpochs">The exercise's budget N.</param>
/// <param name="TrainAccuracy">Accuracy on the training points at the end; null when not trained or diverged.</param>
/// <param name="TestAccuracy">Accuracy on the test points at the end; null when not trained or diverged.</param>
/// <param name="Target">The test accuracy to reach.</param>
/// <param name="Overridden">The learner's settings the exercise replaced, one sentence each (e.g. "noise 0 % (yours: 20 %)").</param>
/// <param name="Advice">The advisor's findings before and during training.</param>
internal sealed record TrainingReport(
    int Epochs, int MaxEpochs, double? TrainAccuracy, double? TestAccuracy, double Target, IReadOnlyList<string> Overridden, IReadOnlyList<TrainingAdvice> Advice);
