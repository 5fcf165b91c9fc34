using System.Text.Json;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class PredictCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nonlinear-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_dir, name);

    private string TrainXor()
    {
        string model = Path("xor.nlm");
        var run = CliRun.Of("train", "--data", "xor", "--count", "4", "--layers", "8", "--activation", "tanh", "--epochs", "300", "--save", model);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("saved", run.Stdout, StringComparison.Ordinal);
        return model;
    }

    [Fact]
    public void A_saved_xor_model_predicts_the_four_points_from_arguments_and_csv()
    {
        string model = TrainXor();
        var one = JsonDocument.Parse(CliRun.Of("predict", "--model", model, "0", "1", "--json").Stdout).RootElement;
        Assert.Equal("1", one[0].GetProperty("class").GetString());
        Assert.True(one[0].GetProperty("probability").GetDouble() > 0.9);

        File.WriteAllText(Path("points.csv"), "x1,x2\n0,0\n0,1\n1,0\n1,1\n");
        var all = JsonDocument.Parse(CliRun.Of("predict", "--model", model, "--input", Path("points.csv"), "--json").Stdout).RootElement;
        Assert.Equal(["0", "1", "1", "0"], all.EnumerateArray().Select(r => r.GetProperty("class").GetString()));
    }

    [Fact]
    public void Collapse_reads_a_saved_model()
    {
        var run = CliRun.Of("collapse", "--model", TrainXor());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("[8, 2]", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_row_with_the_wrong_column_count_names_the_file_and_line()
    {
        string model = TrainXor();
        File.WriteAllText(Path("bad.csv"), "0,0\n0,1,2\n");
        var run = CliRun.Of("predict", "--model", model, "--input", Path("bad.csv"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.csv, line 2: 3 column(s)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_truncated_model_file_exits_2_with_one_message()
    {
        var missing = CliRun.Of("predict", "--model", Path("nope.nlm"), "0", "1");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.nlm", missing.Stderr, StringComparison.Ordinal);

        string model = TrainXor();
        File.WriteAllBytes(Path("cut.nlm"), File.ReadAllBytes(model)[..100]);
        var cut = CliRun.Of("predict", "--model", Path("cut.nlm"), "0", "1");
        Assert.Equal(2, cut.ExitCode);
        Assert.Contains("truncated", cut.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cut.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wrong_number_of_features_is_reported()
    {
        var run = CliRun.Of("predict", "--model", TrainXor(), "1");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("takes 2 feature(s)", run.Stderr, StringComparison.Ordinal);
    }
}
