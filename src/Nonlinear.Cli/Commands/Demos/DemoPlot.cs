using System.CommandLine;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Nonlinear.Plots;

namespace Nonlinear.Cli.Commands.Demos;

/// <summary>The <c>--plot file.png|svg</c> option of the demos, and the charts each demo draws.</summary>
internal static class DemoPlot
{
    public static Option<string?> CreateOption() => new("--plot") { Description = "Also draw the result to this PNG or SVG file" };

    /// <summary>Per-layer weight-gradient norms on a log scale, one line per activation.</summary>
    public static void Vanishing(CliContext context, string? path, IReadOnlyList<VanishingGradientResult> results)
    {
        if (path is null)
        {
            return;
        }

        var series = results.Select(r => new NamedSeries($"{r.Activation} (first/last {r.Ratio:G2})", r.Layers.Select(l => l.Norm).ToArray())).ToArray();
        var labels = results[0].Layers.Select(l => (l.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Report(context, OutputFile.Write(path, () => GradientFlowChart.Render(series, path, new ChartOptions { Title = "Weight-gradient norm per layer after one backward pass" }, labels)));
    }

    /// <summary>The dead share per epoch of each run.</summary>
    public static void DyingRelu(CliContext context, string? path, IReadOnlyList<DyingReluRun> runs)
    {
        if (path is null)
        {
            return;
        }

        var series = runs.SelectMany(r => new[]
        {
            new NamedSeries($"{r.Activation}: dead", r.DeadShare),
            new NamedSeries($"{r.Activation}: input ≤ 0", r.NegativeShare),
        }).Where(s => s.Values.Any(v => !double.IsNaN(v))).ToArray();
        Report(context, OutputFile.Write(path, () => EpochChart.Render(series, path, new ChartOptions { Title = "Share of hidden units per epoch" }, "share of units")));
    }

    /// <summary>The error of the naive and the stable softmax against float64, per logit scale.</summary>
    public static void SoftmaxOverflow(CliContext context, string? path, IReadOnlyList<SoftmaxOverflowRow> rows)
    {
        if (path is null)
        {
            return;
        }

        static double Error(IReadOnlyList<float> p, IReadOnlyList<double> truth)
            => p.Zip(truth, (a, b) => Math.Abs(a - b)).Max() is var e && double.IsFinite(e) ? Math.Max(e, 1e-30) : double.NaN;
        var naive = new NamedSeries("naive exp/sum (missing points: NaN)", rows.Select(r => Error(r.Naive, r.Truth)).ToArray());
        var stable = new NamedSeries("stable (max subtracted)", rows.Select(r => Math.Max(r.StableError, 1e-30)).ToArray());
        var labels = rows.Select(r => r.Scale.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Report(context, OutputFile.Write(path, () => GradientFlowChart.Render([naive, stable], path, new ChartOptions { Title = "Largest error against float64, per logit scale (log scale; 1e-30 = exact)" }, labels)));
    }

    /// <summary>
    /// ‖dL/dx_t‖ per time step at the longest length, untrained and trained, one line per cell, on a log scale
    /// (divided by the last step's value, so that every line ends at 1).
    /// </summary>
    public static void VanishingTime(CliContext context, string? path, IReadOnlyList<VanishingTimeRun> runs)
    {
        if (path is null)
        {
            return;
        }

        int longest = runs.Max(r => r.Steps);
        var series = runs.Where(r => r.Steps == longest).SelectMany(r => new[]
        {
            new NamedSeries($"{r.Cell}, untrained", r.InitialGradient.Select(v => v / r.InitialGradient[^1]).ToArray()),
            new NamedSeries($"{r.Cell}, trained (test acc {r.Accuracy:F2})", r.TrainedGradient.Select(v => v / r.TrainedGradient[^1]).ToArray()),
        }).ToArray();
        Report(context, OutputFile.Write(path, () => SeriesChart.Render(series, path, new ChartOptions { Title = $"Gradient reaching each time step, T = {longest} (relative to step T)" }, "time step t (the output is read after step T)", "‖dL/dx_t‖ / ‖dL/dx_T‖", logY: true)));
    }

    /// <summary>Entropy of the attention rows and the median gradient through the softmax, per head width, scaled and unscaled.</summary>
    public static void AttentionScale(CliContext context, string? path, IReadOnlyList<AttentionScaleRow> rows, int steps)
    {
        if (path is null)
        {
            return;
        }

        var scaled = rows.Where(r => r.Scaled).ToArray();
        var unscaled = rows.Where(r => !r.Scaled).ToArray();
        var series = new[]
        {
            new NamedSeries($"ln T = {Math.Log(steps):F2} (uniform rows)", scaled.Select(_ => Math.Log(steps)).ToArray()),
            new NamedSeries("entropy (nats), q·k/√d", scaled.Select(r => r.Entropy).ToArray()),
            new NamedSeries("entropy (nats), q·k", unscaled.Select(r => r.Entropy).ToArray()),
            new NamedSeries("median ‖dL/dS‖/‖dL/dP‖, q·k/√d", scaled.Select(r => r.MedianGradientRatio).ToArray()),
            new NamedSeries("median ‖dL/dS‖/‖dL/dP‖, q·k", unscaled.Select(r => r.MedianGradientRatio).ToArray()),
        };
        var labels = scaled.Select(r => r.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Report(context, OutputFile.Write(path, () => SeriesChart.Render(series, path, new ChartOptions { Title = "Attention rows with and without 1/√d" }, "head width d", "entropy (nats) / gradient ratio", logY: true, labels)));
    }

    private static void Report(CliContext context, RenderedChart chart)
    {
        context.Error.WriteLine($"plot: {chart.Path} ({chart.Width}x{chart.Height}){(chart.Notes.Count > 0 ? "; " + string.Join("; ", chart.Notes) : "")}");
    }
}
