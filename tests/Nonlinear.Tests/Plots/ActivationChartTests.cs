using Nonlinear.Activations;
using Nonlinear.Plots;
using Xunit;

namespace Nonlinear.Tests.Plots;

public sealed class ActivationChartTests : IDisposable
{
    private static readonly ChartOptions Small = new() { Width = 400, Height = 300 };
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Activation[] Parse(params string[] specs) => specs.Select(ActivationRegistry.Parse).ToArray();

    [Fact]
    public void Png_is_a_valid_image_of_the_requested_size_with_curves_on_it()
    {
        string path = _dir.File("act.png");

        var chart = ActivationChart.Render(Parse("relu", "tanh"), path, Small);

        Assert.Equal(ChartFormat.Png, chart.Format);
        Assert.Equal(Path.GetFullPath(path), chart.Path);
        ChartImage.AssertPng(path, 400, 300);
    }

    [Fact]
    public void Svg_is_parseable_xml_of_the_requested_size_with_paths()
    {
        string path = _dir.File("act.svg");

        var chart = ActivationChart.Render(Parse("gelu", "leaky_relu:0.1"), path, Small with { Width = 420 }, low: -3, high: 3);

        Assert.Equal(ChartFormat.Svg, chart.Format);
        ChartImage.AssertSvg(path, 420, 300);
    }

    [Fact]
    public void Explicit_format_overrides_the_extension()
    {
        string path = _dir.File("act.img");

        ActivationChart.Render(Parse("relu"), path, Small with { Format = ChartFormat.Png });

        ChartImage.AssertPng(path, 400, 300);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        foreach (var extension in new[] { "png", "svg" })
        {
            string first = _dir.File($"a.{extension}"), second = _dir.File($"b.{extension}");
            ActivationChart.Render(Parse("silu"), first, Small);
            ActivationChart.Render(Parse("silu"), second, Small);
            Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        }
    }

    [Fact]
    public void Text_is_drawn_in_the_named_font_so_no_font_note_is_given()
    {
        var chart = ActivationChart.Render(Parse("relu"), _dir.File("font.png"), Small);

        // Fails on a machine without DejaVu Sans: .ci/run installs fonts-dejavu-core, without which titles and
        // tick labels would silently be missing from every chart.
        Assert.DoesNotContain(chart.Notes, note => note.Contains("font", StringComparison.Ordinal));
    }

    [Fact]
    public void Derivative_is_backward_with_unit_upstream_gradient()
    {
        var relu = ActivationCurve.Compute(ActivationRegistry.Parse("relu"), -1, 1, 5);
        Assert.Equal([-1, -0.5, 0, 0.5, 1], relu.X);
        Assert.Equal([0, 0, 0, 0.5, 1], relu.Value);
        Assert.Equal([0, 0, 0, 1, 1], relu.Derivative); // relu'(0) = 0, the library's convention

        var sigmoid = ActivationCurve.Compute(ActivationRegistry.Parse("sigmoid"), -4, 4, 9);
        for (int i = 0; i < 9; i++)
        {
            double s = 1 / (1 + Math.Exp(-sigmoid.X[i]));
            Assert.Equal(s, sigmoid.Value[i], 6);
            Assert.Equal(s * (1 - s), sigmoid.Derivative[i], 6);
        }
    }

    [Fact]
    public void Softmax_is_drawn_on_the_row_x_0_with_the_jacobian_diagonal()
    {
        var softmax = ActivationCurve.Compute(ActivationRegistry.Parse("softmax"), -4, 4, 9);
        var logSoftmax = ActivationCurve.Compute(ActivationRegistry.Parse("log_softmax"), -4, 4, 9);

        Assert.True(softmax.IsRowWise);
        Assert.Contains("[x, 0]", softmax.ValueLabel, StringComparison.Ordinal);
        for (int i = 0; i < 9; i++)
        {
            double s = 1 / (1 + Math.Exp(-softmax.X[i])); // softmax([x, 0])₀ is the logistic sigmoid of x
            Assert.Equal(s, softmax.Value[i], 6);
            Assert.Equal(s * (1 - s), softmax.Derivative[i], 6);
            Assert.Equal(Math.Log(s), logSoftmax.Value[i], 5);
            Assert.Equal(1 - s, logSoftmax.Derivative[i], 6);
        }

        var chart = ActivationChart.Render(Parse("softmax"), _dir.File("softmax.png"), Small);
        Assert.Contains(chart.Notes, note => note.Contains("row-wise", StringComparison.Ordinal));
        ChartImage.AssertPng(chart.Path, 400, 300);
    }

    [Fact]
    public void Empty_input_bad_range_size_or_extension_are_argument_errors_and_write_nothing()
    {
        string path = _dir.File("x.png");
        Assert.Throws<ArgumentException>(() => ActivationChart.Render(Array.Empty<Activation>(), path));
        Assert.Throws<ArgumentException>(() => ActivationChart.Render(Parse("relu"), path, Small, low: 2, high: 1));
        Assert.Throws<ArgumentException>(() => ActivationChart.Render(Parse("relu"), path, Small, low: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationChart.Render(Parse("relu"), path, Small with { Width = 10 }));
        Assert.Throws<ArgumentException>(() => ActivationChart.Render(Parse("relu"), _dir.File("x.jpg"), Small));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void A_missing_directory_fails_and_leaves_no_file()
    {
        string path = Path.Combine(_dir.Path, "missing", "x.png");

        Assert.Throws<DirectoryNotFoundException>(() => ActivationChart.Render(Parse("relu"), path, Small));

        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void An_existing_file_is_replaced_and_no_temporary_file_is_left()
    {
        string path = _dir.File("act.png");
        File.WriteAllText(path, "old");

        ActivationChart.Render(Parse("elu"), path, Small);

        ChartImage.AssertPng(path, 400, 300);
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
    }
}
