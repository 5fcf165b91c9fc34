using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Training;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear demo xor</c> and <c>nonlinear demo collapse</c>: the two founding facts, as experiments anyone
/// can rerun. The training and the algebra live in the library (XorExperiment, LinearCollapse).
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var demo = new Command("demo", "Run a demonstration: xor (no activation, no learning), collapse (a linear stack is one map), vanishing (gradients fade through sigmoid layers), dying-relu (ReLU units die at a high learning rate), softmax-overflow (why softmax subtracts the maximum), vanishing-time (an RNN forgets across time, an LSTM remembers) or attention-scale (attention without 1/sqrt(d) saturates)");
        demo.Subcommands.Add(Xor(context));
        demo.Subcommands.Add(CollapseCommand.CreateDemo(context));
        demo.Subcommands.Add(Demos.VanishingDemo.Create(context));
        demo.Subcommands.Add(Demos.DyingReluDemo.Create(context));
        demo.Subcommands.Add(Demos.SoftmaxOverflowDemo.Create(context));
        demo.Subcommands.Add(Demos.VanishingTimeDemo.Create(context));
        demo.Subcommands.Add(Demos.AttentionScaleDemo.Create(context));
        return demo;
    }

    private static Command Xor(CliContext context)
    {
        var activations = new Option<string>("--activations") { Description = "Comma-separated hidden activations to compare", DefaultValueFactory = _ => string.Join(",", XorExperiment.DefaultActivations) };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units (with 4, ReLU units can die and leave 3/4)", DefaultValueFactory = _ => 8 };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs (full batch: one step each)", DefaultValueFactory = _ => 500 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<int>("--seed") { Description = "Seed for the initial weights", DefaultValueFactory = _ => 1 };
        var json = JsonOption.Create("the results");
        var command = new Command("xor", "Train XOR without and with a hidden non-linearity")
        {
            activations, hidden, epochs, lr, seed, json,
        };
        command.SetAction(parseResult =>
        {
            var names = parseResult.GetValue(activations)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var name in names)
            {
                // Fail on a bad name before training anything.
                Nonlinear.Activations.ActivationRegistry.Parse(name);
            }

            CheckPositive(parseResult.GetValue(hidden), "--hidden");
            CheckPositive(parseResult.GetValue(epochs), "--epochs");
            var results = XorExperiment.Run(names, parseResult.GetValue(hidden), parseResult.GetValue(epochs), parseResult.GetValue(lr), parseResult.GetValue(seed));
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var r in results)
                    {
                        w.WriteStartObject();
                        w.WriteString("activation", r.Activation);
                        w.WriteString("model", r.Spec);
                        w.WriteNumber("correct", r.Correct);
                        Json.WriteNumber(w, "accuracy", r.Correct / 4.0);
                        if (r.EpochsTo100 is int e)
                        {
                            w.WriteNumber("epochsTo100", e);
                        }
                        else
                        {
                            w.WriteNull("epochsTo100");
                        }

                        Json.WriteNumber(w, "finalLoss", r.FinalLoss);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return 0;
            }

            var console = context.CreateConsole();
            var table = new Table().AddColumns("activation", "model", "accuracy", "epochs to 100%", "final loss");
            foreach (var r in results)
            {
                table.AddRow(
                    Markup.Escape(r.Activation),
                    Markup.Escape(r.Spec),
                    $"{r.Correct}/4",
                    r.EpochsTo100?.ToString(CultureInfo.InvariantCulture) ?? "never",
                    r.FinalLoss.ToString("F4", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            console.WriteLine("Without a hidden non-linearity the model is one line (f(0,1) + f(1,0) = f(0,0) + f(1,1) for any affine f),");
            console.WriteLine("so no setting of its weights puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other: at most 3 of 4.");
            return 0;
        });
        return command;
    }

    internal static void CheckPositive(int value, string option)
    {
        if (value < 1)
        {
            throw new CliUsageException($"{option} must be a positive integer; found {value}.");
        }
    }
}
