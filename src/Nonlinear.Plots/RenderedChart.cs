namespace Nonlinear.Plots;

/// <summary>What a chart rendering wrote.</summary>
/// <param name="Path">Full path of the file written.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Format">The format the file is in.</param>
/// <param name="Notes">
/// What the chart leaves out or had to adapt, one sentence each: non-finite values skipped, values that a log axis
/// cannot show, a missing font. Empty when the chart shows all of its input as given.
/// </param>
public sealed record RenderedChart(string Path, int Width, int Height, ChartFormat Format, IReadOnlyList<string> Notes);
