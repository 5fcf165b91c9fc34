using Nonlinear.Data;
using Nonlinear.Tests.Data;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class DemoPlotTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("vanishing", "--depth", "6")]
    [InlineData("dying-relu", "--epochs", "3")]
    [InlineData("softmax-overflow", "--scales", "1,100")]
    public void Each_demo_draws_its_result_with_plot(string demo, string option, string value)
    {
        string path = _files.Path($"{demo}.png");
        var run = CliRun.Of("demo", demo, option, value, "--plot", path);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var image = PngImage.Read(path);
        Assert.Equal((800, 500), (image.Width, image.Height));
        Assert.True(image.Pixels.ToArray().Distinct().Count() > 10, "the chart is blank");
        Assert.Contains($"plot: {path}", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plot_into_a_missing_directory_fails_cleanly()
    {
        var run = CliRun.Of("demo", "softmax-overflow", "--plot", _files.Path("nowhere/x.png"));
        Assert.Equal(Nonlinear.Cli.CliApp.UsageError, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }
}
