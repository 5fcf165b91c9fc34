using System.CommandLine;
using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Cli.Output;
using Nonlinear.Plots;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear plot &lt;activation...&gt; --out f.png</c>: the activations and their derivatives (dashed) as a PNG or
/// SVG chart, drawn by Nonlinear.Plots from the library's own forward and backward.
/// </summary>
internal static class PlotCommand
{
    public static Command Create(CliContext context)
    {
        var names = new Argument<string[]>("activation")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "Activation names or specs, e.g. relu gelu leaky_relu:0.1 (softmax and log_softmax: drawn on the row [x, 0])",
        };
        var output = new Option<string>("--out", "-o") { Description = "The image to write: .png or .svg", Required = true };
        var width = new Option<int>("--width") { Description = "Width in pixels", DefaultValueFactory = _ => ChartOptions.Default.Width };
        var height = new Option<int>("--height") { Description = "Height in pixels", DefaultValueFactory = _ => ChartOptions.Default.Height };
        var range = new Option<string>("--range") { Description = "The x range as low:high", DefaultValueFactory = _ => "-6:6" };
        var json = JsonOption.Create("what was written");
        var command = new Command("plot", "Draw activations and their derivatives to a PNG or SVG file")
        {
            names,
            output,
            width,
            height,
            range,
            json,
        };
        command.SetAction(parseResult =>
        {
            var activations = parseResult.GetRequiredValue(names).Select(ActivationRegistry.Parse).ToList();
            var (low, high) = ParseRange(parseResult.GetRequiredValue(range));
            string path = parseResult.GetRequiredValue(output);
            var options = new ChartOptions { Width = parseResult.GetValue(width), Height = parseResult.GetValue(height) };
            var chart = OutputFile.Write(path, () => ActivationChart.Render(activations, path, options, low, high));

            if (parseResult.GetValue(json))
            {
                WriteJson(context.Out, chart, activations);
            }
            else
            {
                context.Out.WriteLine($"wrote {path} ({chart.Width}x{chart.Height} {chart.Format.ToString().ToUpperInvariant()}): {string.Join(", ", activations.Select(a => a.Spec))}");
                foreach (var note in chart.Notes)
                {
                    context.Out.WriteLine($"note: {note}");
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>"low:high", e.g. "-6:6" or "-3.5:10".</summary>
    internal static (double Low, double High) ParseRange(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high)
            && double.IsFinite(low) && double.IsFinite(high) && low < high)
        {
            return (low, high);
        }

        throw new CliUsageException($"--range '{text}' is not low:high with finite numbers and low < high (e.g. -6:6).");
    }

    private static void WriteJson(TextWriter output, RenderedChart chart, IReadOnlyList<Activation> activations) => Json.Write(output, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("file", chart.Path);
        writer.WriteNumber("width", chart.Width);
        writer.WriteNumber("height", chart.Height);
        writer.WriteString("format", chart.Format.ToString().ToLowerInvariant());
        ActivationsCommand.WriteStrings(writer, "activations", activations.Select(a => a.Spec));
        ActivationsCommand.WriteStrings(writer, "notes", chart.Notes);
        writer.WriteEndObject();
    });
}
