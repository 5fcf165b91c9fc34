namespace Nonlinear.Diagnostics;

/// <summary>One recurrent cell at one sequence length in the vanishing-gradient-through-time experiment.</summary>
/// <param name="Cell">"rnn" (Elman, tanh) or "lstm".</param>
/// <param name="Spec">The model trained, e.g. "lstm:32,dense:4".</param>
/// <param name="Steps">T, the sequence length: the symbol to recall is T − 1 steps before the output.</param>
/// <param name="Accuracy">Accuracy on the held-out test sequences after training (chance is 1 / symbols).</param>
/// <param name="TestLoss">Mean cross-entropy on the test sequences, in nats (ln(symbols) at chance).</param>
/// <param name="Updates">Optimizer steps taken: the budget, or fewer when the training batches were solved earlier.</param>
/// <param name="InitialGradient">
/// ‖dL/dx_t‖ for t = 1..T (index 0 is the first step) before training: the norm of the loss gradient reaching the
/// input of step t, averaged over a batch of test sequences, read from the model's backward pass.
/// </param>
/// <param name="TrainedGradient">The same after training.</param>
public sealed record VanishingTimeRun(
    string Cell,
    string Spec,
    int Steps,
    double Accuracy,
    double TestLoss,
    int Updates,
    IReadOnlyList<double> InitialGradient,
    IReadOnlyList<double> TrainedGradient)
{
    /// <summary>‖dL/dx_1‖ / ‖dL/dx_T‖ before training: how much of the gradient reaches the first step (far below 1: vanished).</summary>
    public double InitialRatio => InitialGradient[0] / InitialGradient[^1];

    /// <summary>‖dL/dx_1‖ / ‖dL/dx_T‖ after training.</summary>
    public double TrainedRatio => TrainedGradient[0] / TrainedGradient[^1];
}
