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
    /// Makes the left axis a log10 axis: the caller plots log10(y); ticks are labelled with the value, 1e-3 style,
    /// at whole decades, with minor ticks in between.
    /// </summary>
    public static void UseLogY(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = exponent => FormatDecade(exponent),
        };
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

    private static string FormatDecade(double exponent)
    {
        int k = (int)Math.Round(exponent);
        return k switch
        {
            0 => "1",
            1 => "10",
            2 => "100",
            _ => $"1e{k}",
        };
    }
}
