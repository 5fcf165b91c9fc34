using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace Nonlinear.Plots;

/// <summary>
/// The look every chart shares: one named font, fixed sizes, one palette. Fixed so that the same input gives the
/// same image on every machine that has the font.
/// </summary>
internal static class ChartStyle
{
    /// <summary>
    /// DejaVu Sans (Debian package fonts-dejavu-core, which .ci/run installs). The SkiaSharp native library used here
    /// (NoDependencies: no fontconfig) finds fonts by scanning /usr/share/fonts; left to itself ScottPlot would
    /// take whichever family the scan lists first (DejaVu Serif on Debian), so the family is named.
    /// </summary>
    public const string FontName = "DejaVu Sans";

    private static readonly Lazy<bool> FontInstalled = new(
        () => SKFontManager.Default.FontFamilies.Contains(FontName, StringComparer.OrdinalIgnoreCase));

    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>Colour of the <paramref name="index"/>-th series.</summary>
    public static Color SeriesColor(int index) => Palette.GetColor(index);

    /// <summary>A new plot with the title and axis labels set.</summary>
    public static Plot Create(ChartOptions options, string defaultTitle, string xLabel, string yLabel)
    {
        options.Validate();
        var plot = new Plot();
        string title = options.Title ?? defaultTitle;
        if (title.Length > 0)
        {
            plot.Title(title, size: 16);
        }

        plot.XLabel(xLabel, size: 13);
        plot.YLabel(yLabel, size: 13);
        return plot;
    }

    /// <summary>Applies the font everywhere (after every plottable is added) and notes when it is missing.</summary>
    public static void Finish(Plot plot, List<string> notes)
    {
        if (FontInstalled.Value)
        {
            plot.Font.Set(FontName);
            plot.Legend.SetBestFontOnEachRender = false;
            plot.Legend.FontName = FontName;
        }
        else
        {
            notes.Add($"The font {FontName} is not installed (Debian package fonts-dejavu-core), so text may be missing from the chart.");
        }

        plot.Legend.FontSize = 12;
    }

    /// <summary>
    /// Makes the left axis a log10 axis over the plotted values log10(y) in [<paramref name="lowLog"/>,
    /// <paramref name="highLog"/>]: sets the limits and labels ticks with the values themselves. Whole decades when
    /// the data spans several (thinned to about ten labels), 1-2-5 steps over one to three decades, every digit
    /// below one decade, and the two ends when even that gives fewer than two labels; minor ticks at the other digits.
    /// </summary>
    public static void UseLogY(Plot plot, double lowLog, double highLog)
    {
        double pad = Math.Max(0.05, 0.05 * (highLog - lowLog));
        double low = lowLog - pad, high = highLog + pad;
        double span = high - low;
        int[] mantissas = span >= 3 ? [1] : span >= 1 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        int decadeStep = span >= 3 ? Math.Max(1, (int)Math.Ceiling(span / 10)) : 1;
        var majors = new List<(double Position, string Label)>();
        var minors = new List<double>();
        for (int k = (int)Math.Floor(low); k <= (int)Math.Ceiling(high); k++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double position = Math.Log10(m) + k;
                if (position < low || position > high)
                {
                    continue;
                }

                if (mantissas.Contains(m) && (m != 1 || k % decadeStep == 0))
                {
                    majors.Add((position, FormatPower(m, k)));
                }
                else
                {
                    minors.Add(position);
                }
            }
        }

        if (majors.Count < 2)
        {
            majors = [(low, FormatValue(Math.Pow(10, low))), (high, FormatValue(Math.Pow(10, high)))];
        }

        var ticks = new NumericManual();
        foreach (var (position, label) in majors)
        {
            ticks.AddMajor(position, label);
        }

        foreach (double position in minors)
        {
            ticks.AddMinor(position);
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY(low, high);
    }

    /// <summary>x ticks on whole numbers only (epochs, layers), labelled by <paramref name="labels"/> when given (position 1 = first label).</summary>
    public static void UseIntegerX(Plot plot, IReadOnlyList<string>? labels, int count)
    {
        if (labels is null)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
            return;
        }

        var ticks = new NumericManual();
        for (int i = 0; i < count; i++)
        {
            ticks.AddMajor(i + 1, labels[i]);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
    }

    /// <summary>m × 10^k as people write it: 0.05, 200, 1e-7, 5e6.</summary>
    private static string FormatPower(int m, int k)
        => k is >= -3 and <= 3 ? FormatValue(m * Math.Pow(10, k)) : string.Create(CultureInfo.InvariantCulture, $"{m}e{k}");

    private static string FormatValue(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
