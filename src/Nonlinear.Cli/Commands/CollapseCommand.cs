using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear collapse [--spec ...]</c> (and <c>nonlinear demo collapse</c>): the single affine map a linear
/// network computes, checked against the network on random inputs; for a network with non-linearities, the
/// stretches of consecutive linear layers and what each collapses to.
/// </summary>
internal static class CollapseCommand
{
    private const string DemoSpec = "dense:2,identity,dense:1";

    public static Command Create(CliContext context) => Build(context, "collapse", "Collapse a network's linear layers into the equivalent affine map and verify it");

    public static Command CreateDemo(CliContext context) => Build(context, "collapse", "A 2-2-1 network without activations is one affine map: y = W0 + W1·x1 + W2·x2");

    private static Command Build(CliContext context, string name, string description)
    {
        var spec = new Option<string>("--spec") { Description = "The architecture (random weights from --seed); default: a 2-2-1 identity network", DefaultValueFactory = _ => DemoSpec };
        var inputs = new Option<int>("--inputs") { Description = "Inputs per sample", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Seed for the weights and the check's random inputs", DefaultValueFactory = _ => 1 };
        var file = new Option<string?>("--model") { Description = "A saved model file to analyse instead of --spec" };
        var json = JsonOption.Create("the map and the check");
        var command = new Command(name, description) { spec, inputs, file, seed, json };
        command.SetAction(parseResult =>
        {
            Sequential model;
            if (parseResult.GetValue(file) is { } path)
            {
                model = ModelFile.Load(path).Model;
            }
            else
            {
                DemoCommand.CheckPositive(parseResult.GetValue(inputs), "--inputs");
                model = Sequential.Parse(parseResult.GetValue(spec)!);
                model.Build(new TensorShape(parseResult.GetValue(inputs)), parseResult.GetValue(seed));
            }

            Report(context, model, parseResult.GetValue(seed), parseResult.GetValue(json));
            return 0;
        });
        return command;
    }

    /// <summary>Prints the collapse of a built model (shared with commands that load a model).</summary>
    internal static void Report(CliContext context, Sequential model, int seed, bool json)
    {
        var map = LinearCollapse.Collapse(model);
        var stretches = LinearCollapse.Stretches(model);
        double difference = map is null ? double.NaN : LinearCollapse.MaxDifference(model, map, samples: 1000, seed, scale: 10);
        if (json)
        {
            Json.Write(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", model.Spec);
                w.WriteBoolean("linear", map is not null);
                if (map is not null)
                {
                    w.WriteString("equation", map.Format(8));
                    WriteMatrix(w, "W", map);
                    w.WriteStartArray("b");
                    foreach (double b in map.Bias)
                    {
                        Json.WriteNumber(w, b);
                    }

                    w.WriteEndArray();
                    Json.WriteNumber(w, "maxDifference", difference);
                }

                w.WriteStartArray("stretches");
                foreach (var s in stretches)
                {
                    w.WriteStartObject();
                    w.WriteNumber("firstLayer", s.FirstLayer);
                    w.WriteNumber("lastLayer", s.LastLayer);
                    w.WriteNumber("denseLayers", s.DenseLayers);
                    w.WriteBoolean("collapses", s.Collapses);
                    w.WriteString("shape", s.Shape);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }

        var console = context.CreateConsole();
        console.WriteLine($"model {model.Spec} on {model.InputShape[0]} inputs");
        if (map is not null)
        {
            console.WriteLine("Every activation is the identity, so the whole network is one affine map:");
            console.WriteLine();
            console.WriteLine("  " + map.Format(6).Replace("\n", "\n  ", StringComparison.Ordinal));
            console.WriteLine();
            console.WriteLine($"Checked on 1000 random inputs in [-10, 10]: largest difference between the network and the map {difference.ToString("G3", CultureInfo.InvariantCulture)}.");
            console.WriteLine("Depth added nothing: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2).");
            return;
        }

        var table = new Table().AddColumns("layers", "dense layers", "collapses", "equivalent map");
        foreach (var s in stretches)
        {
            table.AddRow($"{s.FirstLayer}-{s.LastLayer}", s.DenseLayers.ToString(CultureInfo.InvariantCulture), s.Collapses ? "yes" : "no", Markup.Escape(s.Shape));
        }

        console.WriteLine("The network has non-linear activations; its stretches of consecutive linear layers:");
        console.Write(table);
        if (stretches.Any(s => s.Collapses))
        {
            console.WriteLine("A stretch with two or more dense layers is one map: put an activation between them or drop the extra layer.");
        }
    }

    private static void WriteMatrix(System.Text.Json.Utf8JsonWriter w, string name, AffineMap map)
    {
        w.WriteStartArray(name);
        for (int r = 0; r < map.Outputs; r++)
        {
            w.WriteStartArray();
            for (int c = 0; c < map.Inputs; c++)
            {
                Json.WriteNumber(w, map.Weight[r, c]);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}
