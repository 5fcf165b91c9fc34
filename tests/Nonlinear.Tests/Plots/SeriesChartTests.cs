using Nonlinear.Diagnostics;
using Nonlinear.Plots;
using Xunit;

namespace Nonlinear.Tests.Plots;

public sealed class SeriesChartTests : IDisposable
{
    private static readonly ChartOptions Small = new() { Width = 400, Height = 300 };
    private readonly TempDirectory _dir = new();

    private static readonly NamedSeries[] Losses =
    [
        new("relu", [0.69, 0.41, 0.30, 0.22, 0.18, 0.15]),
        new("sigmoid", [0.70, 0.68, 0.66, 0.61, 0.55, 0.49]),
    ];

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("png", false)]
    [InlineData("png", true)]
    [InlineData("svg", true)]
    public void Epoch_chart_is_a_valid_image(string extension, bool logY)
    {
        string path = _dir.File($"loss.{extension}");

        var chart = EpochChart.Render(Losses, path, Small, yLabel: "loss", logY: logY);

        Assert.Empty(chart.Notes);
        Check(path, extension);
    }

    [Fact]
    public void Non_finite_and_non_positive_values_are_skipped_with_a_note()
    {
        NamedSeries[] series = [new("tanh", [1.0, double.NaN, 0.5, double.PositiveInfinity, 0.0, -1, 0.1])];

        var linear = EpochChart.Render(series, _dir.File("linear.png"), Small);
        var log = EpochChart.Render(series, _dir.File("log.png"), Small, logY: true);

        Assert.Equal(["tanh: 2 non-finite values (NaN or infinity) not drawn."], linear.Notes);
        Assert.Equal(2, log.Notes.Count);
        Assert.Contains("tanh: 2 values at or below zero not drawn on the log axis.", log.Notes);
        ChartImage.AssertPng(log.Path, 400, 300);
    }

    [Fact]
    public void A_series_with_nothing_drawable_still_renders_with_a_note()
    {
        var chart = EpochChart.Render([new NamedSeries("diverged", [double.NaN, double.NaN])], _dir.File("nan.svg"), Small);

        Assert.Contains(chart.Notes, note => note.StartsWith("No series", StringComparison.Ordinal));
        ChartImage.AssertSvg(chart.Path, 400, 300);
        ChartImage.AssertPng(EpochChart.Render([new NamedSeries("diverged", [double.NaN])], _dir.File("nan.png"), Small).Path, 400, 300);
    }

    [Fact]
    public void Empty_series_are_argument_errors()
    {
        string path = _dir.File("x.png");
        Assert.Throws<ArgumentException>(() => EpochChart.Render([], path));
        Assert.Throws<ArgumentException>(() => EpochChart.Render([new NamedSeries("a", [])], path));
        Assert.Throws<ArgumentException>(() => GradientFlowChart.Render([], path));
        Assert.Throws<ArgumentException>(() => GradientFlowChart.Render(Losses, path, layerLabels: ["only one"]));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public void Gradient_flow_chart_is_a_valid_image_with_layer_labels(string extension)
    {
        string path = _dir.File($"flow.{extension}");
        NamedSeries[] norms =
        [
            new("sigmoid", [1e-7, 1e-5, 1e-3, 1e-1]),
            new("relu", [0.05, 0.08, 0.1, 0.2]),
        ];

        var chart = GradientFlowChart.Render(norms, path, Small, ["dense:32", "dense:32", "dense:32", "dense:1"]);

        Assert.Empty(chart.Notes);
        Check(path, extension);
        if (extension == "svg")
        {
            Assert.Contains("1e-7", File.ReadAllText(path), StringComparison.Ordinal); // a decade label on the log axis
        }
    }

    [Fact]
    public void Gradient_flow_series_from_diagnostics_keeps_the_layers_with_weights()
    {
        var epoch = new EpochDiagnostics(
            3,
            [
                new LayerDiagnostics(0, "dense:16", 1e-4, double.NaN, double.NaN, null),
                new LayerDiagnostics(1, "sigmoid", double.NaN, double.NaN, 0.8, null),
                new LayerDiagnostics(2, "dense:1", 0.2, double.NaN, double.NaN, null),
            ],
            5e-4,
            null);

        var series = GradientFlowChart.FromDiagnostics("sigmoid", epoch);

        Assert.Equal("sigmoid", series.Name);
        Assert.Equal([1e-4, 0.2], series.Values);
        Assert.Equal(["dense:16", "dense:1"], GradientFlowChart.WeightLayerLabels(epoch));
        ChartImage.AssertPng(GradientFlowChart.Render([series], _dir.File("d.png"), Small, GradientFlowChart.WeightLayerLabels(epoch)).Path, 400, 300);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public void Histogram_is_a_valid_image(string extension)
    {
        string path = _dir.File($"hist.{extension}");
        long[] counts = Enumerable.Range(0, 30).Select(i => (long)(1000 * Math.Exp(-Math.Pow((i - 15) / 5.0, 2)))).ToArray();

        var chart = HistogramChart.Render(-3, 3, counts, path, Small);

        Assert.Empty(chart.Notes);
        Check(path, extension);
    }

    [Fact]
    public void Histogram_of_statistics_notes_the_non_finite_values()
    {
        var statistics = new ActivationStatistics(90, 0.1, 0.5, -1, 1, -1, 1, [10, 20, 30, 20, 10], NonFinite: 3);

        var chart = HistogramChart.Render(statistics, _dir.File("stats.png"), Small);

        Assert.Equal(["3 non-finite values (NaN or infinity) are not in the histogram."], chart.Notes);
        ChartImage.AssertPng(chart.Path, 400, 300);
    }

    [Fact]
    public void Histogram_rejects_empty_or_negative_counts_and_bad_ranges()
    {
        string path = _dir.File("x.png");
        Assert.Throws<ArgumentException>(() => HistogramChart.Render(0, 1, [], path));
        Assert.Throws<ArgumentException>(() => HistogramChart.Render(0, 1, [1, -1], path));
        Assert.Throws<ArgumentException>(() => HistogramChart.Render(1, 1, [1, 2], path));
    }

    private static void Check(string path, string extension)
    {
        if (extension == "png")
        {
            ChartImage.AssertPng(path, 400, 300);
        }
        else
        {
            ChartImage.AssertSvg(path, 400, 300);
        }
    }
}
