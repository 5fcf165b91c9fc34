using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Nonlinear.Training;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear train --diagnostics</c>: attaches <see cref="TrainingDiagnostics"/> to the trainer and prints the
/// last epoch's per-layer table (gradient norm, dead units, saturation, output statistics), or adds every epoch to
/// the JSON. Kept out of TrainCommand so that the command only gains a few lines.
/// </summary>
internal static class TrainDiagnosticsOutput
{
    public static Option<bool> CreateOption() => new("--diagnostics")
    {
        Description = "Watch the training from inside: per-layer gradient norms, dead ReLU units, saturated sigmoid/tanh units and output statistics (a table after training; in --json every epoch)",
    };

    /// <summary>Attaches diagnostics to <paramref name="trainer"/> when the flag is set; returns them (null otherwise).</summary>
    public static TrainingDiagnostics? Attach(ParseResult parseResult, Option<bool> option, Trainer trainer)
    {
        if (!parseResult.GetValue(option))
        {
            return null;
        }

        var diagnostics = new TrainingDiagnostics();
        trainer.Diagnostics = diagnostics;
        return diagnostics;
    }

    /// <summary>The last epoch's table, the gradient-flow ratio and any non-finite value; nothing when <paramref name="diagnostics"/> is null.</summary>
    public static void WriteTable(CliContext context, TrainingDiagnostics? diagnostics)
    {
        if (diagnostics?.Latest is not { } last)
        {
            return;
        }

        var thresholds = diagnostics.Thresholds;
        var table = new Table().AddColumns(
            new TableColumn("layer").RightAligned(),
            new TableColumn("spec"),
            new TableColumn("weight grad norm").RightAligned(),
            new TableColumn("dead").RightAligned(),
            new TableColumn("input ≤ 0").RightAligned(),
            new TableColumn("saturated").RightAligned(),
            new TableColumn("output mean ± std").RightAligned(),
            new TableColumn("output min .. max").RightAligned());
        foreach (var l in last.Layers)
        {
            table.AddRow(
                (l.Index + 1).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(l.Spec),
                Number(l.GradientNorm),
                Share(l.DeadShare, thresholds.DeadShare),
                Share(l.NegativeShare, double.PositiveInfinity),
                Share(l.SaturatedShare, thresholds.SaturatedShare),
                l.Output is { Count: > 0 } o ? $"{Number(o.Mean)} ± {Number(o.Std)}" : "-",
                l.Output is { Count: > 0 } p ? $"{Number(p.Min)} .. {Number(p.Max)}" : "-");
        }

        var console = context.CreateConsole();
        console.WriteLine($"Diagnostics of epoch {last.Epoch}: weight-gradient norms averaged over its batches; dead = derivative 0 on every sample;");
        console.WriteLine($"saturated = derivative below {thresholds.SaturationDerivative.ToString(CultureInfo.InvariantCulture)} of its peak; * = above the warning threshold.");
        console.Write(table);
        string verdict = last.GradientRatio < thresholds.VanishingRatio ? " (vanishing)" : last.GradientRatio > thresholds.ExplodingRatio ? " (exploding)" : "";
        console.WriteLine($"gradient flow: first/last weight-gradient norm {Number(last.GradientRatio)}{verdict}");
        if (diagnostics.FirstNonFinite is { } where)
        {
            console.WriteLine($"first non-finite value: {where}");
        }

        // What the diagnostics call for (dead units, saturation, vanishing or exploding gradients), with the fix.
        var advice = Advisor.FromHistory(diagnostics.History, thresholds);
        if (advice.Count > 0)
        {
            context.Out.WriteLine();
            AdviceOutput.WriteCompact(context.Out, advice, $"advice from the diagnostics: {AdviceOutput.Counts(advice)}");
        }
    }

    /// <summary>A "diagnostics" property with every epoch (histograms for the last one only); nothing when null.</summary>
    public static void WriteJson(Utf8JsonWriter w, TrainingDiagnostics? diagnostics)
    {
        if (diagnostics is null)
        {
            return;
        }

        w.WriteStartObject("diagnostics");
        w.WritePropertyName("advice");
        AdviceOutput.WriteArray(w, Advisor.FromHistory(diagnostics.History, diagnostics.Thresholds));
        if (diagnostics.FirstNonFinite is { } where)
        {
            w.WriteString("firstNonFinite", where.ToString());
        }
        else
        {
            w.WriteNull("firstNonFinite");
        }

        w.WriteStartArray("epochs");
        foreach (var e in diagnostics.History)
        {
            bool lastEpoch = ReferenceEquals(e, diagnostics.Latest);
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            Json.WriteNumber(w, "gradientRatio", e.GradientRatio);
            w.WriteStartArray("layers");
            foreach (var l in e.Layers)
            {
                w.WriteStartObject();
                w.WriteNumber("index", l.Index);
                w.WriteString("spec", l.Spec);
                Json.WriteNumber(w, "gradientNorm", l.GradientNorm);
                Json.WriteNumber(w, "deadShare", l.DeadShare);
                Json.WriteNumber(w, "negativeShare", l.NegativeShare);
                Json.WriteNumber(w, "saturatedShare", l.SaturatedShare);
                if (l.Output is { } o)
                {
                    w.WriteStartObject("output");
                    w.WriteNumber("count", o.Count);
                    Json.WriteNumber(w, "mean", o.Mean);
                    Json.WriteNumber(w, "std", o.Std);
                    Json.WriteNumber(w, "min", o.Min);
                    Json.WriteNumber(w, "max", o.Max);
                    w.WriteNumber("nonFinite", o.NonFinite);
                    if (lastEpoch)
                    {
                        Json.WriteNumber(w, "histogramLow", o.HistogramLow);
                        Json.WriteNumber(w, "histogramHigh", o.HistogramHigh);
                        w.WriteStartArray("histogram");
                        foreach (long c in o.Histogram)
                        {
                            w.WriteNumberValue(c);
                        }

                        w.WriteEndArray();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Number(double v) => double.IsNaN(v) ? "-" : v.ToString(Math.Abs(v) is >= 1e-3 and < 1e5 or 0 ? "0.####" : "0.00e+0", CultureInfo.InvariantCulture);

    private static string Share(double v, double warnAbove) => double.IsNaN(v) ? "-" : v.ToString("P1", CultureInfo.InvariantCulture) + (v > warnAbove ? " *" : "");
}
