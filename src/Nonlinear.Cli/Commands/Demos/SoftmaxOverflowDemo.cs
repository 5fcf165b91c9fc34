using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Spectre.Console;

namespace Nonlinear.Cli.Commands.Demos;

/// <summary><c>nonlinear demo softmax-overflow</c>: the textbook softmax overflows, the library's does not (<see cref="SoftmaxOverflowExperiment"/>).</summary>
internal static class SoftmaxOverflowDemo
{
    public static Command Create(CliContext context)
    {
        var scales = new Option<string>("--scales") { Description = "Comma-separated logit scales s (logits s·(1, 0, -1))", DefaultValueFactory = _ => string.Join(",", SoftmaxOverflowExperiment.DefaultScales.Select(s => s.ToString(CultureInfo.InvariantCulture))) };
        var json = JsonOption.Create("every probability");
        var plot = DemoPlot.CreateOption();
        var command = new Command("softmax-overflow", "Naive exp/sum softmax gives NaN on large logits; the stable one (max subtracted) does not") { scales, plot, json };
        command.SetAction(parseResult =>
        {
            var values = parseResult.GetValue(scales)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
            var rows = SoftmaxOverflowExperiment.Run(values);
            DemoPlot.SoftmaxOverflow(context, parseResult.GetValue(plot), rows);
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        Json.WriteNumber(w, "scale", r.Scale);
                        WriteArray(w, "logits", r.Logits.Select(v => (double)v));
                        WriteArray(w, "naive", r.Naive.Select(v => (double)v));
                        WriteArray(w, "stable", r.Stable.Select(v => (double)v));
                        WriteArray(w, "float64", r.Truth);
                        w.WriteBoolean("naiveFails", r.NaiveFails);
                        Json.WriteNumber(w, "stableError", r.StableError);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return 0;
            }

            var table = new Table().AddColumns("scale s", "logits", "naive float32 exp/sum", "stable float32 (library)", "float64 truth")
                .AddColumn(new TableColumn("|stable - truth|").RightAligned());
            foreach (var r in rows)
            {
                table.AddRow(
                    r.Scale.ToString("G", CultureInfo.InvariantCulture),
                    Vector(r.Logits.Select(v => (double)v)),
                    Vector(r.Naive.Select(v => (double)v)),
                    Vector(r.Stable.Select(v => (double)v)),
                    Vector(r.Truth),
                    r.StableError.ToString("0.0e+0", CultureInfo.InvariantCulture));
            }

            var console = context.CreateConsole();
            console.WriteLine("softmax(s·(1, 0, -1)) three ways.");
            console.Write(table);
            console.WriteLine("e^x overflows float32 above x ≈ 88.72: the naive form then divides inf by inf and returns NaN. softmax(x) = softmax(x - max x),");
            console.WriteLine("and after subtracting the maximum the largest exponent is e^0 = 1: nothing overflows, and the tiny entries underflow harmlessly to 0.");
            return 0;
        });
        return command;
    }

    private static double Parse(string token) => double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
        ? v
        : throw new CliUsageException($"--scales: '{token}' is not a finite number.");

    private static string Vector(IEnumerable<double> values) => "(" + string.Join(", ", values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture))) + ")";

    private static void WriteArray(System.Text.Json.Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            Json.WriteNumber(w, v);
        }

        w.WriteEndArray();
    }
}
