using System.Collections.Concurrent;
using System.Globalization;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The dying widget: two small networks, one with ReLU and one with Leaky ReLU, trained on a playground dataset with
/// a learning rate that is too large (Adam), the same seed for both; per epoch the share of hidden units that are
/// dead (the library's <see cref="TrainingDiagnostics"/>) and the loss. Answers are cached by their parameters: the
/// same lesson asks the same question of every learner.
/// </summary>
/// <remarks>
/// A ReLU unit is dead when its input was at most 0 on every training point of the epoch: its derivative is then 0
/// everywhere and no step can revive it. A Leaky ReLU unit in the same place (<see cref="LayerDiagnostics.NegativeShare"/>)
/// still passes alpha times the gradient, so it can come back; its "dead" share in the library's sense is 0.
/// </remarks>
internal static class DyingWidget
{
    /// <summary>Two hidden layers of this many units each (the playground's size, so the picture matches).</summary>
    public const int Width = 8;

    public const int BatchSize = 10;

    private const int MaxCached = 64;

    private static readonly ConcurrentDictionary<string, Lazy<object>> Cache = new(StringComparer.Ordinal);

    public static object Answer(DyingWidgetRequest body)
    {
        string dataset = WidgetInput.Choice(body.Dataset, "dataset", PlaygroundData.ClassificationNames, "circle");
        double rate = WidgetInput.Between(body.LearningRate, "learningRate", 0.0001, 3, 0.3);
        int epochs = WidgetInput.Count(body.Epochs, "epochs", 1, 30, 15);
        double alpha = WidgetInput.Between(body.Alpha, "alpha", 0.001, 0.5, 0.1);
        int seed = WidgetInput.Count(body.Seed, "seed", 0, 1_000_000, 1);
        string key = string.Create(CultureInfo.InvariantCulture, $"{dataset}|{rate:R}|{epochs}|{alpha:R}|{seed}");
        if (Cache.Count >= MaxCached && !Cache.ContainsKey(key))
        {
            Cache.Clear();
        }

        // Lazy: two learners opening the lesson at once train once.
        return Cache.GetOrAdd(key, _ => new Lazy<object>(() => Run(dataset, rate, epochs, alpha, seed))).Value;
    }

    private static object Run(string dataset, double rate, int epochs, double alpha, int seed)
    {
        var points = PlaygroundData.Generate(dataset, 2, noisePercent: 0, seed);
        var data = PlaygroundSession.ToDataset(dataset, points, ["x", "y"], TaskKind.Binary, 2);
        string leaky = "leaky_relu:" + alpha.ToString("R", CultureInfo.InvariantCulture);
        return new
        {
            dataset,
            learningRate = rate,
            optimizer = "adam",
            epochs,
            alpha,
            seed,
            samples = data.Count,
            units = 2 * Width,
            runs = new[] { Train("relu", data, rate, epochs, seed), Train(leaky, data, rate, epochs, seed) },
        };
    }

    private static object Train(string activation, Dataset data, double rate, int epochs, int seed)
    {
        string spec = $"dense:{Width},{activation},dense:{Width},{activation},dense:1";
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(2), seed);
        var diagnostics = new TrainingDiagnostics();
        var trainer = new Trainer(model, TaskDefaults.Loss(TaskKind.Binary), new Adam(rate)) { Diagnostics = diagnostics };
        var loss = new List<double>();
        var accuracy = new List<double>();
        string? diverged = null;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            try
            {
                var report = trainer.TrainEpoch(data, epoch, BatchSize, seed)!.Value;
                loss.Add(report.Loss);
                accuracy.Add(report.Accuracy);
            }
            catch (TrainingDivergedException e)
            {
                diverged = e.Message;
                break;
            }
        }

        // One entry per completed epoch; a diverged epoch's diagnostics (kept by the library) are left out with it.
        var history = diagnostics.History.Take(loss.Count).ToList();
        return new
        {
            activation = model.Layers[1].Spec,
            spec = model.Spec,
            deadShare = history.Select(e => DyingReluExperiment.Share(model, e, l => double.IsNaN(l.DeadShare) ? 0 : l.DeadShare)).ToArray(),
            negativeShare = history.Select(e => DyingReluExperiment.Share(model, e, l => l.NegativeShare)).ToArray(),
            loss,
            accuracy,
            diverged,
        };
    }
}
