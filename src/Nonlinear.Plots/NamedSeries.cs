namespace Nonlinear.Plots;

/// <summary>
/// One line of a chart: a name for the legend and one value per step (per epoch, per layer). Non-finite values
/// (NaN, infinity) are allowed: charts skip them and say so in <see cref="RenderedChart.Notes"/>.
/// </summary>
/// <param name="Name">Legend text, e.g. "relu".</param>
/// <param name="Values">Value at step 1, 2, ...</param>
/// <example><c>new NamedSeries("relu", [0.69, 0.41, 0.30])</c></example>
public sealed record NamedSeries(string Name, IReadOnlyList<double> Values);
