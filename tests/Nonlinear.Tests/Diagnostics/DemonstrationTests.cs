using System.Text.Json;
using Nonlinear.Diagnostics;
using Nonlinear.Tests.Cli;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class DemonstrationTests
{
    [Fact]
    public void Gradients_vanish_through_twenty_sigmoid_layers_but_not_through_relu()
    {
        var results = VanishingGradientExperiment.Run(VanishingGradientExperiment.DefaultActivations).ToDictionary(r => r.Activation);
        Assert.All(results.Values, r => Assert.Equal(21, r.Layers.Count));
        Assert.True(results["sigmoid"].Ratio < 1e-4, $"sigmoid ratio {results["sigmoid"].Ratio}");
        Assert.InRange(results["relu"].Ratio, 0.1, 10);
        Assert.InRange(results["leaky_relu"].Ratio, 0.1, 10);
        Assert.True(results["tanh"].Ratio < results["relu"].Ratio, $"tanh {results["tanh"].Ratio}, relu {results["relu"].Ratio}");
        Assert.True(results["tanh"].Ratio > 1e-3, $"tanh {results["tanh"].Ratio}");

        // Sigmoid loses orders of magnitude layer after layer: each fourth layer gets less than a tenth of the next.
        var sigmoid = results["sigmoid"].Layers;
        for (int i = 0; i + 4 < 20; i += 4)
        {
            Assert.True(sigmoid[i].Norm < sigmoid[i + 4].Norm / 10, $"layer {i + 1}: {sigmoid[i].Norm} vs {sigmoid[i + 4].Norm}");
        }

        Assert.Equal(("Glorot", "He"), (results["sigmoid"].Initialization, results["relu"].Initialization));
    }

    [Fact]
    public void Relu_units_die_at_a_high_learning_rate_and_leaky_relu_units_do_not()
    {
        var runs = DyingReluExperiment.Run();
        var relu = runs.Single(r => r.Activation == "relu");
        var leaky = runs.Single(r => r.Activation == "leaky_relu");
        Assert.True(relu.DeadShare[^1] > 0.5, $"relu dead share {relu.DeadShare[^1]}");
        Assert.True(relu.DeadShare[^1] >= 3 * leaky.DeadShare[^1], $"relu {relu.DeadShare[^1]}, leaky {leaky.DeadShare[^1]}");
        Assert.True(relu.DeadShare[0] < 0.1, $"relu starts alive: {relu.DeadShare[0]}");
        Assert.Equal(relu.DeadShare, relu.NegativeShare);

        // Leaky units never die, and the network keeps learning where the ReLU one is stuck.
        Assert.All(leaky.DeadShare, d => Assert.Equal(0, d));
        Assert.True(leaky.Accuracy[^1] > relu.Accuracy[^1] + 0.15, $"accuracy leaky {leaky.Accuracy[^1]}, relu {relu.Accuracy[^1]}");
    }

    [Fact]
    public void Naive_softmax_overflows_and_the_stable_one_matches_float64()
    {
        var rows = SoftmaxOverflowExperiment.Run(SoftmaxOverflowExperiment.DefaultScales).ToDictionary(r => r.Scale);
        Assert.False(rows[88].NaiveFails);
        foreach (double scale in new[] { 89.0, 100, 1000, 1e4 })
        {
            Assert.True(rows[scale].NaiveFails, $"scale {scale}");
            Assert.True(float.IsNaN(rows[scale].Naive[0]));
        }

        foreach (var r in rows.Values)
        {
            Assert.All(r.Stable, p => Assert.True(float.IsFinite(p)));
            Assert.True(r.StableError <= 1e-6, $"scale {r.Scale}: {r.StableError}");
        }
    }

    [Theory]
    [InlineData("vanishing")]
    [InlineData("dying-relu")]
    [InlineData("softmax-overflow")]
    public void Each_demo_prints_a_table_and_valid_json(string demo)
    {
        var table = CliRun.Of("demo", demo);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("┌", table.Stdout, StringComparison.Ordinal);
        var json = CliRun.Of("demo", demo, "--json");
        Assert.Equal(0, json.ExitCode);
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.ValueKind);
        Assert.True(doc.RootElement.GetArrayLength() >= 2);
    }

    [Theory]
    [InlineData("vanishing", "--activations", "nope")]
    [InlineData("vanishing", "--depth", "0")]
    [InlineData("dying-relu", "--lr", "-1")]
    [InlineData("softmax-overflow", "--scales", "1,x")]
    public void Bad_demo_options_exit_2_with_one_line(string demo, string option, string value)
    {
        var run = CliRun.Of("demo", demo, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void On_real_fashion_mnist_pixels_too_relu_dies_and_leaky_relu_learns()
    {
        string subset = Path.Combine(Nonlinear.Tests.Data.DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset");
        var (train, _) = Nonlinear.Data.IdxDataset.LoadDirectory(subset, Nonlinear.Data.FashionMnist.ClassNames);
        var runs = DyingReluExperiment.Run(train, epochs: 4, learningRate: 0.1, width: 64, seed: 1);
        var relu = runs.Single(r => r.Activation == "relu");
        var leaky = runs.Single(r => r.Activation == "leaky_relu");
        Assert.True(relu.DeadShare[^1] > 0.5, $"relu dead share {relu.DeadShare[^1]:P0}");
        Assert.True(leaky.Accuracy[^1] - relu.Accuracy[^1] > 0.2, $"leaky {leaky.Accuracy[^1]:F3} vs relu {relu.Accuracy[^1]:F3}");
        Assert.Equal("flatten,dense:64,relu,dense:64,relu,dense:10", relu.Spec);
    }
}
