using System.Text.Json;
using Nonlinear.Cli.Output;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class ExplainCommandTests
{
    [Fact]
    public void Explain_sigmoid_gives_the_derivative_peak_and_warns_of_vanishing_gradients()
    {
        var run = CliRun.Of("explain", "sigmoid");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0.25", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("vanishing", run.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("torch.sigmoid", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_prints_a_plot_of_61_columns_by_15_rows_with_both_series()
    {
        var lines = CliRun.Of("explain", "tanh").Stdout.Split(Environment.NewLine);

        // A plot row is the label gutter, a frame character, then exactly one cell per column.
        var plotRows = lines
            .Where(l => l.Length == TerminalPlot.GutterWidth + 1 + TerminalPlot.Width && l[TerminalPlot.GutterWidth] is '┤' or '│')
            .ToList();
        Assert.Equal(TerminalPlot.Height, plotRows.Count);
        Assert.Equal(15, plotRows.Count);
        Assert.All(plotRows, r => Assert.Equal(61, r.Length - TerminalPlot.GutterWidth - 1));
        Assert.Contains(plotRows, r => r.Contains(TerminalPlot.FirstMark, StringComparison.Ordinal));
        Assert.Contains(plotRows, r => r.Contains(TerminalPlot.SecondMark, StringComparison.Ordinal));
        Assert.Contains(plotRows, r => r.Contains("──", StringComparison.Ordinal)); // the x-axis
        Assert.Equal(plotRows.Count, plotRows.Count(r => r[TerminalPlot.GutterWidth + 1 + 30] is '│' or '┼' or TerminalPlot.FirstMark or TerminalPlot.SecondMark or TerminalPlot.BothMark)); // the y-axis at x = 0
    }

    [Fact]
    public void Explain_of_softmax_says_it_plots_the_two_class_case()
    {
        var run = CliRun.Of("explain", "softmax");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("row-wise", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("softmax([x, 0])", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_json_has_the_metadata_and_sampled_points()
    {
        var run = CliRun.Of("explain", "sigmoid", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        Assert.Equal("sigmoid", root.GetProperty("name").GetString());
        Assert.Equal(0.25, root.GetProperty("derivativeMax").GetDouble());
        Assert.NotEmpty(root.GetProperty("limitations").EnumerateArray());
        var points = root.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(TerminalPlot.Width, points.Count);
        var middle = points[points.Count / 2];
        Assert.Equal(0, middle.GetProperty("x").GetDouble());
        Assert.Equal(0.5, middle.GetProperty("f").GetDouble());
        Assert.Equal(0.25, middle.GetProperty("df").GetDouble());
    }

    [Fact]
    public void Explain_json_writes_an_infinite_bound_as_a_string()
    {
        using var document = JsonDocument.Parse(CliRun.Of("explain", "relu", "--json").Stdout);

        Assert.Equal("Infinity", document.RootElement.GetProperty("outputMax").GetString());
    }

    [Fact]
    public void Explain_of_a_spec_shows_the_parameter_value_and_its_default()
    {
        var run = CliRun.Of("explain", "leaky_relu:0.2");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("0.2 (default 0.01", run.Stdout, StringComparison.Ordinal);
    }
}
