using Nonlinear.Cli.Output;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class TerminalPlotTests
{
    [Fact]
    public void Plot_marks_where_both_series_share_a_cell()
    {
        var same = Enumerable.Repeat(1f, TerminalPlot.Width).ToArray();

        var lines = TerminalPlot.Render(same, same, -5, 5);

        Assert.Contains(lines, l => l.Contains(new string(TerminalPlot.BothMark, TerminalPlot.Width), StringComparison.Ordinal));
    }

    [Fact]
    public void Plot_skips_non_finite_values_instead_of_failing()
    {
        var values = Enumerable.Range(0, TerminalPlot.Width).Select(i => i % 2 == 0 ? float.NaN : i).ToArray();
        var infinite = Enumerable.Repeat(float.PositiveInfinity, TerminalPlot.Width).ToArray();

        var lines = TerminalPlot.Render(values, infinite, -5, 5);

        Assert.Equal(TerminalPlot.Height + 2, lines.Count);
    }
}
