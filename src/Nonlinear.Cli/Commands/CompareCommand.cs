using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Plots;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear compare --data spiral --activations identity,tanh,relu --layers 64,64 --epochs 200 --seeds 3
/// [--report out/]</c>: the same network trained with each activation on the same data; a table of test accuracy
/// (mean ± sd over seeds), epochs to a target accuracy, wall time, final dead share and gradient ratio, and with
/// <c>--report</c> a self-contained HTML page with the plots.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliContext context)
    {
        var source = new DataSource.Options();
        var activations = new Option<string>("--activations") { Description = "Activations to compare, comma-separated (identity shows the linear model's ceiling)", DefaultValueFactory = _ => string.Join(",", ActivationComparison.DefaultActivations) };
        var layers = new Option<string>("--layers") { Description = "Hidden layer widths, each followed by the activation compared", DefaultValueFactory = _ => "64,64" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs per run (default: 200 on synthetic data, 5 on images, 100 on CSV tables)" };
        var seeds = new Option<int>("--seeds") { Description = "Runs per activation, with seeds 1..N", DefaultValueFactory = _ => 3 };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: 0.01; 0.001 on images)" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov, adam or adamw", DefaultValueFactory = _ => "adam" };
        var batch = new Option<int?>("--batch") { Description = "Mini-batch size (default: 32; 128 on images)" };
        var target = new Option<double>("--target") { Description = "Test accuracy whose first epoch is reported", DefaultValueFactory = _ => 0.9 };
        var clip = ClipOption.Create();
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report with plots into this directory (index.html)" };
        var json = JsonOption.Create("the comparison");
        var command = new Command("compare", "Train the same network with each activation and compare them (table; HTML report with --report)");
        foreach (var option in source.All.Concat([activations, layers, epochs, seeds, lr, optimizer, batch, clip, target, report, json]))
        {
            command.Add(option);
        }

        command.SetAction(parseResult =>
        {
            int seedCount = parseResult.GetValue(seeds);
            DemoCommand.CheckPositive(seedCount, "--seeds");
            double targetAccuracy = parseResult.GetValue(target);
            if (!(targetAccuracy > 0 && targetAccuracy <= 1))
            {
                throw new CliUsageException($"--target must be in (0, 1]; found {targetAccuracy.ToString(CultureInfo.InvariantCulture)}.");
            }

            var names = parseResult.GetValue(activations)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0)
            {
                throw new CliUsageException("--activations is empty; name at least one, e.g. identity,relu.");
            }

            foreach (var name in names)
            {
                Activations.ActivationRegistry.Parse(name); // an unknown name fails here, with suggestions, before any training
            }

            if (parseResult.GetValue(report) is { } reportDirectory)
            {
                OutputFile.Write(reportDirectory, () => Directory.CreateDirectory(reportDirectory)); // fail before training, not after
            }

            var data = source.Load(parseResult, seed: 1);
            var kind = data.Kind;
            var (train, test) = data.Test is { } t ? (data.Train, t) : data.Train.Split(0.25, 1);
            if (TrainCommand.Normalize("auto", kind, train) is { } normalization)
            {
                (train, test) = (normalization.Apply(train), normalization.Apply(test));
            }

            var settings = new ComparisonSettings
            {
                HiddenWidths = parseResult.GetValue(layers)!,
                Epochs = parseResult.GetValue(epochs) ?? kind switch { DataSource.DataKind.Synthetic => 200, DataSource.DataKind.Images => 5, _ => 100 },
                BatchSize = parseResult.GetValue(batch) ?? (kind == DataSource.DataKind.Images ? 128 : 32),
                LearningRate = parseResult.GetValue(lr) ?? (kind == DataSource.DataKind.Images ? 0.001 : 0.01),
                Optimizer = parseResult.GetValue(optimizer)!,
                Seeds = Enumerable.Range(1, seedCount).ToArray(),
                TargetAccuracy = targetAccuracy,
                ClipNorm = ClipOption.Get(parseResult, clip),
            };
            DemoCommand.CheckPositive(settings.Epochs, "--epochs");
            DemoCommand.CheckPositive(settings.BatchSize, "--batch");
            Optimizers.Optimizer.Create(settings.Optimizer, settings.LearningRate); // validates the name before training

            bool asJson = parseResult.GetValue(json);
            int total = names.Length * seedCount, done = 0;
            var rows = ActivationComparison.Run(train, test, names, settings, run =>
            {
                done++;
                if (!asJson)
                {
                    context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{done}/{total}] {run.Activation} seed {run.Seed}: test accuracy {run.TestAccuracy:F4} ({run.Seconds:F1} s)"));
                }
            });
            string description = data.Test is null ? $"{data.Description}; {train.Count} for training, {test.Count} held out for testing" : data.Description;
            string? page = parseResult.GetValue(report) is { } directory
                ? OutputFile.Write(directory, () => ComparisonReport.Write(directory, rows, test, settings, description))
                : null;
            if (asJson)
            {
                WriteJson(context, rows, settings, description, page);
            }
            else
            {
                WriteTable(context, rows, settings, description, page);
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(CliContext context, IReadOnlyList<ComparisonRow> rows, ComparisonSettings s, string description, string? page)
    {
        var console = context.CreateConsole();
        console.WriteLine(description);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hidden layers {s.HiddenWidths}, {s.Epochs} epochs, {s.Optimizer} lr {s.LearningRate}{(s.ClipNorm is null ? "" : $", clip {ClipOption.Format(s.ClipNorm)}")}, batch {s.BatchSize}, seeds {string.Join(",", s.Seeds)}"));
        var table = new Table().AddColumns("activation", "test accuracy", $"epochs to {s.TargetAccuracy.ToString("P0", CultureInfo.InvariantCulture)}", "time/run", "dead share", "gradient ratio");
        foreach (var r in rows)
        {
            table.AddRow(
                Markup.Escape(r.Activation),
                string.Create(CultureInfo.InvariantCulture, $"{r.MeanAccuracy:F4} ± {r.AccuracyStd:F4}"),
                r.ReachedTarget == 0 ? "never" : string.Create(CultureInfo.InvariantCulture, $"{r.MeanEpochsToTarget:F1} ({r.ReachedTarget}/{r.Runs.Count})"),
                string.Create(CultureInfo.InvariantCulture, $"{r.MeanSeconds:F2} s"),
                double.IsNaN(r.DeadShare) ? "-" : r.DeadShare.ToString("P1", CultureInfo.InvariantCulture),
                double.IsNaN(r.GradientRatio) ? "-" : r.GradientRatio.ToString("G3", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        if (rows.FirstOrDefault(r => r.Activation == "identity") is { } linear && rows.Count > 1)
        {
            var best = rows.MaxBy(r => r.MeanAccuracy)!;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"identity is the linear model's ceiling ({linear.MeanAccuracy:P1}): its dense layers collapse into one affine map. Best: {best.Activation} ({best.MeanAccuracy:P1})."));
        }

        if (page is not null)
        {
            console.WriteLine($"report: {page}");
        }
    }

    private static void WriteJson(CliContext context, IReadOnlyList<ComparisonRow> rows, ComparisonSettings s, string description, string? page)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartObject();
            w.WriteString("data", description);
            w.WriteString("layers", s.HiddenWidths);
            w.WriteNumber("epochs", s.Epochs);
            ClipOption.WriteJson(w, s.ClipNorm, null);
            Json.WriteNumber(w, "target", s.TargetAccuracy);
            if (page is not null)
            {
                w.WriteString("report", page);
            }

            w.WriteStartArray("rows");
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("activation", r.Activation);
                w.WriteString("model", r.Spec);
                Json.WriteNumber(w, "meanAccuracy", r.MeanAccuracy);
                Json.WriteNumber(w, "accuracyStd", r.AccuracyStd);
                w.WriteNumber("reachedTarget", r.ReachedTarget);
                Json.WriteNumber(w, "meanEpochsToTarget", r.MeanEpochsToTarget);
                Json.WriteNumber(w, "meanSeconds", r.MeanSeconds);
                Json.WriteNumber(w, "deadShare", r.DeadShare);
                Json.WriteNumber(w, "gradientRatio", r.GradientRatio);
                w.WriteStartArray("accuracies");
                foreach (var run in r.Runs)
                {
                    Json.WriteNumber(w, run.TestAccuracy);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
