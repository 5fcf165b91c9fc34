using System.Text.Json;
using System.Text.RegularExpressions;
using Nonlinear.Cli;
using Nonlinear.Data;
using Nonlinear.Tests.Data;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class CompareCommandTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Identity_is_the_linear_ceiling_and_relu_learns_the_circles()
    {
        var run = CliRun.Of("compare", "--data", "circles", "--count", "300", "--activations", "identity,relu", "--layers", "16,16", "--epochs", "80", "--seeds", "2", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("activation").GetString()!);
        double linear = rows["identity"].GetProperty("meanAccuracy").GetDouble();
        double relu = rows["relu"].GetProperty("meanAccuracy").GetDouble();
        Assert.InRange(linear, 0.3, 0.7);   // two concentric circles: no straight line does much better than chance
        Assert.True(relu >= 0.9, $"relu {relu}");
        Assert.Equal(2, rows["relu"].GetProperty("accuracies").GetArrayLength());
        Assert.Equal(0, rows["identity"].GetProperty("reachedTarget").GetInt32());
        Assert.Equal("dense:16,relu,dense:16,relu,dense:1", rows["relu"].GetProperty("model").GetString());
        Assert.True(rows["relu"].GetProperty("gradientRatio").GetDouble() > 0);
    }

    [Fact]
    public void The_report_is_one_self_contained_page_with_valid_pictures()
    {
        string dir = _files.Path("report");
        var run = CliRun.Of("compare", "--data", "moons", "--count", "200", "--activations", "identity,tanh,relu", "--layers", "8", "--epochs", "20", "--seeds", "1", "--report", dir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        var images = Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        // activations, loss, accuracy, dead share, gradient flow, and per activation an output histogram and a decision boundary
        Assert.Equal(5 + 3 + 3, images.Count);
        foreach (Match m in images)
        {
            var png = PngImage.Decode(Convert.FromBase64String(m.Groups[1].Value), "embedded");
            Assert.True(png.Width >= 400 && png.Height >= 300, $"{png.Width}x{png.Height}");
            Assert.True(png.Pixels.ToArray().Distinct().Count() > 10, "a blank picture");
        }

        Assert.Contains("linear model's ceiling", html, StringComparison.Ordinal);
        Assert.Contains("Decision boundaries", html, StringComparison.Ordinal);
        Assert.Contains("Output distributions", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_are_named_before_any_training()
    {
        var unknown = CliRun.Of("compare", "--data", "moons", "--activations", "relu,sigmod");
        Assert.Equal(CliApp.UsageError, unknown.ExitCode);
        Assert.Contains("sigmoid", unknown.Stderr, StringComparison.Ordinal); // the registry suggests it
        var target = CliRun.Of("compare", "--data", "moons", "--target", "1.5");
        Assert.Equal(CliApp.UsageError, target.ExitCode);
        Assert.Contains("--target", target.Stderr, StringComparison.Ordinal);
        string notADirectory = _files.WriteText("taken", "a file");
        var report = CliRun.Of("compare", "--data", "moons", "--report", notADirectory);
        Assert.Equal(CliApp.UsageError, report.ExitCode);
        Assert.Contains("cannot write", report.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("[1/", report.Stderr, StringComparison.Ordinal); // nothing was trained
        string table = _files.WriteText("prices.csv", "a,b,price\n1,2,3.5\n2,3,4.25\n3,4,5.75\n4,5,6.5\n5,6,7.125\n6,7,8.5\n");
        var regression = CliRun.Of("compare", "--data", table, "--epochs", "1");
        Assert.Equal(CliApp.UsageError, regression.ExitCode);
        Assert.Contains("regression", regression.Stderr, StringComparison.Ordinal);
    }
}
