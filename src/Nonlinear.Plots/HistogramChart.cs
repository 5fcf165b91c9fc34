using Nonlinear.Diagnostics;
using ScottPlot;

namespace Nonlinear.Plots;

/// <summary>Bin counts over a range as touching bars: the distribution of a layer's outputs.</summary>
/// <example><code>
/// HistogramChart.Render(layer.Output!, "layer3.png", new ChartOptions { Title = "layer 3 (tanh)" });
/// </code></example>
public static class HistogramChart
{
    /// <summary>The default title.</summary>
    public const string DefaultTitle = "Histogram";

    /// <summary>
    /// Draws <paramref name="counts"/> as equal-width bins over [<paramref name="low"/>, <paramref name="high"/>] and
    /// writes the chart to <paramref name="path"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No bins, a negative count, a range that is not finite and increasing, a bad size or extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(double low, double high, IReadOnlyList<long> counts, string path, ChartOptions? options = null, string xLabel = "value")
        => Render(low, high, counts, path, options, xLabel, []);

    /// <summary>
    /// Draws the histogram of <paramref name="statistics"/> (a layer's outputs) and writes the chart to
    /// <paramref name="path"/>; the non-finite values it counted are mentioned in a note, not drawn.
    /// </summary>
    /// <exception cref="ArgumentException">An empty histogram, a bad size or extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(ActivationStatistics statistics, string path, ChartOptions? options = null, string xLabel = "output")
    {
        ArgumentNullException.ThrowIfNull(statistics);
        string[] notes = statistics.NonFinite > 0
            ? [$"{statistics.NonFinite} non-finite value{(statistics.NonFinite == 1 ? "" : "s")} (NaN or infinity) are not in the histogram."]
            : [];
        return Render(statistics.HistogramLow, statistics.HistogramHigh, statistics.Histogram, path, options, xLabel, notes);
    }

    private static RenderedChart Render(double low, double high, IReadOnlyList<long> counts, string path, ChartOptions? options, string xLabel, string[] initialNotes)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(xLabel);
        if (counts.Count == 0)
        {
            throw new ArgumentException("There is nothing to plot: the histogram has no bins.", nameof(counts));
        }

        if (counts.Any(c => c < 0))
        {
            throw new ArgumentException("Histogram counts cannot be negative.", nameof(counts));
        }

        ActivationCurve.CheckRange(low, high);
        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        var notes = new List<string>(initialNotes);
        using var plot = ChartStyle.Create(options, DefaultTitle, xLabel, "count");
        double width = (high - low) / counts.Count;
        var bars = new List<Bar>(counts.Count);
        for (int i = 0; i < counts.Count; i++)
        {
            bars.Add(new Bar
            {
                Position = low + ((i + 0.5) * width),
                Value = counts[i],
                Size = width,
                FillColor = ChartStyle.SeriesColor(0),
                LineColor = Colors.White,
                LineWidth = counts.Count <= 100 ? 1 : 0,
            });
        }

        plot.Add.Bars(bars);
        plot.Axes.Margins(bottom: 0);
        ChartStyle.Finish(plot, notes);
        return ChartFile.Save(plot, path, options, notes);
    }
}
