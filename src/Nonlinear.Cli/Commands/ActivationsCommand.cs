using System.CommandLine;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Cli.Output;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary><c>nonlinear activations</c>: the catalog, one row per registry entry.</summary>
internal static class ActivationsCommand
{
    public static Command Create(CliContext context)
    {
        var json = JsonOption.Create("the catalog");
        var command = new Command("activations", "List every activation: formula, output range, zero-centred, largest derivative, parameters")
        {
            json,
        };
        command.SetAction(parseResult =>
        {
            if (parseResult.GetValue(json))
            {
                WriteJson(context.Out);
            }
            else
            {
                WriteTable(context.CreateConsole());
            }

            return 0;
        });
        return command;
    }

    private static void WriteTable(IAnsiConsole console)
    {
        var table = new Table().AddColumns("name", "f(x)", "range", "zero-centred", "max f'", "parameters");
        foreach (var descriptor in ActivationRegistry.All)
        {
            var info = descriptor.CreateDefault().Info;
            string name = descriptor.Aliases.Count == 0 ? descriptor.Name : $"{descriptor.Name} ({string.Join(", ", descriptor.Aliases)})";
            string parameters = string.Join(", ", descriptor.Parameters.Select(p => $"{p.Name}={p.FormatValue(p.Default)}"));
            table.AddRow(
                new Text(name),
                new Text(descriptor.Summary),
                new Text(info.OutputRange),
                new Text(info.ZeroCentred ? "yes" : "no"),
                new Text(Numbers.Format(Math.Round(info.DerivativeMax, 4))), // full precision is in --json
                new Text(parameters));
        }

        console.Write(table);
        console.WriteLine("Parameters go after the name: leaky_relu:0.1, gelu:tanh, softplus:beta=2. 'nonlinear explain <name>' tells more.");
    }

    private static void WriteJson(TextWriter output) => Json.Write(output, writer =>
    {
        writer.WriteStartArray();
        foreach (var descriptor in ActivationRegistry.All)
        {
            var activation = descriptor.CreateDefault();
            var info = activation.Info;
            writer.WriteStartObject();
            writer.WriteString("name", descriptor.Name);
            WriteStrings(writer, "aliases", descriptor.Aliases);
            writer.WriteString("summary", descriptor.Summary);
            writer.WriteString("formula", info.Formula);
            writer.WriteString("derivative", info.DerivativeFormula);
            writer.WriteString("range", info.OutputRange);
            writer.WriteBoolean("zeroCentred", info.ZeroCentred);
            writer.WriteBoolean("monotonic", info.Monotonic);
            Json.WriteNumber(writer, "derivativeMax", info.DerivativeMax);
            writer.WriteBoolean("rowWise", activation.IsRowWise);
            writer.WriteString("family", info.Family.ToString());
            WriteParameters(writer, descriptor, activation);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    /// <summary>The parameters with their defaults, ranges and (for a parsed spec) current values; shared with explain.</summary>
    internal static void WriteParameters(Utf8JsonWriter writer, ActivationDescriptor descriptor, Activation activation)
    {
        writer.WriteStartArray("parameters");
        foreach (var parameter in descriptor.Parameters)
        {
            writer.WriteStartObject();
            writer.WriteString("name", parameter.Name);
            writer.WriteString("description", parameter.Description);
            WriteValue(writer, "default", parameter, parameter.Default);
            WriteValue(writer, "value", parameter, activation.Parameters[parameter.Name]);
            writer.WriteString("range", parameter.RangeText);
            if (parameter.Choices is not null)
            {
                WriteStrings(writer, "choices", parameter.Choices);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    internal static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    // A choice is stored as an index, but the word is what a user writes in a spec.
    private static void WriteValue(Utf8JsonWriter writer, string name, ActivationParameter parameter, double value)
    {
        if (parameter.Choices is null)
        {
            Json.WriteNumber(writer, name, value);
        }
        else
        {
            writer.WriteString(name, parameter.FormatValue(value));
        }
    }
}
