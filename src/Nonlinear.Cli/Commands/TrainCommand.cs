using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Training;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear train --data moons --layers 8,8 --activation tanh ...</c>: builds a model for the task, trains it
/// with a live progress bar (epoch, loss, accuracy, ETA) and prints a summary. The output activation and loss
/// follow the task unless given (see TaskDefaults).
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext context)
    {
        var data = new Option<string>("--data") { Description = $"Dataset: {string.Join(", ", SyntheticData.Names)}", Required = true };
        var count = new Option<int>("--count") { Description = "Samples to generate", DefaultValueFactory = _ => 400 };
        var noise = new Option<double>("--noise") { Description = "Noise of the generated data", DefaultValueFactory = _ => 0.1 };
        var layers = new Option<string>("--layers") { Description = "Hidden layer widths, e.g. 8,8 (empty: a linear model)", DefaultValueFactory = _ => "8,8" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation (any catalog spec)", DefaultValueFactory = _ => "tanh" };
        var model = new Option<string?>("--model") { Description = "A full hidden-layer spec instead of --layers/--activation, e.g. dense:16,relu,dense:8,gelu" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs", DefaultValueFactory = _ => 300 };
        var lr = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.05 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov, adam or adamw", DefaultValueFactory = _ => "adam" };
        var batch = new Option<int>("--batch") { Description = "Mini-batch size", DefaultValueFactory = _ => 32 };
        var seed = new Option<int>("--seed") { Description = "Seed for data, weights and shuffling", DefaultValueFactory = _ => 1 };
        var validation = new Option<double>("--validation") { Description = "Share of the data held out for validation (0: none)", DefaultValueFactory = _ => 0.2 };
        var loss = new Option<string?>("--loss") { Description = "Loss (default from the task): mse, bce_logits, cross_entropy" };
        var output = new Option<string?>("--output-activation") { Description = "Output activation (default from the loss: sigmoid for bce_logits, softmax for cross_entropy, identity for mse; with mse any activation, trained as the last layer)" };
        var save = new Option<string?>("--save") { Description = "Save the trained model to this file (atomic: a crash never leaves half a file)" };
        var json = JsonOption.Create("the summary and the per-epoch history");
        var command = new Command("train", "Train a network on a dataset")
        {
            data, count, noise, layers, activation, model, epochs, lr, optimizer, batch, seed, validation, loss, output, save, json,
        };
        command.SetAction((parseResult, cancellation) =>
        {
            DemoCommand.CheckPositive(parseResult.GetValue(epochs), "--epochs");
            DemoCommand.CheckPositive(parseResult.GetValue(batch), "--batch");
            double holdOut = parseResult.GetValue(validation);
            if (!(holdOut >= 0 && holdOut < 1))
            {
                throw new CliUsageException($"--validation must be in [0, 1); found {holdOut.ToString(CultureInfo.InvariantCulture)}.");
            }

            int seedValue = parseResult.GetValue(seed);
            var all = SyntheticData.Create(parseResult.GetValue(data)!, parseResult.GetValue(count), parseResult.GetValue(noise), seedValue);
            var (train, held) = holdOut > 0 && all.Count >= 10 ? all.Split(holdOut, seedValue) : (all, (Dataset?)null);
            int outputs = TaskDefaults.Outputs(all);
            string hidden = parseResult.GetValue(model) is { } m ? m : TaskDefaults.Spec(parseResult.GetValue(layers)!, parseResult.GetValue(activation)!, outputs);
            string spec = parseResult.GetValue(model) is not null ? $"{hidden},dense:{outputs}" : hidden;
            var lossFunction = parseResult.GetValue(loss) is { } l ? Loss.Parse(l) : TaskDefaults.Loss(all.Task);
            string outputActivation = OutputActivation(lossFunction, parseResult.GetValue(output), ref spec);
            var network = Sequential.Parse(spec);
            network.Build(all.FeatureShape, seedValue);
            var opt = Optimizer.Create(parseResult.GetValue(optimizer)!, parseResult.GetValue(lr));
            var trainer = new Trainer(network, lossFunction, opt);
            bool asJson = parseResult.GetValue(json);
            var history = asJson
                ? trainer.Fit(train, parseResult.GetValue(epochs), parseResult.GetValue(batch), seedValue, held, cancellation)
                : WithProgress(context, trainer, train, held, parseResult.GetValue(epochs), parseResult.GetValue(batch), seedValue, cancellation);
            var final = trainer.Evaluate(all);
            if (parseResult.GetValue(save) is { } path)
            {
                ModelFile.Save(path, network, new ModelMetadata
                {
                    Task = all.Task,
                    OutputActivation = outputActivation,
                    Loss = lossFunction.Name,
                    ClassNames = all.ClassNames,
                    Extra = new Dictionary<string, string>
                    {
                        ["data"] = all.Name,
                        ["epochs"] = history.Epochs.Count.ToString(CultureInfo.InvariantCulture),
                        ["optimizer"] = opt.ToString() ?? "",
                        ["seed"] = seedValue.ToString(CultureInfo.InvariantCulture),
                    },
                });
                if (!asJson)
                {
                    context.Out.WriteLine($"saved {path}");
                }
            }

            if (asJson)
            {
                WriteJson(context, all, network, outputActivation, lossFunction, opt, history, final);
            }
            else
            {
                WriteSummary(context, all, train, held, network, outputActivation, lossFunction, opt, history, final);
            }

            return Task.FromResult(history.Cancelled ? 130 : 0);
        });
        return command;
    }

    private static TrainingHistory WithProgress(CliContext context, Trainer trainer, Dataset train, Dataset? held, int epochs, int batch, int seed, CancellationToken cancellation)
    {
        var console = context.CreateConsole();
        if (!console.Profile.Capabilities.Interactive)
        {
            // Not a terminal (a pipe, a log, a test): one line every tenth of the run instead of a live bar.
            int every = Math.Max(1, epochs / 10);
            trainer.EpochEnded += e =>
            {
                if (e.Epoch % every == 0 || e.Epoch == epochs)
                {
                    console.WriteLine(EpochLine(e, epochs));
                }
            };
            return trainer.Fit(train, epochs, batch, seed, held, cancellation);
        }

        TrainingHistory? history = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("training", maxValue: epochs);
                trainer.EpochEnded += e =>
                {
                    // Short enough to leave room for the bar, the percentage and the ETA.
                    var bar = $"epoch {e.Epoch}/{epochs} loss {F(e.Loss)}";
                    bar += double.IsNaN(e.Accuracy) ? "" : $" acc {F(e.Accuracy)}";
                    bar += double.IsNaN(e.ValidationAccuracy) ? "" : $" val {F(e.ValidationAccuracy)}";
                    task.Description = Markup.Escape(bar);
                    task.Value = e.Epoch;
                };
                history = trainer.Fit(train, epochs, batch, seed, held, cancellation);
            });
        return history!;
    }

    private static string EpochLine(EpochReport e, int epochs)
    {
        var line = $"epoch {e.Epoch}/{epochs}  loss {F(e.Loss)}";
        if (!double.IsNaN(e.Accuracy))
        {
            line += $"  acc {F(e.Accuracy)}";
        }

        if (!double.IsNaN(e.ValidationLoss))
        {
            line += $"  val loss {F(e.ValidationLoss)}";
        }

        if (!double.IsNaN(e.ValidationAccuracy))
        {
            line += $"  val acc {F(e.ValidationAccuracy)}";
        }

        return line;
    }

    /// <summary>
    /// The output activation to apply when predicting. A fused loss (bce_logits, cross_entropy) applies its own
    /// activation, so only that one is consistent; with mse any activation can end the network, and it is then
    /// trained as the last layer (the model's output is already activated).
    /// </summary>
    private static string OutputActivation(Loss loss, string? requested, ref string spec)
    {
        string implied = TaskDefaults.OutputActivation(loss);
        if (requested is null)
        {
            return implied;
        }

        var activation = Nonlinear.Activations.ActivationRegistry.Parse(requested);
        if (loss is MeanSquaredError)
        {
            if (activation.Name != "identity")
            {
                spec += "," + activation.Spec;
            }

            return "identity";
        }

        if (activation.Name != implied)
        {
            throw new CliUsageException($"--loss {loss.Name} applies {implied} to the logits itself, so the output activation must be {implied} (found {activation.Spec}); use --loss mse for another output activation.");
        }

        return implied;
    }

    private static void WriteSummary(CliContext context, Dataset all, Dataset train, Dataset? held, Sequential network, string outputActivation, Loss loss, Optimizer opt, TrainingHistory history, Evaluation final)
    {
        var console = context.CreateConsole();
        var last = history.Epochs.Count > 0 ? history.Last : default;
        var table = new Table().AddColumns("", "");
        table.HideHeaders();
        table.AddRow("data", Markup.Escape($"{all.Name}: {all.Count} samples ({train.Count} train, {held?.Count ?? 0} validation), {all.Task}"));
        table.AddRow("model", Markup.Escape($"{network.Spec}  ({network.ParameterCount} parameters)"));
        table.AddRow("output", Markup.Escape($"{outputActivation}, loss {loss.Name}"));
        table.AddRow("optimizer", Markup.Escape(opt.ToString() ?? ""));
        table.AddRow("epochs", $"{history.Epochs.Count}{(history.Cancelled ? " (cancelled)" : "")}");
        table.AddRow("train loss / accuracy", $"{F(last.Loss)} / {F(last.Accuracy)}");
        if (held is not null)
        {
            table.AddRow("validation loss / accuracy", $"{F(last.ValidationLoss)} / {F(last.ValidationAccuracy)}");
        }

        table.AddRow("all data loss / accuracy", $"{F(final.Loss)} / {F(final.Accuracy)}");
        table.AddRow("time", $"{history.Epochs.Sum(e => e.Elapsed.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture)} s");
        console.Write(table);
    }

    private static void WriteJson(CliContext context, Dataset all, Sequential network, string outputActivation, Loss loss, Optimizer opt, TrainingHistory history, Evaluation final)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartObject();
            w.WriteString("data", all.Name);
            w.WriteString("task", all.Task.ToString());
            w.WriteString("model", network.Spec);
            w.WriteNumber("parameters", network.ParameterCount);
            w.WriteString("outputActivation", outputActivation);
            w.WriteString("loss", loss.Name);
            w.WriteString("optimizer", opt.ToString());
            w.WriteBoolean("cancelled", history.Cancelled);
            Json.WriteNumber(w, "finalLoss", final.Loss);
            Json.WriteNumber(w, "finalAccuracy", final.Accuracy);
            w.WriteStartArray("epochs");
            foreach (var e in history.Epochs)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", e.Epoch);
                Json.WriteNumber(w, "loss", e.Loss);
                Json.WriteNumber(w, "accuracy", e.Accuracy);
                Json.WriteNumber(w, "validationLoss", e.ValidationLoss);
                Json.WriteNumber(w, "validationAccuracy", e.ValidationAccuracy);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F4", CultureInfo.InvariantCulture);
}
