using Nonlinear.Data;
using ScottPlot;

namespace Nonlinear.Plots;

/// <summary>
/// A model's prediction over the plane of a 2-feature dataset as a heatmap, with the dataset's points on top
/// coloured by class: where the model draws the boundary, and which points fall on the wrong side.
/// </summary>
/// <remarks>
/// The prediction is a probability of class 1 for a binary dataset (heatmap over [0, 1], the boundary is where the
/// colour turns, through white at 0.5), or a class index for a multiclass one (heatmap over [0, K − 1]). The colour
/// scale runs through the class colours, so a region is tinted like the points of the class predicted there and a
/// point on the wrong side stands out.
/// </remarks>
/// <example><code>
/// DecisionBoundaryChart.Render((x1, x2) => model.Probability(x1, x2), moons, "moons.png");
/// </code></example>
public static class DecisionBoundaryChart
{
    /// <summary>The default grid: 120 × 120 cells.</summary>
    public const int DefaultResolution = 120;

    /// <summary>
    /// Evaluates <paramref name="predict"/> on a grid covering <paramref name="data"/> (plus a 10% margin), draws it
    /// with the points on top, and writes the chart to <paramref name="path"/>. Non-finite predictions are left
    /// blank with a note.
    /// </summary>
    /// <param name="predict">(x1, x2) → probability of class 1 (binary) or class index (multiclass).</param>
    /// <param name="data">A Binary or Multiclass dataset with exactly 2 features per sample.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">Size, format, title (default: the dataset's name).</param>
    /// <param name="resolution">Grid cells per axis, 2 to 1000.</param>
    /// <exception cref="ArgumentException">An empty or regression dataset, not 2 features, a bad resolution, size or extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(Func<double, double, double> predict, Dataset data, string path, ChartOptions? options = null, int resolution = DefaultResolution)
    {
        ArgumentNullException.ThrowIfNull(predict);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("There is nothing to plot: the dataset is empty.", nameof(data));
        }

        if (data.FeatureShape.Rank != 1 || data.FeatureShape[0] != 2)
        {
            throw new ArgumentException($"A decision boundary needs 2 features per sample; {data.Name} has {data.FeatureShape}.", nameof(data));
        }

        if (data.Task == TaskKind.Regression)
        {
            throw new ArgumentException($"A decision boundary needs classes; {data.Name} is a regression dataset.", nameof(data));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resolution, 1000);
        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);

        var features = data.Features.Span;
        var targets = data.Targets.Span;
        int n = data.Count;
        int classes = data.Task == TaskKind.Binary ? 2 : data.ClassCount;
        var (xMin, xMax) = Bounds(features, 0, n);
        var (yMin, yMax) = Bounds(features, 1, n);

        // Row 0 of a ScottPlot heatmap is drawn at the top, so row r holds y from the top down.
        var grid = new double[resolution, resolution];
        int nonFinite = 0;
        for (int r = 0; r < resolution; r++)
        {
            double y = yMax - ((r + 0.5) * (yMax - yMin) / resolution);
            for (int c = 0; c < resolution; c++)
            {
                double x = xMin + ((c + 0.5) * (xMax - xMin) / resolution);
                double v = predict(x, y);
                if (!double.IsFinite(v))
                {
                    nonFinite++;
                    v = double.NaN;
                }

                grid[r, c] = v;
            }
        }

        var notes = new List<string>();
        if (nonFinite > 0)
        {
            notes.Add($"{nonFinite} of {resolution * resolution} grid predictions were not finite and are left blank.");
        }

        using var plot = ChartStyle.Create(options, data.Name, "x1", "x2");
        // The scale runs through the class colours, so a class index (or a probability of 0 or 1) is painted in the
        // colour of that class's points; a binary scale passes through white at p = 0.5, the boundary.
        var classColors = Enumerable.Range(0, classes).Select(ChartStyle.SeriesColor).ToArray();
        IColormap colormap = new ScottPlot.Colormaps.CustomInterpolated(classes == 2 ? [classColors[0], Colors.White, classColors[1]] : classColors);
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = colormap;
        heatmap.ManualRange = new ScottPlot.Range(0, classes - 1);
        heatmap.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        heatmap.Opacity = 0.45;
        heatmap.NaNCellColor = Colors.Transparent;

        for (int k = 0; k < classes; k++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < n; i++)
            {
                if ((int)targets[i] == k)
                {
                    xs.Add(features[2 * i]);
                    ys.Add(features[(2 * i) + 1]);
                }
            }

            if (xs.Count == 0)
            {
                continue;
            }

            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 6, classColors[k]);
            markers.MarkerStyle.OutlineColor = Colors.Black;
            markers.MarkerStyle.OutlineWidth = 0.75f;
            markers.LegendText = data.ClassNames is { } names ? names[k] : $"class {k}";
        }

        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plot.ShowLegend(Alignment.UpperRight);
        ChartStyle.Finish(plot, notes);
        return ChartFile.Save(plot, path, options, notes);
    }

    /// <summary>The range of feature <paramref name="column"/> widened by 10% on each side (±1 when all values are equal).</summary>
    private static (double Low, double High) Bounds(ReadOnlySpan<float> features, int column, int n)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            double v = features[(2 * i) + column];
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }

        double margin = high > low ? 0.1 * (high - low) : 1;
        return (low - margin, high + margin);
    }
}
