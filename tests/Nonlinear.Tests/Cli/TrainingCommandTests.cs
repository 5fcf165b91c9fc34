using System.Text.Json;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class TrainingCommandTests
{
    [Fact]
    public void Demo_xor_shows_the_linear_model_stuck_and_every_nonlinearity_at_four_of_four()
    {
        var run = CliRun.Of("demo", "xor", "--json");
        Assert.Equal(0, run.ExitCode);
        var rows = JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal("none", rows[0].GetProperty("activation").GetString());
        Assert.True(rows[0].GetProperty("correct").GetInt32() <= 3);
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("epochsTo100").ValueKind);
        Assert.Equal(["sigmoid", "tanh", "relu", "leaky_relu"], rows.Skip(1).Select(r => r.GetProperty("activation").GetString()));
        Assert.All(rows.Skip(1), r => Assert.Equal(4, r.GetProperty("correct").GetInt32()));
    }

    [Fact]
    public void Demo_xor_table_explains_why_no_line_works()
    {
        var run = CliRun.Of("demo", "xor", "--activations", "tanh");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("4/4", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("at most 3 of 4", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_collapse_prints_the_single_map_and_verifies_it()
    {
        var run = CliRun.Of("demo", "collapse", "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.True(doc.GetProperty("linear").GetBoolean());
        Assert.Matches(@"^y = .*·x1 .*·x2$", doc.GetProperty("equation").GetString());
        Assert.True(doc.GetProperty("maxDifference").GetDouble() < 1e-4);
        Assert.Equal(1, doc.GetProperty("W").GetArrayLength());
        Assert.Equal(2, doc.GetProperty("W")[0].GetArrayLength());
    }

    [Fact]
    public void Collapse_of_a_nonlinear_model_lists_the_stretches_that_collapse()
    {
        var run = CliRun.Of("collapse", "--spec", "dense:8,relu,dense:8,dense:4,identity,dense:2,tanh,dense:1", "--inputs", "3");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3-6", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[2, 8]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("two or more dense layers", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_learns_the_moons_and_reports_history_as_json()
    {
        var run = CliRun.Of("train", "--data", "moons", "--layers", "8,8", "--activation", "tanh", "--epochs", "60", "--lr", "0.05", "--seed", "1", "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("dense:8,tanh,dense:8,tanh,dense:1", doc.GetProperty("model").GetString());
        Assert.Equal("sigmoid", doc.GetProperty("outputActivation").GetString());
        Assert.Equal("bce_logits", doc.GetProperty("loss").GetString());
        Assert.Equal(60, doc.GetProperty("epochs").GetArrayLength());
        Assert.True(doc.GetProperty("finalAccuracy").GetDouble() >= 0.95);
    }

    [Fact]
    public void Train_picks_softmax_and_cross_entropy_for_several_classes()
    {
        var run = CliRun.Of("train", "--data", "spiral", "--count", "300", "--epochs", "5", "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("sigmoid", doc.GetProperty("outputActivation").GetString());
        var gaussian = JsonDocument.Parse(CliRun.Of("train", "--data", "gaussian", "--epochs", "5", "--json").Stdout).RootElement;
        Assert.Equal("Binary", gaussian.GetProperty("task").GetString());
    }

    [Fact]
    public void The_output_activation_follows_the_loss_and_can_be_set()
    {
        var mse = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--epochs", "3", "--loss", "mse", "--output-activation", "tanh", "--json").Stdout).RootElement;
        Assert.Equal("identity", mse.GetProperty("outputActivation").GetString());
        Assert.EndsWith(",dense:1,tanh", mse.GetProperty("model").GetString(), StringComparison.Ordinal);

        var clash = CliRun.Of("train", "--data", "moons", "--epochs", "1", "--output-activation", "softmax");
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("must be sigmoid", clash.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_prints_progress_lines_and_a_summary_when_not_a_terminal()
    {
        var run = CliRun.Of("train", "--data", "circles", "--epochs", "20");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("epoch 20/20", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("validation loss / accuracy", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("relu7", "did you mean")]
    [InlineData("tanh", "Layer width 'x'", "--layers", "8,x")]
    public void Train_rejects_bad_layers_with_exit_2(string activation, string expected, params string[] extra)
    {
        var run = CliRun.Of(["train", "--data", "moons", "--activation", activation, "--epochs", "1", .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_names_the_valid_datasets_for_an_unknown_one()
    {
        var run = CliRun.Of("train", "--data", "blobs");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("moons", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_reports_divergence_with_exit_2()
    {
        var run = CliRun.Of("train", "--data", "moons", "--layers", "32,32", "--activation", "relu", "--optimizer", "sgd", "--lr", "1e12", "--epochs", "20");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("diverged", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("lower the learning rate", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Schedules_change_the_learning_rate_and_bad_ones_are_named()
    {
        var cosine = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--epochs", "20", "--schedule", "cosine", "--json").Stdout).RootElement;
        var constant = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--epochs", "20", "--json").Stdout).RootElement;
        Assert.NotEqual(cosine.GetProperty("finalLoss").GetDouble(), constant.GetProperty("finalLoss").GetDouble());
        Assert.Equal(0, CliRun.Of("train", "--data", "moons", "--epochs", "4", "--schedule", "step:2:0.5", "--json").ExitCode);
        foreach (var bad in new[] { "step:0", "step:2:3", "warmup" })
        {
            var run = CliRun.Of("train", "--data", "moons", "--epochs", "2", "--schedule", bad);
            Assert.Equal(Nonlinear.Cli.CliApp.UsageError, run.ExitCode);
            Assert.Contains("--schedule", run.Stderr, StringComparison.Ordinal);
        }
    }
}
