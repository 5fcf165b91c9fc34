using System.Text.Json;
using Nonlinear.Cli;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public void Print_gives_the_benchmark_command_with_the_options_passed_on()
    {
        string root = Nonlinear.Tests.Data.DataFiles.RepositoryRoot();
        var run = CliRun.Of("bench", "gemm", "--quick", "--repo", root, "--print", "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal(root, doc.RootElement.GetProperty("directory").GetString());
        Assert.Equal("dotnet run -c Release --project bench/Nonlinear.Benchmarks/Nonlinear.Benchmarks.csproj -- gemm --quick", doc.RootElement.GetProperty("command").GetString());
    }

    [Fact]
    public void Outside_the_repository_it_says_how_to_run_the_benchmarks()
    {
        var run = CliRun.Of("bench", "--repo", Path.GetTempPath());
        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("dotnet run -c Release --project bench/Nonlinear.Benchmarks", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("python3-torch", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_benchmark_is_named()
    {
        var run = CliRun.Of("bench", "warp-speed");
        Assert.Equal(CliApp.UsageError, run.ExitCode);
        Assert.Contains("'warp-speed'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("gemm", run.Stderr, StringComparison.Ordinal);
    }
}
