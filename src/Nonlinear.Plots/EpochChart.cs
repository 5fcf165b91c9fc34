namespace Nonlinear.Plots;

/// <summary>
/// Values per epoch as lines, one per named series: loss or accuracy curves, one per activation. Optional log y axis
/// (for losses spanning decades).
/// </summary>
/// <example><code>
/// EpochChart.Render([new NamedSeries("relu", reluLoss), new NamedSeries("tanh", tanhLoss)], "loss.svg", yLabel: "loss", logY: true);
/// </code></example>
public static class EpochChart
{
    /// <summary>The default title.</summary>
    public const string DefaultTitle = "Per epoch";

    /// <summary>
    /// Draws <paramref name="series"/> (value i at epoch i + 1) and writes the chart to <paramref name="path"/>.
    /// Non-finite values, and values at or below zero on a log axis, are skipped with a note.
    /// </summary>
    /// <exception cref="ArgumentException">No series, or every series empty; a bad size or file extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(IReadOnlyList<NamedSeries> series, string path, ChartOptions? options = null, string yLabel = "value", bool logY = false)
    {
        FinitePoints.CheckNotEmpty(series, nameof(series));
        ArgumentNullException.ThrowIfNull(yLabel);
        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        var notes = new List<string>();
        using var plot = SeriesLines.Draw(series, options, DefaultTitle, "epoch", yLabel, logY, null, notes);
        return ChartFile.Save(plot, path, options, notes);
    }
}
