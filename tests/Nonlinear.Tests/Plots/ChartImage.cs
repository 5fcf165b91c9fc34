using System.Globalization;
using System.Xml.Linq;
using Nonlinear.Data;
using Xunit;

namespace Nonlinear.Tests.Plots;

/// <summary>Opens a rendered chart and checks it is a real image of the requested size with something drawn on it.</summary>
internal static class ChartImage
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>
    /// Decodes the PNG with the repo's own decoder (signature, CRCs, sizes), checks its size, that it has many
    /// distinct intensities (not blank, not one flat colour) and that the inner area has dark pixels (lines, text).
    /// </summary>
    public static PngImage AssertPng(string path, int width, int height)
    {
        var image = PngImage.Read(path);
        Assert.Equal(width, image.Width);
        Assert.Equal(height, image.Height);

        var pixels = image.Pixels;
        var levels = new HashSet<int>();
        foreach (float p in pixels)
        {
            levels.Add((int)MathF.Round(p * 255));
        }

        Assert.True(levels.Count >= 16, $"{path}: only {levels.Count} distinct intensities; the image looks blank.");

        int dark = 0;
        for (int y = height / 10; y < height * 9 / 10; y++)
        {
            for (int x = width / 10; x < width * 9 / 10; x++)
            {
                if (pixels[(y * width) + x] < 0.6f)
                {
                    dark++;
                }
            }
        }

        Assert.True(dark >= width / 2, $"{path}: {dark} dark pixels in the plot area; nothing seems drawn.");
        return image;
    }

    /// <summary>Parses the SVG and checks the root element, its size and that it draws paths or polylines.</summary>
    public static XDocument AssertSvg(string path, int width, int height)
    {
        var document = XDocument.Load(path);
        var root = document.Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal(width, double.Parse((string)root.Attribute("width")!, CultureInfo.InvariantCulture));
        Assert.Equal(height, double.Parse((string)root.Attribute("height")!, CultureInfo.InvariantCulture));
        int drawn = root.Descendants().Count(e => e.Name == Svg + "path" || e.Name == Svg + "polyline");
        Assert.True(drawn > 0, $"{path}: no path or polyline elements.");
        return document;
    }
}
