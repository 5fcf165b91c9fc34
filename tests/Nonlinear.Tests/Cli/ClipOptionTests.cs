using System.Text.Json;
using Nonlinear.Serialization;
using Nonlinear.Tests.Plots;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary><c>--clip &lt;norm&gt;</c> on train and compare.</summary>
public sealed class ClipOptionTests
{
    [Fact]
    public void Train_with_clip_reports_how_often_it_clipped_and_saves_the_norm()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "m.nlm");
        var run = CliRun.Of("train", "--data", "moons", "--count", "200", "--layers", "8", "--epochs", "5", "--optimizer", "sgd", "--lr", "0.5", "--clip", "0.05", "--seed", "1", "--save", path, "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(0.05, doc.GetProperty("clip").GetDouble());
        int steps = doc.GetProperty("steps").GetInt32();
        Assert.Equal(5 * 5, steps); // 160 training samples in batches of 32, 5 epochs
        Assert.InRange(doc.GetProperty("clippedSteps").GetInt32(), 1, steps);
        Assert.True(doc.GetProperty("maxGradientNorm").GetDouble() > 0.05);
        Assert.Equal("0.05", ModelFile.Load(path).Metadata.Extra!["clip"]);
    }

    [Fact]
    public void Train_without_clip_says_none()
    {
        var json = CliRun.Of("train", "--data", "moons", "--count", "100", "--layers", "4", "--epochs", "2", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("clip").ValueKind);

        var table = CliRun.Of("train", "--data", "moons", "--count", "100", "--layers", "4", "--epochs", "2", "--clip", "1000");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("gradient clipping", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("norm 1000: 0 of 6 steps clipped", table.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "0")]
    [InlineData("train", "-1")]
    [InlineData("train", "NaN")]
    [InlineData("train", "abc")]
    [InlineData("compare", "0")]
    [InlineData("compare", "x")]
    public void A_clip_norm_that_is_not_a_positive_number_is_a_usage_error(string command, string value)
    {
        var run = CliRun.Of(command, "--data", "moons", "--count", "50", "--epochs", "1", "--clip", value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--clip", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Compare_with_clip_shows_it_in_the_settings()
    {
        var json = CliRun.Of("compare", "--data", "moons", "--count", "100", "--activations", "tanh", "--layers", "4", "--epochs", "2", "--seeds", "1", "--clip", "0.5", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(0.5, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("clip").GetDouble());

        var table = CliRun.Of("compare", "--data", "moons", "--count", "100", "--activations", "tanh", "--layers", "4", "--epochs", "2", "--seeds", "1", "--clip", "0.5");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("clip 0.5", table.Stdout, StringComparison.Ordinal);
    }
}
