namespace Nonlinear.Plots;

/// <summary>
/// Named series against step 1..n with free axis labels: for x axes that are neither epochs nor layers (time steps of a
/// sequence, widths of an attention head). Optional log y axis.
/// </summary>
/// <example><code>
/// SeriesChart.Render([new NamedSeries("rnn", rnnNorms), new NamedSeries("lstm", lstmNorms)], "steps.png", xLabel: "time step", yLabel: "‖dL/dx_t‖", logY: true);
/// </code></example>
public static class SeriesChart
{
    /// <summary>The default title.</summary>
    public const string DefaultTitle = "Per step";

    /// <summary>
    /// Draws <paramref name="series"/> (value i at x = i + 1, or at tick <paramref name="xLabels"/>[i]) and writes the
    /// chart to <paramref name="path"/>. Non-finite values, and values at or below zero on a log axis, are skipped with a note.
    /// </summary>
    /// <exception cref="ArgumentException">No series or every series empty; labels that do not match; a bad size or extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(IReadOnlyList<NamedSeries> series, string path, ChartOptions? options = null, string xLabel = "step", string yLabel = "value", bool logY = false, IReadOnlyList<string>? xLabels = null)
    {
        FinitePoints.CheckNotEmpty(series, nameof(series));
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        int longest = series.Max(s => s.Values.Count);
        if (xLabels is not null && xLabels.Count != longest)
        {
            throw new ArgumentException($"{xLabels.Count} x labels for {longest} values.", nameof(xLabels));
        }

        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        var notes = new List<string>();
        using var plot = SeriesLines.Draw(series, options, DefaultTitle, xLabel, yLabel, logY, xLabels, notes);
        return ChartFile.Save(plot, path, options, notes);
    }
}
