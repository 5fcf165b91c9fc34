using System.Text.Json;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class AdviseCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nonlinear-advise-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<JsonElement> Advice(CliRun run)
    {
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToList();
    }

    private static IEnumerable<string?> Codes(IEnumerable<JsonElement> advice) => advice.Select(a => a.GetProperty("code").GetString());

    [Fact]
    public void Advise_json_lists_a_linear_collapse_with_its_layer_reason_and_fix()
    {
        var advice = Advice(CliRun.Of("advise", "dense:8,dense:4,relu,dense:1", "--json"));
        var collapse = Assert.Single(advice);
        Assert.Equal("linear-collapse", collapse.GetProperty("code").GetString());
        Assert.Equal("warning", collapse.GetProperty("severity").GetString());
        Assert.Equal(1, collapse.GetProperty("layer").GetInt32());
        Assert.Contains("4 outputs", collapse.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(collapse.GetProperty("reason").GetString()));
        Assert.False(string.IsNullOrEmpty(collapse.GetProperty("fix").GetString()));
    }

    [Fact]
    public void Advise_with_inputs_names_the_collapsed_map_and_checks_shapes()
    {
        var collapse = Assert.Single(Advice(CliRun.Of("advise", "dense:8,dense:4,relu,dense:1", "--inputs", "3", "--json")));
        Assert.Contains("R^3 -> R^4", collapse.GetProperty("message").GetString(), StringComparison.Ordinal);
        var shape = Assert.Single(Advice(CliRun.Of("advise", "conv:8x3,relu,dense:10", "--inputs", "1x28x28", "--json")));
        Assert.Equal("shape-mismatch", shape.GetProperty("code").GetString());
    }

    [Fact]
    public void Advise_uses_the_task_for_the_output_checks()
    {
        var advice = Advice(CliRun.Of("advise", "dense:64,relu,dense:10,softmax", "--task", "multiclass", "--json"));
        Assert.Equal(["activation-before-fused-loss"], Codes(advice));
        Assert.Equal("error", advice[0].GetProperty("severity").GetString());
        Assert.Contains("sigmoid-multiclass", Codes(Advice(CliRun.Of("advise", "dense:64,relu,dense:10", "--task", "multiclass", "--loss", "bce_logits", "--json"))));
    }

    [Fact]
    public void With_mse_the_output_activation_becomes_the_last_layer_as_in_train()
    {
        var advice = Advice(CliRun.Of("advise", "dense:16,tanh,dense:1", "--task", "binary", "--loss", "mse", "--output-activation", "sigmoid", "--json"));
        Assert.Equal(["mse-classification"], Codes(advice));
        Assert.Equal(4, advice[0].GetProperty("layer").GetInt32());
    }

    [Fact]
    public void Advise_prints_a_table_with_reasons_and_exits_0_on_warnings()
    {
        var run = CliRun.Of("advise", "dense:32,softmax,dense:10", "--task", "multiclass");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("model dense:32,softmax,dense:10 (task multiclass, loss cross_entropy)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("hidden-softmax", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Why:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 warning.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void A_good_model_has_no_problems()
    {
        var run = CliRun.Of("advise", "dense:64,relu,dense:64,relu,dense:10", "--task", "multiclass");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("No problems found.", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(Advice(CliRun.Of("advise", "conv:32x3,relu,pool:2,flatten,dense:10", "--inputs", "1x28x28", "--task", "multiclass", "--json")));
    }

    [Theory]
    [InlineData("dense:8,rel,dense:1")]
    [InlineData("dense:8,relu,dense:1", "--task", "ranking")]
    [InlineData("dense:8,relu,dense:1", "--loss", "hinge")]
    [InlineData("dense:8,relu,dense:1", "--output-activation", "sigmoidd")]
    [InlineData("dense:8,relu,dense:1", "--inputs", "3x")]
    public void Bad_input_is_one_error_line_and_exit_2(string spec, params string[] extra)
    {
        var run = CliRun.Of(["advise", spec, .. extra]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void A_spec_or_a_model_is_needed()
    {
        Assert.Equal(2, CliRun.Of("advise").ExitCode);
        Assert.Equal(2, CliRun.Of("advise", "dense:1", "--model", System.IO.Path.Combine(_dir, "m.nlm")).ExitCode);
    }

    [Fact]
    public void A_saved_model_is_checked_with_its_task_and_loss()
    {
        string path = System.IO.Path.Combine(_dir, "collapsed.nlm");
        var trained = CliRun.Of("train", "--data", "moons", "--model", "dense:8,dense:8,relu", "--epochs", "1", "--save", path, "--json");
        Assert.Equal(0, trained.ExitCode);
        var advice = Advice(CliRun.Of("advise", "--model", path, "--json"));
        Assert.Equal(["linear-collapse"], Codes(advice));
        Assert.Contains("R^2 -> R^8", advice[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("identity-output-classification", Codes(Advice(CliRun.Of("advise", "--model", path, "--loss", "mse", "--output-activation", "identity", "--json"))));
    }

    [Fact]
    public void Train_json_includes_the_advice()
    {
        var doc = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--model", "dense:8,dense:8,relu", "--epochs", "2", "--json").Stdout).RootElement;
        var advice = doc.GetProperty("advice").EnumerateArray().ToList();
        Assert.Equal(["linear-collapse"], Codes(advice));
        var clean = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--epochs", "2", "--json").Stdout).RootElement;
        Assert.Equal(0, clean.GetProperty("advice").GetArrayLength());
    }

    [Fact]
    public void Train_prints_warnings_before_training_and_no_advice_suppresses_them()
    {
        var run = CliRun.Of("train", "--data", "moons", "--layers", "8", "--activation", "leaky_relu:0.6", "--epochs", "2");
        Assert.Equal(0, run.ExitCode);
        int advice = run.Stdout.IndexOf("advice: 1 warning", StringComparison.Ordinal);
        Assert.True(advice >= 0, run.Stdout);
        Assert.True(advice < run.Stdout.IndexOf("epoch 1/2", StringComparison.Ordinal));
        Assert.Contains("leaky-alpha-range", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("fix: ", run.Stdout, StringComparison.Ordinal);

        var quiet = CliRun.Of("train", "--data", "moons", "--layers", "8", "--activation", "leaky_relu:0.6", "--epochs", "2", "--no-advice");
        Assert.Equal(0, quiet.ExitCode);
        Assert.DoesNotContain("advice", quiet.Stdout, StringComparison.Ordinal);
        var json = JsonDocument.Parse(CliRun.Of("train", "--data", "moons", "--model", "dense:8,dense:8,relu", "--epochs", "1", "--json", "--no-advice").Stdout).RootElement;
        Assert.False(json.TryGetProperty("advice", out _));
    }

    [Fact]
    public void Train_shows_only_warnings_and_errors()
    {
        // leaky_relu:0 is plain ReLU: a note in 'advise', nothing before training.
        var run = CliRun.Of("train", "--data", "moons", "--layers", "8", "--activation", "leaky_relu:0", "--epochs", "1");
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("advice", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(["leaky-alpha-range"], Codes(Advice(CliRun.Of("advise", "dense:8,leaky_relu:0,dense:1", "--json"))));
    }
}
