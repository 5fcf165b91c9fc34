using Nonlinear.Activations;
using ScottPlot;

namespace Nonlinear.Plots;

/// <summary>
/// Activation functions with their derivatives: f(x) solid, f'(x) dashed in the same colour, one colour per
/// activation, with a legend. What <c>nonlinear plot relu gelu --out f.png</c> draws.
/// </summary>
/// <example><code>
/// var chart = ActivationChart.Render([ActivationRegistry.Parse("relu"), ActivationRegistry.Parse("gelu")], "act.png");
/// </code></example>
public static class ActivationChart
{
    /// <summary>The default title.</summary>
    public const string DefaultTitle = "Activations (solid) and their derivatives (dashed)";

    /// <summary>
    /// Draws <paramref name="activations"/> over [<paramref name="low"/>, <paramref name="high"/>] and writes the
    /// chart to <paramref name="path"/> (PNG or SVG by its extension, or <see cref="ChartOptions.Format"/>).
    /// Row-wise activations are drawn on the row [x, 0] (see <see cref="ActivationCurve"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No activations, a bad range, size or file extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(IReadOnlyList<Activation> activations, string path, ChartOptions? options = null, double low = -6, double high = 6)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Count == 0)
        {
            throw new ArgumentException("There is nothing to plot: no activations given.", nameof(activations));
        }

        if (activations.Any(a => a is null))
        {
            throw new ArgumentException("An activation is null.", nameof(activations));
        }

        ActivationCurve.CheckRange(low, high);
        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        var curves = activations.Select(a => ActivationCurve.Compute(a, low, high)).ToList();
        return Render(curves, path, options);
    }

    /// <summary>Draws curves already computed with <see cref="ActivationCurve.Compute"/>.</summary>
    /// <exception cref="ArgumentException">No curves, a bad size or file extension.</exception>
    /// <exception cref="IOException">The file cannot be written (nothing is left behind).</exception>
    public static RenderedChart Render(IReadOnlyList<ActivationCurve> curves, string path, ChartOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0 || curves.Any(c => c is null))
        {
            throw new ArgumentException("There is nothing to plot: no curves given (or one is null).", nameof(curves));
        }

        options ??= ChartOptions.Default;
        ChartFile.ResolveFormat(path, options.Format);
        using var plot = ChartStyle.Create(options, DefaultTitle, "x", "f(x) and f'(x)");
        var notes = new List<string>();

        // Axes through the origin first, so the curves draw over them.
        plot.Add.HorizontalLine(0, 1, Colors.Gray.WithAlpha(0.6));
        plot.Add.VerticalLine(0, 1, Colors.Gray.WithAlpha(0.6));

        for (int i = 0; i < curves.Count; i++)
        {
            var curve = curves[i];
            var color = ChartStyle.SeriesColor(i);
            AddLine(plot, curve.X, curve.Value, curve.ValueLabel, color, LinePattern.Solid, notes);
            AddLine(plot, curve.X, curve.Derivative, curve.DerivativeLabel, color, LinePattern.Dashed, notes);
            if (curve.IsRowWise)
            {
                notes.Add($"{curve.Activation.Spec} is row-wise: drawn on the row [x, 0], with the Jacobian's diagonal ∂y₀/∂x₀ as its derivative.");
            }
        }

        plot.ShowLegend(Alignment.UpperLeft);
        ChartStyle.Finish(plot, notes);
        return ChartFile.Save(plot, path, options, notes);
    }

    private static void AddLine(Plot plot, IReadOnlyList<double> x, IReadOnlyList<double> y, string label, Color color, LinePattern pattern, List<string> notes)
    {
        var (xs, ys) = FinitePoints.Select(x, y, label, notes);
        if (xs.Length == 0)
        {
            return;
        }

        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.LegendText = label;
    }
}
