using System.Text.Json;
using Nonlinear.Serialization;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// <c>train --checkpoint-dir</c>, <c>--resume</c>, <c>--patience</c> and <c>--save-best</c>, in-process (the
/// signal and SIGKILL tests run the CLI as a child process: see TrainSignalTests).
/// </summary>
public sealed class TrainCheckpointCommandTests : IDisposable
{
    private const string Mlp = "dense:16,tanh,dropout:0.2,dense:16,tanh";

    /// <summary>A run whose validation loss goes up and down: best at epoch 7, then 17 within 30 epochs.</summary>
    private static readonly string[] Overfitting = ["train", "--data", "moons", "--count", "80", "--noise", "0.4", "--layers", "64,64", "--optimizer", "adam", "--lr", "0.02", "--seed", "2", "--no-advice"];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nonlinear-ckpt-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string At(string name) => Path.Combine(_dir.FullName, name);

    [Theory]
    [InlineData("momentum", "")]
    [InlineData("adam", "3")]
    public void Twenty_epochs_with_checkpoints_then_resumed_to_forty_is_byte_identical_to_forty_in_one_go(string optimizer, string every)
    {
        string[] run = ["train", "--data", "moons", "--model", Mlp, "--optimizer", optimizer, "--seed", "4", "--clip", "2", "--no-advice"];
        var oneGo = CliRun.Of([.. run, "--epochs", "40", "--save", At("one-go.nlm")]);
        Assert.Equal(0, oneGo.ExitCode);

        string[] checkpointing = every.Length == 0 ? [] : ["--checkpoint-every", every];
        var first = CliRun.Of([.. run, "--epochs", "20", "--checkpoint-dir", At("ckpt"), .. checkpointing]);
        Assert.Equal(0, first.ExitCode);
        var saved = Checkpoint.Load(At("ckpt"));
        Assert.Equal(20, saved.State.CompletedEpochs);
        Assert.Equal(0, saved.State.NextBatch);
        Assert.Equal("moons", saved.Settings["--data"]);

        var resumed = CliRun.Of("train", "--resume", At("ckpt"), "--epochs", "40", "--save", At("resumed.nlm"), "--json");
        Assert.Equal(0, resumed.ExitCode);
        var json = JsonDocument.Parse(resumed.Stdout).RootElement;
        Assert.Equal(40, json.GetProperty("epochs").GetArrayLength());
        Assert.Contains("--resume", json.GetProperty("checkpoint").GetProperty("resume").GetString(), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(At("one-go.nlm")), File.ReadAllBytes(At("resumed.nlm")));
        Assert.Equal(40, Checkpoint.Load(At("ckpt")).State.CompletedEpochs);
    }

    [Fact]
    public void Resume_takes_every_setting_from_the_checkpoint_and_refuses_a_conflicting_one()
    {
        Assert.Equal(0, CliRun.Of("train", "--data", "moons", "--epochs", "2", "--lr", "0.05", "--checkpoint-dir", At("ckpt"), "--no-advice").ExitCode);

        var conflict = CliRun.Of("train", "--resume", At("ckpt"), "--lr", "0.1");
        Assert.Equal(2, conflict.ExitCode);
        Assert.Contains("--lr 0.1 conflicts", conflict.Stderr, StringComparison.Ordinal);
        Assert.Contains("--lr 0.05", conflict.Stderr, StringComparison.Ordinal);

        var unset = CliRun.Of("train", "--resume", At("ckpt"), "--data", "spiral");
        Assert.Equal(2, unset.ExitCode);
        Assert.Contains("--data spiral conflicts", unset.Stderr, StringComparison.Ordinal);

        // Repeating a saved value is no conflict.
        Assert.Equal(0, CliRun.Of("train", "--resume", At("ckpt"), "--data", "moons", "--epochs", "3", "--json").ExitCode);

        var missing = CliRun.Of("train", "--resume", At("nothing-here"));
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("error: ", missing.Stderr, StringComparison.Ordinal);

        var noData = CliRun.Of("train", "--epochs", "2");
        Assert.Equal(2, noData.ExitCode);
        Assert.Contains("--data", noData.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_checkpoint_is_a_one_line_error()
    {
        Assert.Equal(0, CliRun.Of("train", "--data", "moons", "--epochs", "2", "--checkpoint-dir", At("ckpt"), "--no-advice").ExitCode);
        string file = Checkpoint.PathIn(At("ckpt"));
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var run = CliRun.Of("train", "--resume", At("ckpt"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("checksum mismatch", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Patience_stops_after_that_many_epochs_without_a_better_validation_loss()
    {
        // 64 noisy samples and a wide network: the validation loss soon stops improving (best at epoch 7 of this run).
        var run = CliRun.Of([.. Overfitting, "--epochs", "300", "--patience", "4", "--json"]);
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.True(json.GetProperty("stoppedEarly").GetBoolean());
        var losses = json.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("validationLoss").GetDouble()).ToList();
        Assert.True(losses.Count < 300);
        int best = json.GetProperty("bestEpoch").GetInt32();
        Assert.Equal(losses.IndexOf(losses.Min()) + 1, best);
        Assert.Equal(best + 4, losses.Count);

        var noValidation = CliRun.Of("train", "--data", "moons", "--epochs", "3", "--patience", "2", "--validation", "0");
        Assert.Equal(2, noValidation.ExitCode);
        Assert.Contains("validation", noValidation.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_best_writes_the_weights_of_the_epoch_with_the_lowest_validation_loss()
    {
        string[] run = [.. Overfitting, "--epochs", "30"];
        var best = CliRun.Of([.. run, "--save", At("best.nlm"), "--save-best", "--json"]);
        Assert.Equal(0, best.ExitCode);
        var json = JsonDocument.Parse(best.Stdout).RootElement;
        int bestEpoch = json.GetProperty("bestEpoch").GetInt32();
        Assert.True(json.GetProperty("restoredBestWeights").GetBoolean());
        var losses = json.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("validationLoss").GetDouble()).ToList();
        Assert.Equal(30, losses.Count);
        Assert.True(bestEpoch < 30, "the test needs a run whose last epoch is not its best");
        Assert.Equal(losses.IndexOf(losses.Min()) + 1, bestEpoch);

        // The same run stopped at the best epoch has the same weights.
        Assert.Equal(0, CliRun.Of([.. run.Select(a => a == "30" ? bestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture) : a), "--save", At("stopped.nlm")]).ExitCode);
        var kept = ModelFile.Load(At("best.nlm"));
        var stopped = ModelFile.Load(At("stopped.nlm"));
        Assert.Equal(bestEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), kept.Metadata.Extra!["best_epoch"]);
        Assert.Equal(stopped.Model.Parameters.Count, kept.Model.Parameters.Count);
        for (int i = 0; i < kept.Model.Parameters.Count; i++)
        {
            Assert.Equal(stopped.Model.Parameters[i].Value.Span.ToArray(), kept.Model.Parameters[i].Value.Span.ToArray());
        }

        var withoutSave = CliRun.Of([.. run, "--save-best"]);
        Assert.Equal(2, withoutSave.ExitCode);
        Assert.Contains("--save", withoutSave.Stderr, StringComparison.Ordinal);
    }
}
