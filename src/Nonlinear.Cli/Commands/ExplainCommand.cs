using System.CommandLine;
using Nonlinear.Activations;
using Nonlinear.Cli.Output;

namespace Nonlinear.Cli.Commands;

/// <summary><c>nonlinear explain &lt;name&gt;</c>: everything the library knows about one activation, and a plot.</summary>
internal static class ExplainCommand
{
    private const double PlotFrom = -5;
    private const double PlotTo = 5;

    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "An activation name or spec, e.g. sigmoid, leaky_relu:0.2, gelu:tanh" };
        var json = JsonOption.Create("the metadata and sampled points");
        var command = new Command("explain", "Explain an activation: formula, derivative, ranges, uses, limitations, and a plot of f and f' over [-5, 5]")
        {
            name,
            json,
        };
        command.SetAction(parseResult =>
        {
            var activation = ActivationRegistry.Parse(parseResult.GetRequiredValue(name));
            var curve = Curve.Sample(activation, PlotFrom, PlotTo, TerminalPlot.Width);
            if (parseResult.GetValue(json))
            {
                WriteJson(context.Out, activation, curve);
            }
            else
            {
                WriteText(context, activation, curve);
            }

            return 0;
        });
        return command;
    }

    private static void WriteText(CliContext context, Activation activation, Curve curve)
    {
        const int LabelWidth = 16;
        var output = context.Out;
        var info = activation.Info;
        var descriptor = activation.Descriptor;
        string title = activation.Spec == activation.Name ? activation.Name : $"{activation.Name} ({activation.Spec})";
        output.WriteLine(title + (descriptor.Aliases.Count > 0 ? $"   also: {string.Join(", ", descriptor.Aliases)}" : ""));
        output.WriteLine(descriptor.Summary);
        output.WriteLine();

        void Row(string label, string value)
        {
            foreach (var line in TextWrap.LabelledLines(label, value, LabelWidth, context.TextWidth))
            {
                output.WriteLine(line);
            }
        }

        Row("f(x)", info.Formula);
        Row("f'(x)", info.DerivativeFormula);
        Row("output range", info.OutputRange);
        Row("zero-centred", info.ZeroCentred ? "yes" : "no");
        Row("monotonic", info.Monotonic ? "yes" : "no");
        Row("f' range", info.DerivativeRange);
        Row("max f'", $"{Numbers.Format(info.DerivativeMax)}, {info.DerivativePeak}");
        Row("convention", info.Convention);
        Row("family", info.Family.ToString());
        Row("PyTorch", info.PyTorch);
        Row("used in", info.UsedIn);
        Row("why it works", info.WhyItWorks);
        for (int i = 0; i < info.Limitations.Count; i++)
        {
            Row(i == 0 ? "limitations" : "", "- " + info.Limitations[i]);
        }

        foreach (var parameter in descriptor.Parameters)
        {
            string value = parameter.FormatValue(activation.Parameters[parameter.Name]);
            Row($"{parameter.Name}", $"{value} (default {parameter.FormatValue(parameter.Default)}; {parameter.RangeText}): {parameter.Description}");
        }

        if (descriptor.Parameters.Count == 0)
        {
            Row("parameters", "none");
        }

        output.WriteLine();

        output.WriteLine($"{TerminalPlot.FirstMark} f(x)   {TerminalPlot.SecondMark} f'(x)   {TerminalPlot.BothMark} both   x from {PlotFrom} to {PlotTo}");
        if (curve.Note is not null)
        {
            output.WriteLine(curve.Note);
        }

        foreach (var line in TerminalPlot.Render(curve.F, curve.Df, PlotFrom, PlotTo))
        {
            output.WriteLine(line);
        }
    }

    private static void WriteJson(TextWriter output, Activation activation, Curve curve) => Json.Write(output, writer =>
    {
        var info = activation.Info;
        writer.WriteStartObject();
        writer.WriteString("name", activation.Name);
        writer.WriteString("spec", activation.Spec);
        ActivationsCommand.WriteStrings(writer, "aliases", activation.Descriptor.Aliases);
        writer.WriteString("summary", activation.Descriptor.Summary);
        writer.WriteString("formula", info.Formula);
        writer.WriteString("derivative", info.DerivativeFormula);
        writer.WriteString("range", info.OutputRange);
        Json.WriteNumber(writer, "outputMin", info.OutputMin);
        Json.WriteNumber(writer, "outputMax", info.OutputMax);
        writer.WriteBoolean("zeroCentred", info.ZeroCentred);
        writer.WriteBoolean("monotonic", info.Monotonic);
        writer.WriteString("derivativeRange", info.DerivativeRange);
        Json.WriteNumber(writer, "derivativeMax", info.DerivativeMax);
        writer.WriteString("derivativePeak", info.DerivativePeak);
        writer.WriteString("convention", info.Convention);
        writer.WriteString("usedIn", info.UsedIn);
        writer.WriteString("whyItWorks", info.WhyItWorks);
        ActivationsCommand.WriteStrings(writer, "limitations", info.Limitations);
        writer.WriteString("family", info.Family.ToString());
        writer.WriteString("pytorch", info.PyTorch);
        writer.WriteBoolean("rowWise", activation.IsRowWise);
        ActivationsCommand.WriteParameters(writer, activation.Descriptor, activation);
        if (curve.Note is not null)
        {
            writer.WriteString("pointsNote", curve.Note);
        }

        writer.WriteStartArray("points");
        for (int i = 0; i < curve.X.Count; i++)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("x");
            Json.WriteNumber(writer, curve.X[i]);
            writer.WritePropertyName("f");
            Json.WriteNumber(writer, curve.F[i]);
            writer.WritePropertyName("df");
            Json.WriteNumber(writer, curve.Df[i]);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });
}
