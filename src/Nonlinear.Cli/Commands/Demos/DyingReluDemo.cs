using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Spectre.Console;

namespace Nonlinear.Cli.Commands.Demos;

/// <summary>
/// <c>nonlinear demo dying-relu</c>: ReLU and Leaky ReLU trained with too high a learning rate, the dead share per
/// epoch side by side (<see cref="DyingReluExperiment"/>; the runs keep the full diagnostics for a plot).
/// </summary>
internal static class DyingReluDemo
{
    public static Command Create(CliContext context)
    {
        var epochs = new Option<int>("--epochs") { Description = "Training epochs", DefaultValueFactory = _ => 8 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (too high on purpose)", DefaultValueFactory = _ => 0.3 };
        var width = new Option<int>("--width") { Description = "Units per hidden layer (two hidden layers)", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples") { Description = "Training samples (blobs in [0, 1]^32, 4 classes)", DefaultValueFactory = _ => 1024 };
        var seed = new Option<int>("--seed") { Description = "Seed for the data, the weights and the shuffling", DefaultValueFactory = _ => 1 };
        var plot = DemoPlot.CreateOption();
        var data = new Option<string?>("--data") { Description = "Train on this data instead of the generated blobs: fashion-mnist, an IDX directory such as data/fashion-mnist-subset, a CSV table or a synthetic set (its training split, unnormalised)" };
        var json = JsonOption.Create("the dead share, loss and accuracy per epoch");
        var command = new Command("dying-relu", "Dying ReLU: with too high a learning rate ReLU units die, Leaky ReLU units do not")
        {
            epochs, lr, width, samples, seed, data, plot, json,
        };
        command.SetAction(parseResult =>
        {
            DemoCommand.CheckPositive(parseResult.GetValue(epochs), "--epochs");
            DemoCommand.CheckPositive(parseResult.GetValue(width), "--width");
            DemoCommand.CheckPositive(parseResult.GetValue(samples), "--samples");
            if (!(parseResult.GetValue(lr) > 0))
            {
                throw new CliUsageException($"--lr must be a positive number; found {parseResult.GetValue(lr).ToString(CultureInfo.InvariantCulture)}.");
            }

            var runs = parseResult.GetValue(data) is { } source
                ? DyingReluExperiment.Run(DataSource.Load(source, dataDir: null, label: null, parseResult.GetValue(samples), 0.1, parseResult.GetValue(seed), 0).Train, parseResult.GetValue(epochs), parseResult.GetValue(lr), parseResult.GetValue(width), parseResult.GetValue(seed))
                : DyingReluExperiment.Run(parseResult.GetValue(epochs), parseResult.GetValue(lr), parseResult.GetValue(width), parseResult.GetValue(samples), parseResult.GetValue(seed));
            DemoPlot.DyingRelu(context, parseResult.GetValue(plot), runs);
            if (parseResult.GetValue(json))
            {
                WriteJson(context, runs);
                return 0;
            }

            var table = new Table().AddColumn(new TableColumn("epoch").RightAligned());
            foreach (var r in runs)
            {
                table.AddColumn(new TableColumn($"{r.Activation} dead").RightAligned());
                if (r.Activation != "relu")
                {
                    table.AddColumn(new TableColumn($"{r.Activation} input ≤ 0").RightAligned());
                }

                table.AddColumn(new TableColumn($"{r.Activation} loss").RightAligned())
                    .AddColumn(new TableColumn($"{r.Activation} acc").RightAligned());
            }

            for (int e = 0; e < runs[0].DeadShare.Count; e++)
            {
                var cells = new List<string> { (e + 1).ToString(CultureInfo.InvariantCulture) };
                foreach (var r in runs)
                {
                    cells.Add(r.DeadShare[e].ToString("P0", CultureInfo.InvariantCulture));
                    if (r.Activation != "relu")
                    {
                        cells.Add(r.NegativeShare[e].ToString("P0", CultureInfo.InvariantCulture));
                    }

                    cells.Add(r.Loss[e].ToString("F3", CultureInfo.InvariantCulture));
                    cells.Add(r.Accuracy[e].ToString("F3", CultureInfo.InvariantCulture));
                }

                table.AddRow(cells.ToArray());
            }

            var console = context.CreateConsole();
            console.WriteLine($"{runs[0].Spec} vs leaky_relu, Adam lr {parseResult.GetValue(lr).ToString(CultureInfo.InvariantCulture)}, batch 32, same data, weights and batches.");
            console.Write(table);
            console.WriteLine("dead = share of hidden units whose derivative was 0 on every training sample of the epoch: no gradient reaches them, so");
            console.WriteLine("nothing can revive them. For ReLU that is output 0 on every sample. Leaky ReLU's derivative is never 0 (0.01 below zero),");
            console.WriteLine("so none of its units is dead; 'input ≤ 0' counts those sitting on the small slope, which still learn and can come back.");
            return 0;
        });
        return command;
    }

    private static void WriteJson(CliContext context, IReadOnlyList<DyingReluRun> runs) => Json.Write(context.Out, w =>
    {
        w.WriteStartArray();
        foreach (var r in runs)
        {
            w.WriteStartObject();
            w.WriteString("activation", r.Activation);
            w.WriteString("model", r.Spec);
            w.WriteString("deadDefinition", "derivative 0 on every training sample of the epoch (never the case for leaky_relu: its derivative is at least 0.01)");
            w.WriteStartArray("epochs");
            for (int e = 0; e < r.DeadShare.Count; e++)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", e + 1);
                Json.WriteNumber(w, "deadShare", r.DeadShare[e]);
                Json.WriteNumber(w, "negativeShare", r.NegativeShare[e]);
                Json.WriteNumber(w, "loss", r.Loss[e]);
                Json.WriteNumber(w, "accuracy", r.Accuracy[e]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });
}
