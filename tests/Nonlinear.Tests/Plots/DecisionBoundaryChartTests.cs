using Nonlinear.Data;
using Nonlinear.Plots;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Plots;

public sealed class DecisionBoundaryChartTests : IDisposable
{
    private static readonly ChartOptions Small = new() { Width = 400, Height = 400 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // A smooth stand-in for a trained model on the moons: probability of class 1 rises across a curve.
    private static double Moons(double x1, double x2) => 1 / (1 + Math.Exp(-4 * (0.5 - x2 + (0.5 * Math.Cos(Math.PI * x1)) - 0.3)));

    [Theory]
    [InlineData("png")]
    [InlineData("svg")]
    public void Binary_dataset_renders_as_a_valid_image(string extension)
    {
        var data = SyntheticData.Moons(100, noise: 0.1, seed: 1);
        string path = _dir.File($"moons.{extension}");

        var chart = DecisionBoundaryChart.Render(Moons, data, path, Small, resolution: 60);

        Assert.Empty(chart.Notes);
        if (extension == "png")
        {
            ChartImage.AssertPng(path, 400, 400);
        }
        else
        {
            ChartImage.AssertSvg(path, 400, 400);
        }
    }

    [Fact]
    public void Multiclass_dataset_with_class_indices_renders()
    {
        var data = SyntheticData.Gaussian(90, classes: 3, spread: 0.5, seed: 2);

        var chart = DecisionBoundaryChart.Render((x1, x2) => x1 < 0 ? 0 : x2 < 0 ? 1 : 2, data, _dir.File("gauss.png"), Small, resolution: 40);

        ChartImage.AssertPng(chart.Path, 400, 400);
    }

    [Fact]
    public void Non_finite_predictions_are_left_blank_with_a_note()
    {
        var data = SyntheticData.Xor();

        var chart = DecisionBoundaryChart.Render((x1, _) => x1 < 0.5 ? double.NaN : 1, data, _dir.File("nan.png"), Small, resolution: 10);

        Assert.Equal(["50 of 100 grid predictions were not finite and are left blank."], chart.Notes);
        ChartImage.AssertPng(chart.Path, 400, 400);
    }

    [Fact]
    public void Datasets_without_two_features_or_classes_are_argument_errors()
    {
        string path = _dir.File("x.png");
        var three = new Dataset("three", new Tensor([2, 3]), new Tensor([2, 1]), TaskKind.Binary);
        var regression = new Dataset("r", new Tensor([2, 2]), new Tensor([2, 1]), TaskKind.Regression);

        Assert.Throws<ArgumentException>(() => DecisionBoundaryChart.Render(Moons, three, path));
        Assert.Throws<ArgumentException>(() => DecisionBoundaryChart.Render(Moons, regression, path));
        Assert.Throws<ArgumentOutOfRangeException>(() => DecisionBoundaryChart.Render(Moons, SyntheticData.Xor(), path, resolution: 1));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
