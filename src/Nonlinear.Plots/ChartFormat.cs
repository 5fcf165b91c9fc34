namespace Nonlinear.Plots;

/// <summary>The file format a chart is written in.</summary>
public enum ChartFormat
{
    /// <summary>A PNG raster image, Width × Height pixels.</summary>
    Png,

    /// <summary>An SVG vector image whose root element carries the width and height in pixels.</summary>
    Svg,
}
