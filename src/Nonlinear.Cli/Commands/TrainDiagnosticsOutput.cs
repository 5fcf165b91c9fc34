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
        Description = "Watch the training from inside: per-layer gradient norms, dead ReLU units, saturated sigmoid/tanh units and output statistics; for recurrent layers the gradient reaching each time step and gate saturation, for attention the entropy per head (a table after training; in --json every epoch)",
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

        WriteSequenceTable(console, last, thresholds);

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
                WriteSequenceJson(w, l);
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

    /// <summary>
    /// Recurrent and attention layers (none: nothing printed): the gradient norm reaching sampled time steps and the
    /// first/last ratio, the saturation of each gate, the attention entropy of each head against ln T.
    /// </summary>
    private static void WriteSequenceTable(IAnsiConsole console, EpochDiagnostics last, DiagnosticsThresholds thresholds)
    {
        var layers = last.Layers.Where(l => l.Recurrent is not null || l.Attention is not null).ToList();
        if (layers.Count == 0)
        {
            return;
        }

        var table = new Table().AddColumns(
            new TableColumn("layer").RightAligned(),
            new TableColumn("spec"),
            new TableColumn("||dL/dh_t|| at steps t"),
            new TableColumn("step 1 / step T").RightAligned(),
            new TableColumn("gate saturation / head entropy"));
        foreach (var l in layers)
        {
            string index = (l.Index + 1).ToString(CultureInfo.InvariantCulture);
            if (l.Recurrent is { } r)
            {
                string ratio = Number(r.StepGradientRatio);
                string verdict = r.StepGradientRatio < thresholds.VanishingRatio ? " (vanishing)" : r.StepGradientRatio > thresholds.ExplodingRatio ? " (exploding)" : "";
                table.AddRow(index, Markup.Escape(l.Spec), Markup.Escape(StepNorms(r.StepGradientNorms)), ratio + verdict,
                    Markup.Escape(string.Join("  ", r.Gates.Select(g => $"{g.Gate} ({g.Activation}) {Share(g.Share, double.PositiveInfinity)}"))));
            }
            else if (l.Attention is { } a)
            {
                string heads = string.Join(" ", a.HeadEntropy.Select(Number));
                table.AddRow(index, Markup.Escape(l.Spec), "-", "-",
                    Markup.Escape($"heads {heads} nats (uniform {Number(a.UniformEntropy)}, ln T = {Number(a.MaxEntropy)})"));
            }
        }

        console.WriteLine("Sequence layers: ||dL/dh_t|| = gradient reaching step t (mean over samples and batches); gate saturated = within 1% of its");
        console.WriteLine("range's ends (sigmoid < 0.01 or > 0.99); attention entropy per head in nats, 0 = one-hot rows (saturated softmax).");
        console.Write(table);
    }

    /// <summary>Up to 8 steps, evenly spaced, always the first and the last: "t1 0.12, t8 0.5, ..., t28 1.3".</summary>
    private static string StepNorms(IReadOnlyList<double> norms)
    {
        if (norms.Count == 0)
        {
            return "-";
        }

        int shown = Math.Min(8, norms.Count);
        var steps = Enumerable.Range(0, shown).Select(i => shown == 1 ? norms.Count - 1 : (int)Math.Round(i * (norms.Count - 1) / (double)(shown - 1))).Distinct();
        return string.Join(", ", steps.Select(t => $"t{(t + 1).ToString(CultureInfo.InvariantCulture)} {Number(norms[t])}"));
    }

    private static void WriteSequenceJson(Utf8JsonWriter w, LayerDiagnostics l)
    {
        if (l.Recurrent is { } r)
        {
            w.WriteStartObject("recurrent");
            w.WriteStartArray("stepGradientNorms");
            foreach (double v in r.StepGradientNorms)
            {
                Json.WriteNumber(w, v);
            }

            w.WriteEndArray();
            Json.WriteNumber(w, "stepGradientRatio", r.StepGradientRatio);
            w.WriteStartArray("gates");
            foreach (var g in r.Gates)
            {
                w.WriteStartObject();
                w.WriteString("gate", g.Gate);
                w.WriteString("activation", g.Activation);
                Json.WriteNumber(w, "saturatedShare", g.Share);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (l.Attention is { } a)
        {
            w.WriteStartObject("attention");
            w.WriteStartArray("headEntropy");
            foreach (double v in a.HeadEntropy)
            {
                Json.WriteNumber(w, v);
            }

            w.WriteEndArray();
            Json.WriteNumber(w, "uniformEntropy", a.UniformEntropy);
            Json.WriteNumber(w, "maxEntropy", a.MaxEntropy);
            w.WriteNumber("steps", a.Steps);
            w.WriteEndObject();
        }
    }

    private static string Number(double v) => double.IsNaN(v) ? "-" : v.ToString(Math.Abs(v) is >= 1e-3 and < 1e5 or 0 ? "0.####" : "0.00e+0", CultureInfo.InvariantCulture);

    private static string Share(double v, double warnAbove) => double.IsNaN(v) ? "-" : v.ToString("P1", CultureInfo.InvariantCulture) + (v > warnAbove ? " *" : "");
}
