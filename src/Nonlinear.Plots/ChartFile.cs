using System.Text;
using System.Text.RegularExpressions;
using ScottPlot;

namespace Nonlinear.Plots;

/// <summary>Turns a finished plot into a file: picks the format, renders at the requested size, writes atomically.</summary>
internal static partial class ChartFile
{
    /// <summary>The format <paramref name="explicitFormat"/> names, else the one the extension of <paramref name="path"/> names.</summary>
    /// <exception cref="ArgumentException">No format given and the extension is neither .png nor .svg.</exception>
    public static ChartFormat ResolveFormat(string path, ChartFormat? explicitFormat)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (explicitFormat is { } format)
        {
            return format;
        }

        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => ChartFormat.Png,
            ".svg" => ChartFormat.Svg,
            _ => throw new ArgumentException($"Cannot tell the image format from '{path}': the file name must end in .png or .svg.", nameof(path)),
        };
    }

    /// <summary>Renders <paramref name="plot"/> and writes it to <paramref name="path"/>.</summary>
    public static RenderedChart Save(Plot plot, string path, ChartOptions options, IReadOnlyList<string> notes)
    {
        var format = ResolveFormat(path, options.Format);
        byte[] bytes = format == ChartFormat.Png
            ? plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png)
            : Encoding.UTF8.GetBytes(RenumberClipIds(plot.GetSvgXml(options.Width, options.Height)));
        string full = WriteAtomically(path, bytes);
        return new RenderedChart(full, options.Width, options.Height, format, notes.ToArray());
    }

    /// <summary>
    /// Skia's SVG canvas names clip paths from a process-wide counter (cl_4, cl_5... then cl_f, cl_10... on the
    /// next chart), so the same chart would differ from one render to the next. Renumbering them in order of
    /// appearance (cl_1, cl_2...) makes the file depend on the chart alone.
    /// </summary>
    internal static string RenumberClipIds(string svg)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        return ClipId().Replace(svg, match =>
        {
            if (!numbers.TryGetValue(match.Value, out int number))
            {
                number = numbers.Count + 1;
                numbers[match.Value] = number;
            }

            return $"cl_{number}";
        });
    }

    [GeneratedRegex(@"(?<=id=""|url\(#)cl_[0-9a-f]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex ClipId();

    /// <summary>
    /// Writes to a temporary file in the target's directory, then renames it over the target: a reader never sees a
    /// half-written image, and a failure leaves no file behind. Returns the full path.
    /// </summary>
    public static string WriteAtomically(string path, byte[] bytes)
    {
        string full = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' is not a file path.", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory '{directory}' does not exist.");
        }

        string temporary = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done; the original error is the one to report.
            }

            throw;
        }

        return full;
    }
}
