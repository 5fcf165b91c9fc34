using System.Text;
using System.Text.Json;
using Nonlinear.Cli;
using Nonlinear.Cli.Commands;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Tests.Data;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class SequenceDiagnosticsOutputTests
{
    private static readonly string Subset = Path.Combine(DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset");

    /// <summary>Two epochs of "lstm:6,dense:2" with attention in front, on random sequences (fractions of a second).</summary>
    private static TrainingDiagnostics Trained()
    {
        var random = new Random(3);
        var features = new float[24 * 5 * 4];
        for (int i = 0; i < features.Length; i++)
        {
            features[i] = (float)(random.NextDouble() * 2 - 1);
        }

        var labels = Enumerable.Range(0, 24).Select(i => (float)(i % 2)).ToArray();
        var data = new Dataset("random", Tensor.FromArray(features, 24, 5, 4), Tensor.FromArray(labels, 24), TaskKind.Multiclass, 2);
        var model = Sequential.Parse("attention:heads=2,lstm:6,dense:2");
        model.Build(data.FeatureShape, seed: 1);
        var diagnostics = new TrainingDiagnostics();
        new Trainer(model, TaskDefaults.Loss(TaskKind.Multiclass), Optimizer.Create("adam", 0.01)) { Diagnostics = diagnostics }.Fit(data, 2, 8, seed: 1);
        return diagnostics;
    }

    [Fact]
    public void The_diagnostics_table_shows_steps_gates_and_heads()
    {
        var output = new StringWriter();
        TrainDiagnosticsOutput.WriteTable(new CliContext(output, new StringWriter(), new StringReader("")), Trained());
        string text = output.ToString();
        Assert.Contains("Sequence layers", text, StringComparison.Ordinal);
        Assert.Contains("t1 ", text, StringComparison.Ordinal);
        Assert.Contains("t5 ", text, StringComparison.Ordinal);
        Assert.Contains("f (sigmoid)", text, StringComparison.Ordinal);
        Assert.Contains("g (tanh)", text, StringComparison.Ordinal);
        Assert.Contains("1.6094", text, StringComparison.Ordinal); // ln T for T = 5, the reference entropy
    }

    [Fact]
    public void The_diagnostics_json_has_step_norms_gates_and_head_entropies()
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            TrainDiagnosticsOutput.WriteJson(w, Trained());
            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var layers = doc.RootElement.GetProperty("diagnostics").GetProperty("epochs")[1].GetProperty("layers");
        var attention = layers[0].GetProperty("attention");
        Assert.Equal(2, attention.GetProperty("headEntropy").GetArrayLength());
        Assert.Equal(Math.Log(5), attention.GetProperty("maxEntropy").GetDouble(), 10);
        Assert.All(attention.GetProperty("headEntropy").EnumerateArray(), e => Assert.InRange(e.GetDouble(), 0, Math.Log(5) + 1e-9));
        var recurrent = layers[1].GetProperty("recurrent");
        Assert.Equal(5, recurrent.GetProperty("stepGradientNorms").GetArrayLength());
        Assert.True(recurrent.GetProperty("stepGradientRatio").GetDouble() > 0);
        Assert.Equal(["i", "f", "g", "o"], recurrent.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("gate").GetString()));
        Assert.False(layers[2].TryGetProperty("recurrent", out _));
    }

    [Fact]
    public void Compare_with_the_rnn_model_compares_the_recurrent_activation_on_image_rows()
    {
        var run = CliRun.Of("compare", "--data", Subset, "--model", "rnn", "--activations", "tanh,relu", "--layers", "12", "--epochs", "1", "--seeds", "1", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        Assert.Equal("rnn", doc.RootElement.GetProperty("modelKind").GetString());
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("activation").GetString()!);
        Assert.Equal("rnn:12:tanh,dense:10", rows["tanh"].GetProperty("model").GetString());
        Assert.Equal("rnn:12:relu,dense:10", rows["relu"].GetProperty("model").GetString());
        foreach (var row in rows.Values)
        {
            Assert.InRange(row.GetProperty("meanAccuracy").GetDouble(), 0.15, 1);   // ten classes: above chance after one epoch
            Assert.InRange(row.GetProperty("meanLoss").GetDouble(), 0.1, 2.5);
            Assert.True(row.GetProperty("stepGradientRatio").GetDouble() > 0);
        }

        Assert.InRange(rows["tanh"].GetProperty("saturation").GetDouble(), 0, 1);
        Assert.Equal("NaN", rows["relu"].GetProperty("saturation").GetString());   // relu is unbounded: it cannot saturate
    }

    [Fact]
    public void Compare_with_the_rnn_model_prints_the_recurrent_table()
    {
        var run = CliRun.Of("compare", "--data", Subset, "--model", "rnn", "--activations", "tanh", "--layers", "8", "--epochs", "1", "--seeds", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("grad step 1 / step T", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("rnn:8:tanh,dense:10", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--data", "moons", "--model", "rnn")]
    [InlineData("--data", "moons", "--model", "gru")]
    [InlineData("--data", "fashion-mnist-subset", "--model", "rnn", "--activations", "softmax")]
    [InlineData("--data", "fashion-mnist-subset", "--model", "rnn", "--layers", "8,x")]
    public void Compare_with_a_bad_recurrent_setup_exits_2_naming_the_problem(params string[] args)
    {
        var full = args.Select(a => a == "fashion-mnist-subset" ? Subset : a).Prepend("compare").Append("--epochs").Append("1").ToArray();
        var run = CliRun.Of(full);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Advise_warns_about_a_relu_rnn_unless_clip_is_given_and_about_unscaled_attention()
    {
        static string[] Codes(CliRun run) => JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Select(a => a.GetProperty("code").GetString()!).ToArray();
        var unclipped = CliRun.Of("advise", "rnn:16:relu,dense:3", "--task", "multiclass", "--inputs", "5x2", "--json");
        Assert.True(unclipped.ExitCode == 0, unclipped.Stderr);
        Assert.Contains("recurrent-unbounded-no-clip", Codes(unclipped));
        var clipped = CliRun.Of("advise", "rnn:16:relu,dense:3", "--task", "multiclass", "--inputs", "5x2", "--clip", "1", "--json");
        Assert.Empty(Codes(clipped));
        var unscaled = CliRun.Of("advise", "attention:heads=2:unscaled,flatten,dense:3", "--task", "multiclass", "--inputs", "6x16", "--json");
        Assert.Equal(["attention-unscaled"], Codes(unscaled));
        var language = CliRun.Of("advise", "embedding:27:16,lstm:32:seq,dense:27", "--task", "sequence", "--loss", "cross_entropy", "--json");
        Assert.Contains("language-model-loss", Codes(language));
        Assert.Equal(2, CliRun.Of("advise", "rnn:4", "--clip", "-1").ExitCode);
    }

    [Fact]
    public void Train_diagnostics_of_a_gru_on_image_rows_report_all_28_steps_and_its_three_gates()
    {
        var run = CliRun.Of("train", "--data", Subset, "--model", "gru", "--hidden", "8", "--epochs", "1", "--diagnostics", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        var gru = doc.RootElement.GetProperty("diagnostics").GetProperty("epochs")[0].GetProperty("layers")[0];
        Assert.Equal("gru:8", gru.GetProperty("spec").GetString());
        Assert.True(gru.GetProperty("gradientNorm").GetDouble() > 0);
        var recurrent = gru.GetProperty("recurrent");
        Assert.Equal(28, recurrent.GetProperty("stepGradientNorms").GetArrayLength());
        Assert.Equal(["r", "z", "n"], recurrent.GetProperty("gates").EnumerateArray().Select(g => g.GetProperty("gate").GetString()));
        Assert.All(recurrent.GetProperty("gates").EnumerateArray(), g => Assert.InRange(g.GetProperty("saturatedShare").GetDouble(), 0, 1));
    }
}
