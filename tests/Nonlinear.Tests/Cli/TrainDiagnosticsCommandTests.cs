using System.Text.Json;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class TrainDiagnosticsCommandTests
{
    [Fact]
    public void Train_with_diagnostics_prints_a_per_layer_table()
    {
        var run = CliRun.Of("train", "--data", "spiral", "--layers", "16", "--activation", "relu", "--epochs", "5", "--diagnostics");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("weight grad norm", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("gradient flow: first/last", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_with_diagnostics_adds_every_epoch_to_the_json()
    {
        var run = CliRun.Of("train", "--data", "spiral", "--layers", "8,8", "--activation", "tanh", "--epochs", "3", "--diagnostics", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        var epochs = doc.RootElement.GetProperty("diagnostics").GetProperty("epochs");
        Assert.Equal(3, epochs.GetArrayLength());
        var tanh = epochs[2].GetProperty("layers")[1];
        Assert.Equal("tanh", tanh.GetProperty("spec").GetString());
        Assert.InRange(tanh.GetProperty("saturatedShare").GetDouble(), 0, 1);
        Assert.Equal(20, tanh.GetProperty("output").GetProperty("histogram").GetArrayLength());
    }

    [Fact]
    public void Train_without_diagnostics_has_no_diagnostics_in_the_json()
    {
        var run = CliRun.Of("train", "--data", "spiral", "--layers", "8", "--epochs", "2", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.False(doc.RootElement.TryGetProperty("diagnostics", out _));
    }
}
