using Nonlinear.Diagnostics;

namespace Nonlinear.Plots;

/// <summary>
/// Gradient norms per layer on a log axis, one line per series (one per activation): gradients that vanish on the
/// way back to the first layer show as a line falling decades from right to left.
/// </summary>
/// <example><code>
/// var sigmoid = GradientFlowChart.FromDiagnostics("sigmoid", sigmoidEpoch);
/// var relu = GradientFlowChart.FromDiagnostics("relu", reluEpoch);
/// GradientFlowChart.Render([sigmoid, relu], "flow.png", layerLabels: GradientFlowChart.WeightLayerLabels(reluEpoch));
/// </code></example>
public static class GradientFlowChart
{
    /// <summary>The default title.</summary>
    public const string DefaultTitle = "Gradient norm per layer";

    /// <summary>
    /// Draws <paramref name="series"/> (value i at layer i + 1) on a log y axis and writes the chart to
    /// <paramref name="path"/>. Values that are not finite or not positive are skipped with a note.
    /// </summary>
    /// <param name="series">One series per model, e.g. per activation.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">Size, format, title.</param>
    /// <param name="layerLabels">Tick labels, one per layer (as many as the longest series); null numbers the layers.</param>
    /// <exception cref="ArgumentException">No series or every series empty; labels that do not match; a bad size or extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(IReadOnlyList<NamedSeries> series, string path, ChartOptions? options = null, IReadOnlyList<string>? layerLabels = null)
    {
        FinitePoints.CheckNotEmpty(series, nameof(series));
        int longest = series.Max(s => s.Values.Count);
        if (layerLabels is not null && layerLabels.Count != longest)
        {
            throw new ArgumentException($"{layerLabels.Count} layer labels for {longest} layers.", nameof(layerLabels));
        }

        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        var notes = new List<string>();
        using var plot = SeriesLines.Draw(series, options, DefaultTitle, "layer (input → output)", "weight-gradient L2 norm", logY: true, layerLabels, notes);
        return ChartFile.Save(plot, path, options, notes);
    }

    /// <summary>
    /// The weight-gradient norms of the layers that have weights, input side first, as a series named
    /// <paramref name="name"/>. Layers without weights (activations, pooling) report NaN and are left out.
    /// </summary>
    public static NamedSeries FromDiagnostics(string name, EpochDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return new NamedSeries(name, WeightLayers(diagnostics).Select(l => l.GradientNorm).ToArray());
    }

    /// <summary>Tick labels for <see cref="FromDiagnostics"/>'s series: the spec of each layer with weights, e.g. "dense:64".</summary>
    public static IReadOnlyList<string> WeightLayerLabels(EpochDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        return WeightLayers(diagnostics).Select(l => l.Spec).ToArray();
    }

    private static IEnumerable<LayerDiagnostics> WeightLayers(EpochDiagnostics diagnostics)
        => diagnostics.Layers.Where(l => !double.IsNaN(l.GradientNorm));
}
