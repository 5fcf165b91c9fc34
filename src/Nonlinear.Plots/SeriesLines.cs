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
            notes.Add("No series has a value that can be drawn.");
        }

        if (logY && drawn > 0)
        {
            ChartStyle.UseLogY(plot, lowest, highest);
        }

        ChartStyle.UseIntegerX(plot, xLabels, longest);
        plot.Axes.SetLimitsX(0.5, longest + 0.5);
        // Beside the plot, not on it: per-epoch and per-layer lines can end anywhere, including under a corner legend.
        plot.ShowLegend(Edge.Right);
        ChartStyle.Finish(plot, notes);
        return plot;
    }
}
