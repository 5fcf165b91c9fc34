namespace Nonlinear.Plots;

/// <summary>The points of a series that a chart can draw, and a note about the ones it cannot.</summary>
internal static class FinitePoints
{
    /// <summary>
    /// Pairs step numbers 1..n with the series' values, dropping non-finite values (and, on a log axis, values
    /// that are not positive) with a note naming the series; on a log axis y becomes log10(y).
    /// </summary>
    public static (double[] X, double[] Y) Select(NamedSeries series, bool logY, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(series);
        return Select(null, series.Values, series.Name, logY, notes);
    }

    /// <summary>The same for explicit x values (non-finite x drops the point too).</summary>
    public static (double[] X, double[] Y) Select(IReadOnlyList<double> x, IReadOnlyList<double> y, string name, List<string> notes)
        => Select((IReadOnlyList<double>?)x, y, name, logY: false, notes);

    private static (double[] X, double[] Y) Select(IReadOnlyList<double>? x, IReadOnlyList<double> y, string name, bool logY, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(y);
        if (x is not null && x.Count != y.Count)
        {
            throw new ArgumentException($"{name}: {x.Count} x values but {y.Count} y values.", nameof(x));
        }

        var xs = new List<double>(y.Count);
        var ys = new List<double>(y.Count);
        int nonFinite = 0, nonPositive = 0;
        for (int i = 0; i < y.Count; i++)
        {
            double u = x is null ? i + 1 : x[i];
            double v = y[i];
            if (!double.IsFinite(v) || !double.IsFinite(u))
            {
                nonFinite++;
                continue;
            }

            if (logY && v <= 0)
            {
                nonPositive++;
                continue;
            }

            xs.Add(u);
            ys.Add(logY ? Math.Log10(v) : v);
        }

        if (nonFinite > 0)
        {
            notes.Add($"{name}: {nonFinite} non-finite value{Plural(nonFinite)} (NaN or infinity) not drawn.");
        }

        if (nonPositive > 0)
        {
            notes.Add($"{name}: {nonPositive} value{Plural(nonPositive)} at or below zero not drawn on the log axis.");
        }

        return (xs.ToArray(), ys.ToArray());
    }

    /// <summary>Throws unless there is at least one series, every series is named and not null, and one has a value.</summary>
    public static void CheckNotEmpty(IReadOnlyList<NamedSeries> series, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(series, parameterName);
        if (series.Count == 0)
        {
            throw new ArgumentException("There is nothing to plot: no series given.", parameterName);
        }

        foreach (var s in series)
        {
            if (s is null || s.Values is null || s.Name is null)
            {
                throw new ArgumentException("A series, its name or its values is null.", parameterName);
            }
        }

        if (series.All(s => s.Values.Count == 0))
        {
            throw new ArgumentException("There is nothing to plot: every series is empty.", parameterName);
        }
    }

    public static string Plural(int n) => n == 1 ? "" : "s";
}
