using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Training;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// One training of a learner's network, as a training exercise runs it on the server: epoch after epoch with the
/// exercise's data seed (the playground's own loop), the test accuracy measured after every epoch, and the advisor's
/// reading of the training diagnostics at the end.
/// </summary>
/// <param name="Epochs">Epochs trained (the one that diverged included).</param>
/// <param name="MaxEpochs">The exercise's budget.</param>
/// <param name="TrainAccuracy">Accuracy on the training points after the last epoch; NaN after a divergence.</param>
/// <param name="TestAccuracy">Accuracy on the test points after the last epoch; NaN after a divergence.</param>
/// <param name="ReachedAt">The first epoch whose test accuracy reached the target, or null.</param>
/// <param name="Diverged">The divergence message (a NaN or infinity in the loss), or null.</param>
/// <param name="Stopped">Training was stopped before its budget (the time limit or the request's end).</param>
/// <param name="RuntimeAdvice">The advisor on the diagnostics of the whole run (<see cref="Advisor.FromHistory"/>).</param>
internal sealed record TrainingRun(
    int Epochs, int MaxEpochs, double TrainAccuracy, double TestAccuracy, int? ReachedAt, string? Diverged, bool Stopped, IReadOnlyList<Advice> RuntimeAdvice)
{
    /// <summary>
    /// Trains <paramref name="network"/> on <paramref name="data"/> for up to <paramref name="epochs"/> epochs, as the
    /// playground does (<see cref="Trainer.TrainEpoch"/> with the data seed), stopping at the first epoch that reaches
    /// <paramref name="target"/> when <paramref name="stopAtTarget"/>, or when <paramref name="cancellation"/> fires.
    /// </summary>
    public static TrainingRun Train(
        PlaygroundNetwork network, PlaygroundSplit data, int batchSize, int dataSeed, int epochs, double target, bool stopAtTarget, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);

        // Evaluation copies keep one batch size each, so the trained model never reallocates between epochs.
        var testModel = network.Copy();
        int trained = 0;
        int? reachedAt = null;
        string? diverged = null;
        bool stopped = false;
        double test = double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            try
            {
                if (cancellation.IsCancellationRequested || network.Trainer.TrainEpoch(data.Train, epoch, batchSize, dataSeed, cancellation) is null)
                {
                    stopped = true;
                    break;
                }
            }
            catch (TrainingDivergedException e)
            {
                trained = epoch;
                diverged = e.Message;
                break;
            }

            trained = epoch;
            test = Accuracy(network, testModel, data.Test);
            if (Reaches(test, target) && reachedAt is null)
            {
                reachedAt = epoch;
                if (stopAtTarget)
                {
                    break;
                }
            }
        }

        double train = diverged is null && trained > 0 ? Accuracy(network, network.Copy(), data.Train) : double.NaN;
        if (diverged is not null)
        {
            test = double.NaN;
        }

        return new TrainingRun(trained, epochs, train, test, reachedAt, diverged, stopped, Advisor.FromHistory(network.Diagnostics.History));
    }

    /// <summary>Whether <paramref name="accuracy"/> reaches <paramref name="target"/> (a hair of slack: 225/250 is 0.9).</summary>
    public static bool Reaches(double accuracy, double target) => accuracy >= target - 1e-9;

    private static double Accuracy(PlaygroundNetwork network, Nonlinear.Models.Sequential copy, Dataset data)
    {
        PlaygroundSession.CopyWeights(network.Model, copy);
        var output = copy.Forward(data.Features, training: false);
        return (double)Trainer.Correct(output, data.Targets, data.Task) / data.Count;
    }
}
