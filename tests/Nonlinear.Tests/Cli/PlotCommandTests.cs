using System.Text.Json;
using Nonlinear.Tests.Plots;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class PlotCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Plot_writes_a_png_of_the_requested_size_and_describes_it_in_json()
    {
        string path = _dir.File("x.png");

        var run = CliRun.Of("plot", "relu", "gelu", "--out", path, "--width", "640", "--height", "400", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal(path, root.GetProperty("file").GetString());
        Assert.Equal(640, root.GetProperty("width").GetInt32());
        Assert.Equal(400, root.GetProperty("height").GetInt32());
        Assert.Equal("png", root.GetProperty("format").GetString());
        Assert.Equal(["relu", "gelu"], root.GetProperty("activations").EnumerateArray().Select(e => e.GetString()));
        ChartImage.AssertPng(path, 640, 400);
    }

    [Fact]
    public void Plot_writes_svg_by_extension_with_a_range_and_says_what_it_wrote()
    {
        string path = _dir.File("act.svg");

        var run = CliRun.Of("plot", "leaky_relu:0.1", "softmax", "--out", path, "--range", "-3:3", "--width", "500", "--height", "320");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"wrote {path} (500x320 SVG): leaky_relu:0.1, softmax", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("note: softmax is row-wise", run.Stdout, StringComparison.Ordinal);
        ChartImage.AssertSvg(path, 500, 320);
    }

    [Fact]
    public void Unknown_activation_exits_2_with_the_registry_suggestion_and_writes_nothing()
    {
        var run = CliRun.Of("plot", "relu", "gleu", "--out", _dir.File("x.png"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: Unknown activation 'gleu'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("gelu", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Unwritable_path_exits_2_and_leaves_no_file()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "x.png");

        var run = CliRun.Of("plot", "relu", "--out", path);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot write '{path}'", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void A_directory_as_the_output_exits_2_and_leaves_no_temporary_file()
    {
        string path = Directory.CreateDirectory(Path.Combine(_dir.Path, "taken.png")).FullName;

        var run = CliRun.Of("plot", "relu", "--out", path);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: cannot write", run.Stderr, StringComparison.Ordinal);
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir.Path));
    }

    [Theory]
    [InlineData("--range", "6:-6", "--range '6:-6'")]
    [InlineData("--range", "abc", "--range 'abc'")]
    [InlineData("--width", "10", "width must be between")]
    public void Bad_options_exit_2_with_a_message(string option, string value, string expected)
    {
        var run = CliRun.Of("plot", "relu", "--out", _dir.File("x.png"), option, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Unknown_extension_and_missing_out_exit_2()
    {
        var jpg = CliRun.Of("plot", "relu", "--out", _dir.File("x.jpg"));
        var missing = CliRun.Of("plot", "relu");

        Assert.Equal(2, jpg.ExitCode);
        Assert.Contains(".png or .svg", jpg.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--out", missing.Stderr, StringComparison.Ordinal);
    }
}
