using ScottPlot;

namespace Nonlinear.Plots;

/// <summary>Named series against step 1..n, one colour each: shared by the epoch and gradient-flow charts.</summary>
internal static class SeriesLines
{
    /// <summary>Markers are drawn when every series is at most this long; longer ones read better as bare lines.</summary>
    private const int MarkerLimit = 40;

    public static Plot Draw(IReadOnlyList<NamedSeries> series, ChartOptions options, string defaultTitle, string xLabel, string yLabel, bool logY, IReadOnlyList<string>? xLabels, List<string> notes)
    {
        var plot = ChartStyle.Create(options, defaultTitle, xLabel, logY ? $"{yLabel} (log scale)" : yLabel);
        int longest = series.Max(s => s.Values.Count);
        bool markers = longest <= MarkerLimit;
        int drawn = 0;
        double lowest = double.PositiveInfinity, highest = double.NegativeInfinity;
        for (int i = 0; i < series.Count; i++)
        {
            var (xs, ys) = FinitePoints.Select(series[i], logY, notes);
            if (xs.Length == 0)
            {
                continue;
            }

            drawn++;
            lowest = Math.Min(lowest, ys.Min());
            highest = Math.Max(highest, ys.Max());
            var line = plot.Add.Scatter(xs, ys, ChartStyle.SeriesColor(i));
            line.LineWidth = 2;
            line.MarkerSize = markers ? 6 : 0;
            line.LegendText = series[i].Name;
        }

        if (drawn == 0)
        {
            // Without a single point ScottPlot has no y range and renders a blank page; give it one and say why it is empty.
            notes.Add("No series has a value that can be drawn.");
            plot.Axes.SetLimitsY(0, 1);
            plot.Add.Annotation("no finite values to draw", Alignment.MiddleCenter);
        }

        if (logY && drawn > 0)
        {
            ChartStyle.UseLogY(plot, lowest, highest);
        }

        ChartStyle.UseIntegerX(plot, xLabels, longest);
        plot.Axes.SetLimitsX(0.5, longest + 0.5);
        // Beside the plot, not on it: per-epoch and per-layer lines can end anywhere, including under a corner legend.
        // Only with items: an empty legend panel makes ScottPlot 5.1.59 render a blank page.
        if (drawn > 0)
        {
            plot.ShowLegend(Edge.Right);
        }
        ChartStyle.Finish(plot, notes);
        return plot;
    }
}
