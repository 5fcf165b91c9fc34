using System.Diagnostics;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Training;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Trains the same architecture once per activation and seed on the same data and reports what each activation
/// did: test accuracy (mean and spread over seeds), epochs to a target accuracy, wall time, the final share of
/// dead units and the gradient-flow ratio. With "identity" the network is one affine map, so its row is the linear
/// model's ceiling.
/// </summary>
/// <example><code>
/// var rows = ActivationComparison.Run(train, test, ["identity", "tanh", "relu"], new ComparisonSettings { Epochs = 200 });
/// </code></example>
public static class ActivationComparison
{
    /// <summary>The activations compared when none are named.</summary>
    public static IReadOnlyList<string> DefaultActivations { get; } = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu"];

    /// <summary>
    /// Runs the comparison. Images ([C, H, W] samples) are flattened first. The loss and the output layer follow
    /// the task (see <see cref="TaskDefaults"/>). <paramref name="runEnded"/> is called after each run (progress).
    /// </summary>
    /// <exception cref="ArgumentException">No activations, no seeds, a regression task (accuracy is undefined), or an activation that does not parse.</exception>
    public static IReadOnlyList<ComparisonRow> Run(Dataset train, Dataset test, IReadOnlyList<string> activations, ComparisonSettings settings, Action<ComparisonRun>? runEnded = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(settings);
        if (activations.Count == 0 || settings.Seeds.Count == 0)
        {
            throw new ArgumentException("A comparison needs at least one activation and one seed.");
        }

        if (train.Task == TaskKind.Regression)
        {
            throw new ArgumentException($"The data '{train.Name}' is a regression task; a comparison ranks activations by accuracy, so it needs classes.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.BatchSize, 1);
        var rows = new List<ComparisonRow>(activations.Count);
        foreach (var activation in activations)
        {
            string spec = Spec(train, settings.HiddenWidths, activation);
            var runs = new List<ComparisonRun>(settings.Seeds.Count);
            foreach (int seed in settings.Seeds)
            {
                var run = Train(train, test, activation, spec, seed, settings);
                runs.Add(run);
                runEnded?.Invoke(run);
            }

            rows.Add(new ComparisonRow(activation, spec, runs));
        }

        return rows;
    }

    /// <summary>The model spec for one activation: hidden widths each followed by it, then the output layer.</summary>
    public static string Spec(Dataset data, string hiddenWidths, string activation)
    {
        ArgumentNullException.ThrowIfNull(data);
        string spec = TaskDefaults.Spec(hiddenWidths, activation, TaskDefaults.Outputs(data));
        return data.FeatureShape.Rank > 1 ? "flatten," + spec : spec;
    }

    private static ComparisonRun Train(Dataset train, Dataset test, string activation, string spec, int seed, ComparisonSettings settings)
    {
        var model = Sequential.Parse(spec);
        model.Build(train.FeatureShape, seed);
        var optimizer = Optimizer.Create(settings.Optimizer, settings.LearningRate);
        optimizer.ClipNorm = settings.ClipNorm;
        var trainer = new Trainer(model, TaskDefaults.Loss(train.Task), optimizer);
        var diagnostics = settings.Diagnostics ? new TrainingDiagnostics() : null;
        trainer.Diagnostics = diagnostics;
        var clock = Stopwatch.StartNew();

        // The test set rides along as the validation set: its accuracy per epoch gives the epochs to the target.
        var history = trainer.Fit(train, settings.Epochs, settings.BatchSize, seed, test);
        double seconds = clock.Elapsed.TotalSeconds;
        int? reached = null;
        foreach (var e in history.Epochs)
        {
            if (e.ValidationAccuracy >= settings.TargetAccuracy)
            {
                reached = e.Epoch;
                break;
            }
        }

        return new ComparisonRun(activation, seed, model, history, history.Last.ValidationAccuracy, reached, seconds, diagnostics?.History.ToArray() ?? []);
    }
}
