namespace Nonlinear.Diagnostics;

/// <summary>
/// Summary statistics of one layer's outputs over the samples observed (an epoch, or a probe batch).
/// </summary>
/// <param name="Count">Finite values observed.</param>
/// <param name="Mean">Mean of the finite values (NaN when there are none).</param>
/// <param name="Std">Population standard deviation of the finite values (NaN when there are none).</param>
/// <param name="Min">Smallest finite value (NaN when there are none).</param>
/// <param name="Max">Largest finite value (NaN when there are none).</param>
/// <param name="HistogramLow">Lower edge of the first histogram bin.</param>
/// <param name="HistogramHigh">Upper edge of the last histogram bin.</param>
/// <param name="Histogram">Counts of finite values in equal-width bins over [HistogramLow, HistogramHigh] (values outside go to the end bins).</param>
/// <param name="NonFinite">NaN and infinite values observed.</param>
public sealed record ActivationStatistics(
    long Count,
    double Mean,
    double Std,
    double Min,
    double Max,
    double HistogramLow,
    double HistogramHigh,
    IReadOnlyList<long> Histogram,
    long NonFinite);
