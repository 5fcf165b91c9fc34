using System.Diagnostics;
using Nonlinear.Serialization;
using Nonlinear.Tests.Data;
using Nonlinear.Training;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// The CLI as a child process (the built Nonlinear.Cli.dll run with <c>dotnet</c>): SIGINT and SIGTERM in the
/// middle of training finish the batch, write a checkpoint, print how to resume and exit 130, and resuming ends
/// byte-identical to an uninterrupted run; SIGKILL at random moments of a run that saves a checkpoint after every
/// batch always leaves a loadable checkpoint (the previous one or the new one).
/// </summary>
public sealed class TrainSignalTests(ITestOutputHelper output) : IDisposable
{
    private const int Sigint = 2;
    private const int Sigterm = 15;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("nonlinear-ckpt-signal-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string At(string name) => Path.Combine(_dir.FullName, name);

    /// <summary>Sends <paramref name="signal"/> with kill(1).</summary>
    private static int Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    /// <summary>The CLI next to the tests (the Release or Debug build the tests were built with).</summary>
    private static string CliDll()
    {
        string here = Path.Combine(AppContext.BaseDirectory, "Nonlinear.Cli.dll");
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "Nonlinear.Cli.runtimeconfig.json")))
        {
            return here;
        }

        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return Path.Combine(DataFiles.RepositoryRoot(), "src", "Nonlinear.Cli", "bin", configuration, "net10.0", "Nonlinear.Cli.dll");
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliDll());
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_TieredPGO"] = "0";
        return Process.Start(info)!;
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds; false after <paramref name="seconds"/>.</summary>
    private static bool WaitFor(Func<bool> condition, double seconds)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds)
            {
                return false;
            }

            Thread.Sleep(5);
        }

        return true;
    }

    [Theory]
    [InlineData(Sigint, "SIGINT")]
    [InlineData(Sigterm, "SIGTERM")]
    public async Task A_signal_mid_training_writes_a_checkpoint_exits_130_and_resuming_is_identical(int signal, string name)
    {
        // 3,200 training samples in batches of 32: 100 batches an epoch, so a signal almost surely lands mid-epoch.
        string[] run = ["train", "--data", "moons", "--count", "4000", "--model", "dense:32,tanh,dropout:0.1,dense:32,tanh", "--optimizer", "adam", "--lr", "0.01", "--seed", "3", "--epochs", "40", "--no-advice"];
        string dir = At("ckpt");
        using (var child = Start([.. run, "--checkpoint-dir", dir]))
        {
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            Assert.True(WaitFor(() => File.Exists(Checkpoint.PathIn(dir)) || child.HasExited, 60), "no first checkpoint within 60 s");
            Assert.False(child.HasExited, "the run ended before the signal: make it longer");
            Thread.Sleep(Random.Shared.Next(0, 50));
            Assert.Equal(0, Kill(child.Id, signal));
            Assert.True(child.WaitForExit(60_000));
            string err = await stderr;
            output.WriteLine(err);
            Assert.Equal(130, child.ExitCode);
            Assert.Contains($"interrupted ({name})", err, StringComparison.Ordinal);
            Assert.Contains($"resume with: nonlinear train --resume {dir}", err, StringComparison.Ordinal);
            Assert.DoesNotContain("saved ", await stdout, StringComparison.Ordinal);
        }

        var stoppedAt = Checkpoint.Load(dir).State;
        output.WriteLine($"{name}: stopped after epoch {stoppedAt.CompletedEpochs}, batch {stoppedAt.NextBatch}");
        Assert.True(stoppedAt.CompletedEpochs < 40);

        var resumed = CliRun.Of("train", "--resume", dir, "--save", At("resumed.nlm"));
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(0, CliRun.Of([.. run, "--save", At("one-go.nlm")]).ExitCode);
        Assert.Equal(File.ReadAllBytes(At("one-go.nlm")), File.ReadAllBytes(At("resumed.nlm")));
    }

    [Fact]
    public async Task Sigkill_at_random_moments_of_saving_always_leaves_a_loadable_checkpoint()
    {
        // A checkpoint after every batch (about 800 KB: 67k parameters and Adam's two moments, fsynced), so that
        // most of the child's time is spent saving and the kills land inside saves.
        string dir = At("ckpt");
        string file = Checkpoint.PathIn(dir);
        string[] fresh = ["train", "--data", "moons", "--count", "2000", "--layers", "256,256", "--optimizer", "adam", "--epochs", "100000", "--no-advice", "--checkpoint-dir", dir, "--checkpoint-every", "1"];
        var random = new Random(12);
        long last = -1;
        int torn = 0;
        const int Kills = 50;
        for (int i = 0; i < Kills; i++)
        {
            var before = File.Exists(file) ? File.GetLastWriteTimeUtc(file) : DateTime.MinValue;
            using var child = i == 0 ? Start(fresh) : Start("train", "--resume", dir, "--no-advice");
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();

            // Once this child has written a checkpoint of its own, kill it at a random moment of its next saves.
            Assert.True(WaitFor(() => (File.Exists(file) && File.GetLastWriteTimeUtc(file) != before) || child.HasExited, 60), $"kill {i}: no checkpoint within 60 s");
            if (child.HasExited)
            {
                Assert.Fail($"kill {i}: the child ended: {await stderr}");
            }

            Thread.Sleep(random.Next(0, 30));
            child.Kill();
            Assert.True(child.WaitForExit(30_000));
            await Task.WhenAll(stdout, stderr);
            if (Directory.EnumerateFiles(dir, Checkpoint.FileName + ".tmp-*").Any())
            {
                torn++;
            }

            var state = Checkpoint.Load(dir).State;
            long position = (state.CompletedEpochs * (long)state.BatchesPerEpoch) + state.NextBatch;
            Assert.True(position > last, $"kill {i}: the checkpoint went back from batch {last} to {position}");
            last = position;
        }

        output.WriteLine($"{Kills} kills; {torn} of them left a half-written temporary file beside an intact checkpoint; last position: batch {last}");
    }
}
