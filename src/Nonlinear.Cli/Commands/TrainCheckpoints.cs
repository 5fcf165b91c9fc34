using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nonlinear.Training;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// The checkpoint side of <c>train</c>: <c>--checkpoint-dir</c>, <c>--checkpoint-every</c>, <c>--resume</c>,
/// <c>--patience</c> and <c>--save-best</c>; the run's settings saved in a checkpoint and read back on resume; and
/// SIGINT/SIGTERM, which stop training after the current batch so that a checkpoint can be written (exit 130).
/// </summary>
internal static class TrainCheckpoints
{
    /// <summary>Where an interrupted run without <c>--checkpoint-dir</c> saves its checkpoint (relative to the working directory).</summary>
    public const string DefaultDirectory = "nonlinear-checkpoint";

    /// <summary>The exit code of an interrupted run (128 + SIGINT, what shells expect after Ctrl+C).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>The new options of train.</summary>
    internal sealed class Options
    {
        public Option<string?> Directory { get; } = new("--checkpoint-dir") { Description = "Save a checkpoint of the run (model, optimizer state, position, random state, history, settings) into this directory: at the end of every epoch, or every --checkpoint-every batches; resume with --resume" };

        public Option<int?> Every { get; } = new("--checkpoint-every") { Description = "With --checkpoint-dir: save a checkpoint every N batches instead of at the end of every epoch" };

        public Option<string?> Resume { get; } = new("--resume") { Description = "Carry on the run saved in this checkpoint directory: every setting comes from the checkpoint; --epochs N sets the total number of epochs" };

        public Option<int?> Patience { get; } = new("--patience") { Description = "Early stopping: stop after N epochs in a row without a lower validation loss (as Keras' EarlyStopping)" };

        public Option<bool> SaveBest { get; } = new("--save-best") { Description = "With --save: end with the weights of the epoch with the lowest validation loss (Keras' restore_best_weights; the final evaluation and the saved file use them)" };

        public IEnumerable<Option> All => [Directory, Every, Resume, Patience, SaveBest];
    }

    /// <summary>
    /// The run's settings as saved in a checkpoint: every option of <paramref name="runOptions"/> given on the command
    /// line (explicitly, not by default), by name, with its token; <c>--epochs</c> as the run's total.
    /// </summary>
    public static Dictionary<string, string> Settings(ParseResult parse, IEnumerable<Option> runOptions, int epochs)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in runOptions)
        {
            if (Given(parse, option) is { } value)
            {
                settings[option.Name] = value;
            }
        }

        settings["--epochs"] = epochs.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>The option's token when it was given on the command line ("true" for a bare flag); null when it was not.</summary>
    private static string? Given(ParseResult parse, Option option)
    {
        if (parse.GetResult(option) is not { Implicit: false } result)
        {
            return null;
        }

        return result.Tokens.Count == 0 ? "true" : string.Join(",", result.Tokens.Select(t => t.Value));
    }

    /// <summary>
    /// The command line of a resumed run: the saved settings, with <c>--epochs</c>, <c>--save</c> and
    /// <c>--checkpoint-every</c> replaced when given now. Any other run option given now must repeat the saved value.
    /// </summary>
    /// <exception cref="CliUsageException">An option conflicts with the checkpoint's settings.</exception>
    public static ParseResult Resumed(Command command, ParseResult parse, Checkpoint checkpoint, IEnumerable<Option> runOptions, IEnumerable<Option> overridable, string directory)
    {
        var settings = new Dictionary<string, string>(checkpoint.Settings, StringComparer.Ordinal);
        var free = overridable.ToHashSet();
        foreach (var option in runOptions)
        {
            if (Given(parse, option) is not { } value)
            {
                continue;
            }

            if (free.Contains(option))
            {
                settings[option.Name] = value;
                continue;
            }

            if (!settings.TryGetValue(option.Name, out var saved) || saved != value)
            {
                string was = saved is null ? "the run did not set it" : $"the run was started with {option.Name} {saved}";
                throw new CliUsageException($"--resume takes the run's settings from the checkpoint in '{directory}': {option.Name} {value} conflicts ({was}). Drop the option, or start a new run (only --epochs, --save, --checkpoint-every and output options may change).");
            }
        }

        var args = new List<string>();
        foreach (var (name, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add(name);
            args.Add(value);
        }

        var reparsed = command.Parse(args);
        if (reparsed.Errors.Count > 0)
        {
            throw new CliUsageException($"the checkpoint in '{directory}' holds settings this version cannot read: {reparsed.Errors[0].Message.TrimEnd('.')}.");
        }

        return reparsed;
    }

    /// <summary>"nonlinear train --resume DIR", quoted for a POSIX shell when needed.</summary>
    public static string ResumeCommand(string directory)
    {
        bool plain = directory.Length > 0 && directory.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '~' or '+' or ':' or ',');
        return "nonlinear train --resume " + (plain ? directory : "'" + directory.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
    }

    /// <summary>
    /// Turns the first SIGINT or SIGTERM into a cancellation that training honours after the current batch; a
    /// second signal is left to the default handling (the process ends at once).
    /// </summary>
    internal sealed class Interruption : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly CancellationTokenRegistration _outer;
        private readonly PosixSignalRegistration? _sigint;
        private readonly PosixSignalRegistration? _sigterm;
        private int _signalled;

        public Interruption(CancellationToken outer)
        {
            _stop = new CancellationTokenSource();
            _outer = outer.Register(() => Stop("SIGINT"));
            if (!OperatingSystem.IsBrowser() && !OperatingSystem.IsIOS() && !OperatingSystem.IsTvOS() && !OperatingSystem.IsAndroid())
            {
                _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
                _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            }
        }

        public CancellationToken Token => _stop.Token;

        /// <summary>"SIGINT" or "SIGTERM" once a signal arrived; null otherwise.</summary>
        public string? Signal { get; private set; }

        private void OnSignal(PosixSignalContext context)
        {
            if (Volatile.Read(ref _signalled) == 0)
            {
                context.Cancel = true;
                Stop(context.Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT");
            }
        }

        private void Stop(string signal)
        {
            if (Interlocked.Exchange(ref _signalled, 1) == 0)
            {
                Signal = signal;
                _stop.Cancel();
            }
        }

        public void Dispose()
        {
            _sigint?.Dispose();
            _sigterm?.Dispose();
            _outer.Dispose();
            _stop.Dispose();
        }
    }

    /// <summary>Writes the "checkpoint" object of the JSON summary (null without a checkpoint).</summary>
    public static void WriteJson(Utf8JsonWriter w, string? directory, string? file, TrainingState state)
    {
        if (directory is null)
        {
            w.WriteNull("checkpoint");
            return;
        }

        w.WriteStartObject("checkpoint");
        w.WriteString("directory", directory);
        w.WriteString("file", file);
        w.WriteNumber("completedEpochs", state.CompletedEpochs);
        w.WriteNumber("nextBatch", state.NextBatch);
        w.WriteNumber("batchesPerEpoch", state.BatchesPerEpoch);
        w.WriteString("resume", ResumeCommand(directory));
        w.WriteEndObject();
    }
}
