using System.Globalization;
using System.Net;
using System.Text;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Tensors;

namespace Nonlinear.Plots;

/// <summary>
/// The report of an activation comparison: one self-contained HTML page (no scripts, no network: every picture
/// is embedded as a PNG data URI) with the results table, the activation curves and their derivatives, loss and
/// test-accuracy curves per activation, the dead share per epoch, gradient flow per layer and, for 2-D data, the
/// decision boundary of each activation's model. The PNGs are also left beside the page.
/// </summary>
/// <example><c>ComparisonReport.Write("out", rows, test, settings, "spiral: 400 generated samples");</c></example>
public static class ComparisonReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes <c>index.html</c> and its pictures into <paramref name="directory"/> (created if missing); returns the page's path.</summary>
    /// <exception cref="ArgumentException">No rows.</exception>
    public static string Write(string directory, IReadOnlyList<ComparisonRow> rows, Dataset test, ComparisonSettings settings, string dataDescription)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        if (rows.Count == 0)
        {
            throw new ArgumentException("A report needs at least one row.", nameof(rows));
        }

        Directory.CreateDirectory(directory);
        var figures = new List<(string Title, string File, string Caption)>();
        var wide = new ChartOptions { Width = 900, Height = 480 };

        var activations = rows.Select(r => ActivationRegistry.Parse(r.Activation)).ToArray();
        figures.Add(("Activations and their derivatives", Chart(directory, "activations.png", p => ActivationChart.Render(activations, p, wide with { Title = "f(x) solid, f'(x) dashed" })),
            "Each activation (solid) and its derivative (dashed). Where the derivative is near 0 (saturation), gradients stop; where it is exactly 0 (ReLU for x < 0), a unit can die."));

        figures.Add(("Training loss", Chart(directory, "loss.png", p => EpochChart.Render(MeanSeries(rows, e => e.Loss), p, wide with { Title = "Training loss per epoch (mean over seeds)" }, "loss", logY: true)),
            "Mean training loss per epoch. The identity network is one affine map: its loss flattens at the best linear fit."));
        figures.Add(("Test accuracy", Chart(directory, "accuracy.png", p => EpochChart.Render(MeanSeries(rows, e => e.ValidationAccuracy), p, wide with { Title = "Test accuracy per epoch (mean over seeds)" }, "accuracy")),
            string.Create(Inv, $"Mean test accuracy after each epoch; the table's 'epochs to {settings.TargetAccuracy:P0}' is where a curve first crosses that line.")));

        var dead = rows.Where(r => r.Runs.Any(run => run.Diagnostics.Any(d => d.Layers.Any(l => !double.IsNaN(l.DeadShare))))).ToArray();
        if (dead.Length > 0)
        {
            var series = dead.Select(r => new NamedSeries(r.Activation, Mean(r.Runs.Select(run => run.Diagnostics.Select(d => LayerMean(d, l => l.DeadShare)).ToArray())))).ToArray();
            figures.Add(("Dead units", Chart(directory, "dead.png", p => EpochChart.Render(series, p, wide with { Title = "Share of dead units per epoch (mean over layers and seeds)" }, "dead share")),
                "Units whose output was zero on every training sample of the epoch. A dead unit gets no gradient and never recovers."));
        }

        var flow = rows.Where(r => r.Runs[0].Diagnostics.Count > 0).Select(r => GradientFlowChart.FromDiagnostics(r.Activation, r.Runs[0].Diagnostics[^1])).Where(s => s.Values.Count > 0).ToArray();
        if (flow.Length > 0)
        {
            figures.Add(("Gradient flow", Chart(directory, "gradient-flow.png", p => GradientFlowChart.Render(flow, p, wide with { Title = "Weight-gradient norm per layer, last epoch (first seed)" })),
                "L2 norm of each weight layer's gradient, first layer on the left. A curve falling towards the input means vanishing gradients."));
        }

        // The distribution of the last hidden activation's outputs (first seed, last epoch): saturation piles values
        // at the ends of a bounded range, dead ReLUs pile them at 0.
        foreach (var row in rows)
        {
            var last = row.Runs[0].Diagnostics.Count == 0 ? null : row.Runs[0].Diagnostics[^1];
            var layer = last?.Layers.LastOrDefault(l => l.Spec == row.Activation && l.Output is { Count: > 0 });
            if (layer?.Output is { } statistics)
            {
                string file = $"histogram-{Slug(row.Activation)}.png";
                figures.Add(($"Output distribution: {row.Activation}", Chart(directory, file, p => HistogramChart.Render(statistics, p, new ChartOptions { Width = 440, Height = 320, Title = $"{row.Activation}: layer {(layer.Index + 1).ToString(Inv)} outputs" })),
                    string.Create(Inv, $"Outputs of the last {row.Activation} layer in the last epoch (first seed): mean {statistics.Mean:G3}, std {statistics.Std:G3}.")));
            }
        }

        if (test.FeatureShape.Rank == 1 && test.FeatureShape[0] == 2)
        {
            foreach (var row in rows)
            {
                var model = row.Runs[0].Model;
                string file = $"boundary-{Slug(row.Activation)}.png";
                figures.Add(($"Decision boundary: {row.Activation}", Chart(directory, file, p => DecisionBoundaryChart.Render(Predictor(model, test), test, p, new ChartOptions { Width = 440, Height = 400, Title = $"{row.Activation} (seed {row.Runs[0].Seed.ToString(Inv)})" })),
                    $"What the {row.Activation} network (first seed) predicts over the plane, with the test points."));
            }
        }

        string path = Path.Combine(directory, "index.html");
        ChartFile.WriteAtomically(path, Encoding.UTF8.GetBytes(Html(rows, settings, dataDescription, directory, figures)));
        return path;
    }

    private static string Chart(string directory, string file, Func<string, RenderedChart> render)
    {
        render(Path.Combine(directory, file));
        return file;
    }

    /// <summary>The model's prediction at a point: the probability of class 1 (binary) or the class index (multiclass).</summary>
    private static Func<double, double, double> Predictor(Models.Sequential model, Dataset data)
    {
        var x = new Tensor(1, 2);
        return (a, b) =>
        {
            x.Span[0] = (float)a;
            x.Span[1] = (float)b;
            var y = model.Forward(x).Span;
            return data.Task == TaskKind.Binary
                ? 1 / (1 + Math.Exp(-y[0]))
                : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(y);
        };
    }

    private static NamedSeries[] MeanSeries(IReadOnlyList<ComparisonRow> rows, Func<Training.EpochReport, double> value)
        => rows.Select(r => new NamedSeries(r.Activation, Mean(r.Runs.Select(run => run.History.Epochs.Select(value).ToArray())))).ToArray();

    private static double[] Mean(IEnumerable<double[]> perRun)
    {
        var runs = perRun.ToArray();
        int length = runs.Min(r => r.Length);
        var mean = new double[length];
        for (int i = 0; i < length; i++)
        {
            var finite = runs.Select(r => r[i]).Where(v => !double.IsNaN(v)).ToArray();
            mean[i] = finite.Length == 0 ? double.NaN : finite.Average();
        }

        return mean;
    }

    private static double LayerMean(EpochDiagnostics d, Func<LayerDiagnostics, double> value)
    {
        var values = d.Layers.Select(value).Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }

    private static string Html(IReadOnlyList<ComparisonRow> rows, ComparisonSettings s, string data, string directory, List<(string Title, string File, string Caption)> figures)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Nonlinear: activation comparison</title>\n<style>")
            .Append("body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("th:first-child,td:first-child{text-align:left}figure{margin:2em 0}img{max-width:100%;border:1px solid #eee}")
            .Append("figcaption{color:#555;font-size:90%}.grid{display:flex;flex-wrap:wrap;gap:8px}.grid figure{margin:0;width:440px}")
            .Append("</style></head><body>\n");
        h.Append("<h1>Activation comparison</h1>\n");
        h.Append(string.Create(Inv, $"<p>{Enc(data)}. The same network, hidden layers {Enc(s.HiddenWidths)}, trained with each activation: {s.Epochs} epochs, {Enc(s.Optimizer)} (learning rate {s.LearningRate}), batch {s.BatchSize}, seeds {string.Join(", ", s.Seeds)}.</p>\n"));
        h.Append("<table><tr><th>activation</th><th>test accuracy (mean ± sd)</th>")
            .Append(string.Create(Inv, $"<th>epochs to {s.TargetAccuracy:P0}</th>"))
            .Append("<th>time per run</th><th>final dead share</th><th>gradient ratio first/last</th></tr>\n");
        foreach (var r in rows)
        {
            h.Append(string.Create(Inv, $"<tr><td>{Enc(r.Activation)}</td><td>{r.MeanAccuracy:F4} ± {r.AccuracyStd:F4}</td><td>{(r.ReachedTarget == 0 ? "never" : $"{r.MeanEpochsToTarget:F1} ({r.ReachedTarget}/{r.Runs.Count})")}</td><td>{r.MeanSeconds:F2} s</td><td>{(double.IsNaN(r.DeadShare) ? "-" : r.DeadShare.ToString("P1", Inv))}</td><td>{(double.IsNaN(r.GradientRatio) ? "-" : r.GradientRatio.ToString("G3", Inv))}</td></tr>\n"));
        }

        h.Append("</table>\n");
        if (rows.FirstOrDefault(r => r.Activation == "identity") is { } linear)
        {
            h.Append(string.Create(Inv, $"<p>The identity row is the linear model's ceiling: with no activation the {linear.Spec.Split(',').Count(t => t.StartsWith("dense", StringComparison.Ordinal))} dense layers collapse into one affine map, so {linear.MeanAccuracy:P1} is the best a straight boundary does on this data.</p>\n"));
        }

        string? grid = null;
        foreach (var (title, file, caption) in figures)
        {
            // Per-activation figures (histograms, decision boundaries) go side by side under one heading.
            string? group = title.StartsWith("Decision boundary", StringComparison.Ordinal) ? "Decision boundaries"
                : title.StartsWith("Output distribution", StringComparison.Ordinal) ? "Output distributions" : null;
            if (group != grid)
            {
                if (grid is not null)
                {
                    h.Append("</div>\n");
                }

                if (group is not null)
                {
                    h.Append("<h2>").Append(group).Append("</h2>\n<div class=\"grid\">\n");
                }

                grid = group;
            }

            if (group is null)
            {
                h.Append("<h2>").Append(Enc(title)).Append("</h2>\n");
            }

            string data64 = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(directory, file)));
            h.Append("<figure><img alt=\"").Append(Enc(title)).Append("\" src=\"data:image/png;base64,").Append(data64).Append("\"><figcaption>")
                .Append(Enc(caption)).Append("</figcaption></figure>\n");
        }

        if (grid is not null)
        {
            h.Append("</div>\n");
        }

        h.Append("<p><small>Generated by <code>nonlinear compare</code>.</small></p>\n</body></html>\n");
        return h.ToString();
    }

    private static string Enc(string text) => WebUtility.HtmlEncode(text);

    private static string Slug(string activation) => new(activation.Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
}
