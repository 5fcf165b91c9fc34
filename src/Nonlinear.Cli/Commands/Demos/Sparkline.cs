namespace Nonlinear.Cli.Commands.Demos;

/// <summary>A row of block characters, one per value, on a log10 scale shared by several rows.</summary>
internal static class Sparkline
{
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>Each value's log10 placed between <paramref name="low"/> and <paramref name="high"/> (log10 too); non-positive or non-finite: '·'.</summary>
    public static string Log(IEnumerable<double> values, double low, double high) => string.Concat(values.Select(v =>
    {
        if (!(v > 0) || !double.IsFinite(v))
        {
            return '·';
        }

        double t = high > low ? (Math.Log10(v) - low) / (high - low) : 1;
        return Blocks[(int)Math.Clamp(Math.Round(t * (Blocks.Length - 1)), 0, Blocks.Length - 1)];
    }));
}
