using System.Globalization;
using System.Text;

namespace Nonlinear.Cli.Output;

/// <summary>
/// A character plot of two series (f and f') sharing one y scale, with the axes through the origin. Plain
/// characters rather than Braille or colour so that it survives pipes, logs and README files.
/// </summary>
internal static class TerminalPlot
{
    /// <summary>Plot columns: one per sample.</summary>
    public const int Width = 61;

    /// <summary>Plot rows.</summary>
    public const int Height = 15;

    /// <summary>Characters of the y-axis labels before the frame.</summary>
    public const int GutterWidth = 8;

    public const char FirstMark = '*';
    public const char SecondMark = 'o';
    public const char BothMark = '#';

    /// <summary>
    /// Renders <paramref name="first"/> and <paramref name="second"/> (each <see cref="Width"/> values, sampled at
    /// evenly spaced x from <paramref name="xMin"/> to <paramref name="xMax"/>). Every row of the plot area is
    /// <see cref="GutterWidth"/> label characters, a frame character and exactly <see cref="Width"/> cells.
    /// </summary>
    public static IReadOnlyList<string> Render(IReadOnlyList<float> first, IReadOnlyList<float> second, double xMin, double xMax)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != Width || second.Count != Width)
        {
            throw new ArgumentException($"Both series need {Width} values.", nameof(first));
        }

        var finite = first.Concat(second).Where(float.IsFinite).Select(v => (double)v).ToList();

        // Include 0 so the x-axis is always drawn and the reader can see the sign of each value.
        double yMin = Math.Min(0, finite.DefaultIfEmpty(0).Min());
        double yMax = Math.Max(0, finite.DefaultIfEmpty(0).Max());
        if (yMax - yMin < 1e-9)
        {
            yMin -= 1;
            yMax += 1;
        }

        int RowOf(double y) => (int)Math.Round((yMax - y) / (yMax - yMin) * (Height - 1));

        var cells = new char[Height, Width];
        int zeroRow = RowOf(0);
        int zeroColumn = xMin < 0 && xMax > 0 ? (int)Math.Round(-xMin / (xMax - xMin) * (Width - 1)) : -1;
        for (int r = 0; r < Height; r++)
        {
            for (int c = 0; c < Width; c++)
            {
                cells[r, c] = (r == zeroRow, c == zeroColumn) switch
                {
                    (true, true) => '┼',
                    (true, false) => '─',
                    (false, true) => '│',
                    _ => ' ',
                };
            }
        }

        // The second series first, so where both land on one cell the mark says so.
        Plot(cells, second, SecondMark, RowOf, overlap: null);
        Plot(cells, first, FirstMark, RowOf, overlap: SecondMark);

        var lines = new List<string>(Height + 2);
        for (int r = 0; r < Height; r++)
        {
            string label = r == 0 ? Label(yMax) : r == Height - 1 ? Label(yMin) : r == zeroRow ? Label(0) : "";
            var line = new StringBuilder(GutterWidth + 1 + Width);
            line.Append(label.PadLeft(GutterWidth)).Append(label.Length > 0 ? '┤' : '│');
            for (int c = 0; c < Width; c++)
            {
                line.Append(cells[r, c]);
            }

            lines.Add(line.ToString());
        }

        var axis = new StringBuilder(new string(' ', GutterWidth) + "└" + new string('─', Width));
        var ticks = new StringBuilder(new string(' ', GutterWidth + 1 + Width + 4));
        PlaceTick(axis, ticks, 0, xMin);
        if (zeroColumn >= 0)
        {
            PlaceTick(axis, ticks, zeroColumn, 0);
        }

        PlaceTick(axis, ticks, Width - 1, xMax);
        lines.Add(axis.ToString());
        lines.Add(ticks.ToString().TrimEnd());
        return lines;
    }

    private static void Plot(char[,] cells, IReadOnlyList<float> values, char mark, Func<double, int> rowOf, char? overlap)
    {
        for (int c = 0; c < Width; c++)
        {
            if (!float.IsFinite(values[c]))
            {
                continue;
            }

            int r = rowOf(values[c]);
            cells[r, c] = overlap is { } other && cells[r, c] == other ? BothMark : mark;
        }
    }

    private static void PlaceTick(StringBuilder axis, StringBuilder ticks, int column, double x)
    {
        int at = GutterWidth + 1 + column;
        axis[at] = '┬';
        string text = Label(x);

        // Centre the label under its tick, except at the edges where it starts or ends there.
        int start = column == 0 ? at : column == Width - 1 ? at - text.Length + 1 : at - text.Length / 2;
        for (int i = 0; i < text.Length; i++)
        {
            ticks[start + i] = text[i];
        }
    }

    // Adding 0.0 turns -0 into 0, which would otherwise print as "-0".
    private static string Label(double v) => (Math.Round(v, 3) + 0.0).ToString("0.###", CultureInfo.InvariantCulture);
}
