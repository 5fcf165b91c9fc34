using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Training;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear train --data moons|fashion-mnist|dir|table.csv --layers 8,8 --activation tanh ...</c> or
/// <c>--model cnn</c>, or <c>--data words|fashion-mnist --model lstm|gru|rnn|transformer</c> (sequences: words for
/// next-character prediction, images read row by row): builds a model for the task, trains it with a live progress bar per batch (loss, accuracy,
/// samples/s, ETA; validation per epoch), reports the held-out test set when the data has one, and prints a
/// summary. The output activation and loss follow the task unless given (see TaskDefaults); real data is
/// standardised with statistics of the training split, which are saved with the model.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Hidden layers of the named models (the output layer is added for the data's classes).</summary>
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["mlp"] = "flatten,dense:256,relu,dense:128,relu",
        ["cnn"] = "conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu",
        ["cnn-bn"] = "conv:64x3:same,batchnorm,relu,pool:2,conv:64x3:same,batchnorm,relu,pool:2,flatten,dropout:0.25,dense:128,relu",
    };

    public static Command Create(CliContext context)
    {
        var source = new DataSource.Options();
        var layers = new Option<string>("--layers") { Description = "Hidden layer widths, e.g. 8,8 (empty: a linear model); images are flattened first", DefaultValueFactory = _ => "8,8" };
        var activation = new Option<string>("--activation") { Description = "Hidden activation (any catalog spec)", DefaultValueFactory = _ => "tanh" };
        var model = new Option<string?>("--model") { Description = "mlp, cnn or cnn-bn (image models); rnn, lstm, gru or transformer (sequence models: on --data words, and on images read row by row); or a hidden-layer spec instead of --layers/--activation, e.g. conv:16x3,relu,pool:2,flatten,dense:32,relu; the output layer is added" };
        var hidden = new Option<int?>("--hidden") { Description = $"Sequence models: the recurrent width (default {SequenceModels.DefaultHidden}), or the transformer's width d (default {SequenceModels.DefaultWidth}, a multiple of 4)" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: 300 on synthetic data, 10 on images, 4 on words, 200 on CSV tables)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (default: 0.05 on synthetic data, 0.001 on images, 0.003 on words, 0.01 on CSV tables)" };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum, nesterov, adam or adamw", DefaultValueFactory = _ => "adam" };
        var batch = new Option<int?>("--batch") { Description = "Mini-batch size (default: 32; 128 on images and words)" };
        var seed = new Option<int>("--seed") { Description = "Seed for data, weights, dropout and shuffling", DefaultValueFactory = _ => 1 };
        var validation = new Option<double?>("--validation") { Description = "Share of the training data held out for validation (default 0.2; 0.1 on images; 0: none; words have a fixed 10% validation split)" };
        var normalize = new Option<string>("--normalize") { Description = "Input normalisation fitted on the training split and saved with the model: auto (standard on images per channel and on tables per feature, none on synthetic data), standard, minmax or none", DefaultValueFactory = _ => "auto" };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule over the epochs: none (default), cosine (to 0 at the last epoch), or step:<epochs>[:<gamma>] (multiply by gamma, default 0.1, every <epochs>)", DefaultValueFactory = _ => "none" };
        var augment = new Option<string>("--augment") { Description = "Images: random changes to each training batch: flip (mirror left-right), shift or shift:<pixels> (default 2), e.g. flip,shift:2; none (default)", DefaultValueFactory = _ => "none" };
        var loss = new Option<string?>("--loss") { Description = "Loss (default from the task): mse, bce_logits, cross_entropy" };
        var output = new Option<string?>("--output-activation") { Description = "Output activation (default from the loss: sigmoid for bce_logits, softmax for cross_entropy, identity for mse; with mse any activation, trained as the last layer)" };
        var clip = ClipOption.Create();
        var save = new Option<string?>("--save") { Description = "Save the trained model to this file (atomic: a crash never leaves half a file)" };
        var json = JsonOption.Create("the summary and the per-epoch history");
        var checkpoints = new TrainCheckpoints.Options();

        // --resume takes --data from the checkpoint: required only without it (checked in the action).
        source.Data.Required = false;
        var command = new Command("train", "Train a network on a dataset");
        foreach (var option in source.All.Concat([layers, activation, model, hidden, epochs, lr, optimizer, batch, seed, validation, normalize, schedule, augment, clip, loss, output, save, json]).Concat(checkpoints.All))
        {
            command.Add(option);
        }

        // The options that define a run: saved in a checkpoint, read back from it by --resume.
        Option[] runOptions = [.. source.All, layers, activation, model, hidden, epochs, lr, optimizer, batch, seed, validation, normalize, schedule, augment, clip, loss, output, save, checkpoints.Every, checkpoints.Patience, checkpoints.SaveBest];
        Option[] overridable = [epochs, save, checkpoints.Every];

        var noAdvice = TrainAdvice.CreateOption();
        command.Add(noAdvice);
        var diagnosticsOption = TrainDiagnosticsOutput.CreateOption();
        command.Add(diagnosticsOption);
        var from = TrainFrom.CreateOption();
        command.Add(from);

        command.SetAction((commandLine, cancellation) =>
        {
            // With --resume every run option comes from the checkpoint's settings (parseResult below); output
            // options (--json, --no-advice, --diagnostics) from this command line.
            string? resumeDir = commandLine.GetValue(checkpoints.Resume);
            string? checkpointDir = commandLine.GetValue(checkpoints.Directory);
            Checkpoint? resumed = null;
            var parseResult = commandLine;
            if (resumeDir is not null)
            {
                if (checkpointDir is not null && Path.GetFullPath(checkpointDir) != Path.GetFullPath(resumeDir))
                {
                    throw new CliUsageException($"--resume {resumeDir} goes on writing checkpoints into '{resumeDir}'; drop --checkpoint-dir {checkpointDir}.");
                }

                resumed = Checkpoint.Load(resumeDir);
                parseResult = TrainCheckpoints.Resumed(command, commandLine, resumed, runOptions, overridable, resumeDir);
                checkpointDir = resumeDir;
            }

            if (parseResult.GetValue(source.Data) is null)
            {
                throw new CliUsageException("Option '--data' is required (or --resume DIR to carry on a saved run).");
            }

            int? every = parseResult.GetValue(checkpoints.Every);
            int? patience = parseResult.GetValue(checkpoints.Patience);
            bool saveBest = parseResult.GetValue(checkpoints.SaveBest);
            if (every is { } n && n < 1)
            {
                throw new CliUsageException($"--checkpoint-every must be at least 1 batch; found {n}.");
            }

            if (every is not null && checkpointDir is null)
            {
                throw new CliUsageException("--checkpoint-every needs --checkpoint-dir (where the checkpoints go).");
            }

            if (patience is { } pn && pn < 1)
            {
                throw new CliUsageException($"--patience must be at least 1 epoch; found {pn}.");
            }

            if (saveBest && parseResult.GetValue(save) is null)
            {
                throw new CliUsageException("--save-best chooses which weights --save writes: give --save FILE too.");
            }

            int seedValue = parseResult.GetValue(seed);
            var data = source.Load(parseResult, seedValue);
            var kind = data.Kind;
            bool words = kind == DataSource.DataKind.Words;
            string? modelName = parseResult.GetValue(model);
            int? hiddenWidth = parseResult.GetValue(hidden);
            var start = TrainFrom.Load(parseResult.GetValue(from), modelName);

            // Sequence models: on words always (an LSTM unless named); on images, read row by row.
            bool sequenceModel = words ? modelName is null || SequenceModels.IsName(modelName) : SequenceModels.IsName(modelName);
            bool rows = sequenceModel && !words;
            if (rows && kind != DataSource.DataKind.Images)
            {
                throw new CliUsageException($"--model {modelName} is a sequence model: use --data {DataSource.WordsName}, or images (--data {DataSource.FashionMnistName} or a directory of IDX images), which are read row by row.");
            }

            if (hiddenWidth is not null && !sequenceModel)
            {
                throw new CliUsageException($"--hidden sets the width of the sequence models (--model {string.Join(", ", SequenceModels.Names)}); use --layers or a spec for other models.");
            }

            int epochCount = commandLine.GetValue(epochs) ?? resumed?.State.Epochs ?? parseResult.GetValue(epochs) ?? kind switch { DataSource.DataKind.Synthetic => 300, DataSource.DataKind.Images => 10, DataSource.DataKind.Words => 4, _ => 200 };
            int batchSize = parseResult.GetValue(batch) ?? (kind is DataSource.DataKind.Images or DataSource.DataKind.Words ? 128 : 32);
            double rate = parseResult.GetValue(lr) ?? kind switch { DataSource.DataKind.Synthetic => 0.05, DataSource.DataKind.Images => 0.001, DataSource.DataKind.Words => 0.003, _ => 0.01 };
            if (words && parseResult.GetValue(validation) is not null)
            {
                throw new CliUsageException($"--validation: --data {DataSource.WordsName} has a fixed split (80% training, 10% validation, 10% test words).");
            }

            double holdOut = parseResult.GetValue(validation) ?? (kind == DataSource.DataKind.Images ? 0.1 : 0.2);
            DemoCommand.CheckPositive(epochCount, "--epochs");
            DemoCommand.CheckPositive(batchSize, "--batch");
            if (!(holdOut >= 0 && holdOut < 1))
            {
                throw new CliUsageException($"--validation must be in [0, 1); found {holdOut.ToString(CultureInfo.InvariantCulture)}.");
            }

            var (train, held) = words ? (data.Train, data.Validation)
                : holdOut > 0 && data.Train.Count >= 10 ? data.Train.Split(holdOut, seedValue) : (data.Train, (Dataset?)null);
            if ((patience is not null || saveBest) && held is null)
            {
                throw new CliUsageException($"{(patience is not null ? "--patience" : "--save-best")} watches the validation loss, and this run has no validation data: use --validation with a share above 0.");
            }

            string normalizeMode = parseResult.GetValue(normalize)!;
            if (words && normalizeMode.Trim().ToLowerInvariant() is not ("auto" or "none"))
            {
                throw new CliUsageException($"--normalize {normalizeMode}: the inputs of --data {DataSource.WordsName} are symbol ids, which are not normalised.");
            }

            var normalization = words ? null : start is not null ? TrainFrom.Normalization(start) : Normalize(normalizeMode, kind, train);
            Dataset? test = data.Test;
            var final = test ?? data.Train;
            if (normalization is not null)
            {
                train = normalization.Apply(train);
                held = held is null ? null : normalization.Apply(held);
                test = test is null ? null : normalization.Apply(test);
                final = normalization.Apply(final);
            }

            if (rows)
            {
                // Normalised as images (one mean and std for the single channel), then read row by row; the saved
                // normalisation repeats the constants once per row, which is the same transformation of [H, W].
                train = ImageRows.FromImages(train);
                held = held is null ? null : ImageRows.FromImages(held);
                test = test is null ? null : ImageRows.FromImages(test);
                final = ImageRows.FromImages(final);
                normalization = normalization is null ? null : PerRow(normalization, train.FeatureShape[0]);
            }

            int outputs = TaskDefaults.Outputs(data.Train);
            string spec = !sequenceModel
                ? Spec(modelName, parseResult.GetValue(layers)!, parseResult.GetValue(activation)!, outputs, train.FeatureShape.Rank > 1)
                : words ? SequenceModels.ForWords(modelName ?? "lstm", hiddenWidth) : SequenceModels.ForRows(modelName!, hiddenWidth, outputs);
            var lossFunction = start is not null ? TrainFrom.Loss(start, parseResult.GetValue(loss)) : parseResult.GetValue(loss) is { } l ? Loss.Parse(l) : TaskDefaults.Loss(train.Task);
            string outputActivation = start?.Metadata.OutputActivation ?? OutputActivation(lossFunction, parseResult.GetValue(output), ref spec);
            var network = start?.Model ?? Sequential.Parse(spec);
            if (resumed is not null)
            {
                if (resumed.Model.Model.Spec != network.Spec || resumed.Model.Model.InputShape != train.FeatureShape)
                {
                    throw new CliUsageException($"the checkpoint in '{resumeDir}' holds the model {resumed.Model.Model.Spec} for inputs {resumed.Model.Model.InputShape}, but its settings give {network.Spec} for {train.FeatureShape}: was it written by another version?");
                }

                network = resumed.Model.Model;
            }
            else if (start is null)
            {
                network.Build(train.FeatureShape, seedValue);
            }
            else
            {
                TrainFrom.Check(start, train);
            }

            var opt = Optimizer.Create(parseResult.GetValue(optimizer)!, rate);
            opt.ClipNorm = ClipOption.Get(parseResult, clip);

            // The trainer takes a schedule's base rate from the optimizer: create it before the saved state (and rate) goes in.
            var trainer = new Trainer(network, lossFunction, opt, Schedule(parseResult.GetValue(schedule)!, epochCount)) { Augmentation = ImageAugmentation.Parse(parseResult.GetValue(augment)!, seedValue) };
            TrainingState state;
            if (resumed is null)
            {
                state = new TrainingState(epochCount, batchSize, seedValue) { Patience = patience, KeepBestWeights = saveBest };
            }
            else
            {
                resumed.RestoreOptimizer(opt);
                state = resumed.State;
                if (state.BatchSize != batchSize || state.Seed != seedValue)
                {
                    throw new CliUsageException($"the checkpoint in '{resumeDir}' was trained with batch {state.BatchSize} and seed {state.Seed}, but its settings give {batchSize} and {seedValue}: was it written by another version?");
                }

                state.Epochs = epochCount;
            }

            if (trainer.Augmentation is not null && train.FeatureShape.Rank != 3)
            {
                throw new CliUsageException($"--augment works on images [C, H, W]; the data '{train.Name}' has samples of shape {train.FeatureShape}.");
            }

            var diagnostics = TrainDiagnosticsOutput.Attach(commandLine, diagnosticsOption, trainer);
            var clipping = ClipOption.Watch(trainer, opt);
            bool asJson = commandLine.GetValue(json);
            var advice = TrainAdvice.Check(!commandLine.GetValue(noAdvice), network, train.Task, lossFunction, outputActivation, opt.ClipNorm);
            if (!asJson)
            {
                TrainAdvice.Print(context, advice);
            }

            ModelMetadata Metadata(int epochsDone) => new()
            {
                Task = train.Task,
                OutputActivation = outputActivation,
                Loss = lossFunction.Name,
                ClassNames = train.ClassNames,
                NormalizationMean = normalization?.Mean,
                NormalizationStd = normalization?.Std,
                Extra = new Dictionary<string, string>
                {
                    ["data"] = train.Name,
                    ["epochs"] = epochsDone.ToString(CultureInfo.InvariantCulture),
                    ["optimizer"] = opt.ToString() ?? "",
                    ["seed"] = seedValue.ToString(CultureInfo.InvariantCulture),
                    ["batch"] = batchSize.ToString(CultureInfo.InvariantCulture),
                    ["augment"] = trainer.Augmentation?.ToString() ?? "none",
                    ["input"] = rows ? "rows" : "as-is",
                    ["clip"] = ClipOption.Format(opt.ClipNorm),
                },
            };

            // Checkpoints: every N batches with --checkpoint-every, else after every epoch (after validation and
            // early stopping's bookkeeping), and once more when the run ends or is interrupted.
            var settings = TrainCheckpoints.Settings(parseResult, runOptions.Where(o => o != epochs), epochCount);
            string? checkpointFile = null;
            void SaveCheckpoint(string directory)
            {
                Directory.CreateDirectory(directory);
                checkpointFile = Checkpoint.Save(directory, network, Metadata(state.CompletedEpochs), opt, state, settings);
            }

            if (checkpointDir is not null)
            {
                if (every is { } batches)
                {
                    trainer.BatchEnded += _ =>
                    {
                        if (((state.CompletedEpochs * (long)state.BatchesPerEpoch) + state.NextBatch) % batches == 0)
                        {
                            SaveCheckpoint(checkpointDir);
                        }
                    };
                }
                else
                {
                    trainer.EpochEnded += _ => SaveCheckpoint(checkpointDir);
                }
            }

            TrainingHistory history;
            string? signal;
            using (var interruption = new TrainCheckpoints.Interruption(cancellation))
            {
                history = asJson
                    ? trainer.Fit(train, held, state, interruption.Token)
                    : WithProgress(context, trainer, train, held, state, interruption.Token);
                signal = interruption.Signal;
            }

            if (history.Cancelled)
            {
                // Interrupted (Ctrl+C, SIGTERM): the current batch has finished; save where the run stands and say how to go on.
                string directory = checkpointDir ?? TrainCheckpoints.DefaultDirectory;
                SaveCheckpoint(directory);
                string where = state.NextBatch == 0
                    ? $"after epoch {state.CompletedEpochs}"
                    : $"at epoch {state.CompletedEpochs + 1}, batch {state.NextBatch} of {state.BatchesPerEpoch}";
                context.Error.WriteLine($"interrupted{(signal is null ? "" : $" ({signal})")} {where}; checkpoint saved to {checkpointFile}");
                context.Error.WriteLine($"resume with: {TrainCheckpoints.ResumeCommand(directory)}");
                if (asJson)
                {
                    Json.Write(context.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteBoolean("interrupted", true);
                        w.WriteString("signal", signal);
                        TrainCheckpoints.WriteJson(w, directory, checkpointFile, state);
                        WriteEpochs(w, history);
                        w.WriteEndObject();
                    });
                }

                return Task.FromResult(TrainCheckpoints.InterruptedExitCode);
            }

            if (checkpointDir is not null)
            {
                SaveCheckpoint(checkpointDir);
            }

            // --save-best: end with the best epoch's weights (the checkpoint above keeps the last ones, to go on from).
            bool restoredBest = saveBest && state.RestoreBestWeights(network);
            var finalEvaluation = trainer.Evaluate(final);
            if (parseResult.GetValue(save) is { } path)
            {
                var metadata = Metadata(history.Epochs.Count);
                if (restoredBest)
                {
                    metadata = metadata with
                    {
                        Extra = new Dictionary<string, string>(metadata.Extra!) { ["best_epoch"] = state.BestEpoch.ToString(CultureInfo.InvariantCulture) },
                    };
                }

                ModelFile.Save(path, network, metadata);
                if (!asJson)
                {
                    context.Out.WriteLine($"saved {path}");
                }
            }

            var summary = new Summary(data, train, held, test is not null, network, outputActivation, lossFunction, opt, normalization, history, finalEvaluation, Trainer.Scored(final.Targets, final.Task), rows, clipping)
            {
                State = state,
                CheckpointDirectory = checkpointDir,
                CheckpointFile = checkpointFile,
                RestoredBest = restoredBest,
            };
            if (asJson)
            {
                WriteJson(context, summary, advice, diagnostics);
            }
            else
            {
                WriteSummary(context, summary);
                TrainDiagnosticsOutput.WriteTable(context, diagnostics);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static LearningRateSchedule? Schedule(string text, int epochs)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        switch (parts[0])
        {
            case "none" when parts.Length == 1:
                return null;
            case "cosine" when parts.Length == 1:
                return new CosineSchedule(epochs);
            case "step" when parts.Length is 2 or 3
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int every) && every >= 1:
                double gamma = 0.1;
                if (parts.Length == 3 && !(double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out gamma) && gamma > 0 && gamma <= 1))
                {
                    throw new CliUsageException($"--schedule {text}: gamma must be a number in (0, 1]; found '{parts[2]}'.");
                }

                return new StepSchedule(every, gamma);
            default:
                throw new CliUsageException($"--schedule must be none, cosine or step:<epochs>[:<gamma>] (e.g. step:5:0.5); found '{text}'.");
        }
    }

    /// <summary>Everything the summary shows.</summary>
    /// <remarks>FinalScored: what the final loss is a mean over: samples, or the real steps (characters) of a sequence task.</remarks>
    private sealed record Summary(DataSource.Loaded Data, Dataset Train, Dataset? Validation, bool HasTest, Sequential Network, string OutputActivation, Loss Loss, Optimizer Optimizer, Normalization? Normalization, TrainingHistory History, Evaluation Final, long FinalScored, bool Rows, ClipOption.Counts Clipping)
    {
        public bool PerStep => Train.Task == TaskKind.Sequence;

        public required TrainingState State { get; init; }

        public string? CheckpointDirectory { get; init; }

        public string? CheckpointFile { get; init; }

        /// <summary>--save-best put the best epoch's weights back before the final evaluation and the save.</summary>
        public bool RestoredBest { get; init; }
    }

    /// <summary>An image normalisation with one constant (the single channel) as one constant per row of [H, W] samples.</summary>
    private static Normalization PerRow(Normalization images, int rows) => images.Count == 1
        ? new Normalization(Enumerable.Repeat(images.Mean[0], rows).ToArray(), Enumerable.Repeat(images.Std[0], rows).ToArray())
        : throw new CliUsageException($"reading images row by row needs single-channel images; the normalisation has {images.Count} channels.");

    /// <summary>The --normalize rule, fitted on the training split (compare uses "auto").</summary>
    internal static Normalization? Normalize(string mode, DataSource.DataKind kind, Dataset train) => mode.Trim().ToLowerInvariant() switch
    {
        "auto" => kind == DataSource.DataKind.Synthetic ? null : Normalization.FitStandardization(train, perChannel: train.FeatureShape.Rank > 1),
        "standard" => Normalization.FitStandardization(train, perChannel: train.FeatureShape.Rank > 1),
        "minmax" => Normalization.FitMinMax(train, perChannel: train.FeatureShape.Rank > 1),
        "none" => null,
        _ => throw new CliUsageException($"--normalize must be auto, standard, minmax or none; found '{mode}'."),
    };

    /// <summary>The full spec: a preset or hidden spec from --model, or widths and an activation, then the output layer.</summary>
    private static string Spec(string? model, string widths, string activation, int outputs, bool images)
    {
        if (model is not null)
        {
            string hidden = Presets.TryGetValue(model.Trim(), out var preset) ? preset : model;
            return $"{hidden},dense:{outputs}";
        }

        string spec = TaskDefaults.Spec(widths, activation, outputs);
        return images ? "flatten," + spec : spec;
    }

    private static TrainingHistory WithProgress(CliContext context, Trainer trainer, Dataset train, Dataset? held, TrainingState state, CancellationToken cancellation)
    {
        int epochs = state.Epochs;
        var console = context.CreateConsole();
        var clock = new System.Diagnostics.Stopwatch();
        trainer.BatchEnded += b =>
        {
            if (b.Batch == 1)
            {
                clock.Restart();
            }
        };
        if (!console.Profile.Capabilities.Interactive)
        {
            // Not a terminal (a pipe, a log, a test): one line per epoch when epochs are long, else every tenth of the run.
            int every = train.Count >= 10_000 ? 1 : Math.Max(1, epochs / 10);
            trainer.EpochEnded += e =>
            {
                if (e.Epoch % every == 0 || e.Epoch == epochs)
                {
                    console.WriteLine(EpochLine(e, epochs) + $"  {Rate(train.Count, e.Elapsed.TotalSeconds)}  {e.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s");
                }
            };
            return trainer.Fit(train, held, state, cancellation);
        }

        TrainingHistory? history = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn(), new RateColumn())
            .Start(progress =>
            {
                // One bar per epoch, advanced per batch; a finished epoch keeps its line with the validation result.
                // Short descriptions, so that an 80-column terminal still has room for the bar, the ETA and the rate.
                ProgressTask? task = null;
                string width = epochs.ToString(CultureInfo.InvariantCulture);
                string Epoch(int e) => $"{e.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width}";
                trainer.BatchEnded += b =>
                {
                    task ??= progress.AddTask(Epoch(b.Epoch), maxValue: b.BatchesPerEpoch);
                    var line = $"{Epoch(b.Epoch)} loss {F3(b.RunningLoss)}";
                    line += double.IsNaN(b.RunningAccuracy) ? "" : $" acc {F3(b.RunningAccuracy)}";
                    task.Description = Markup.Escape(line);
                    task.State.Update<double>(RateColumn.Key, _ => b.Samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
                    task.Value = b.Batch;
                };
                trainer.EpochEnded += e =>
                {
                    if (task is not null)
                    {
                        var line = $"{Epoch(e.Epoch)} loss {F3(e.Loss)}";
                        line += double.IsNaN(e.Accuracy) ? "" : $" acc {F3(e.Accuracy)}";
                        line += double.IsNaN(e.ValidationAccuracy) ? "" : $" val {F3(e.ValidationAccuracy)}";
                        task.Description = Markup.Escape(line);
                        task.State.Update<double>(RateColumn.Key, _ => train.Count / Math.Max(e.Elapsed.TotalSeconds, 1e-9));
                        task.StopTask();
                    }

                    task = null;
                };
                history = trainer.Fit(train, held, state, cancellation);
            });
        return history!;
    }

    private static string Rate(int samples, double seconds)
        => seconds > 0 ? $"{(samples / seconds).ToString("N0", CultureInfo.InvariantCulture)} samples/s" : "";

    private static string EpochLine(EpochReport e, int epochs)
    {
        var line = $"epoch {e.Epoch}/{epochs}  loss {F(e.Loss)}";
        if (!double.IsNaN(e.Accuracy))
        {
            line += $"  acc {F(e.Accuracy)}";
        }

        if (!double.IsNaN(e.ValidationLoss))
        {
            line += $"  val loss {F(e.ValidationLoss)}";
        }

        if (!double.IsNaN(e.ValidationAccuracy))
        {
            line += $"  val acc {F(e.ValidationAccuracy)}";
        }

        return line;
    }

    /// <summary>
    /// The output activation to apply when predicting. A fused loss (bce_logits, cross_entropy) applies its own
    /// activation, so only that one is consistent; with mse any activation can end the network, and it is then
    /// trained as the last layer (the model's output is already activated).
    /// </summary>
    private static string OutputActivation(Loss loss, string? requested, ref string spec)
    {
        string implied = TaskDefaults.OutputActivation(loss);
        if (requested is null)
        {
            return implied;
        }

        var activation = Nonlinear.Activations.ActivationRegistry.Parse(requested);
        if (loss is MeanSquaredError)
        {
            if (activation.Name != "identity")
            {
                spec += "," + activation.Spec;
            }

            return "identity";
        }

        if (activation.Name != implied)
        {
            throw new CliUsageException($"--loss {loss.Name} applies {implied} to the logits itself, so the output activation must be {implied} (found {activation.Spec}); use --loss mse for another output activation.");
        }

        return implied;
    }

    private static void WriteSummary(CliContext context, Summary r)
    {
        var console = context.CreateConsole();
        var history = r.History;
        var last = history.Epochs.Count > 0 ? history.Last : default;
        var table = new Table().AddColumns("", "");
        table.HideHeaders();
        table.AddRow("data", Markup.Escape($"{r.Data.Description}; {r.Train.Count} train, {r.Validation?.Count ?? 0} validation, {r.Train.Task}"));
        if (r.Rows)
        {
            string values = r.Normalization is { } rn
                ? $"x' = (x - mean) / std, mean {rn.Mean[0].ToString("G4", CultureInfo.InvariantCulture)}, std {rn.Std[0].ToString("G4", CultureInfo.InvariantCulture)} over all pixels (fitted on the training split, saved with the model); "
                : "";
            table.AddRow("inputs", Markup.Escape($"{values}images read row by row: {r.Train.FeatureShape[0]} steps of {r.Train.FeatureShape[1]} pixels"));
        }
        else if (r.Normalization is { } n)
        {
            string per = r.Train.FeatureShape.Rank > 1 ? "per channel" : "per feature";
            string values = n.Count <= 3
                ? ": " + string.Join("; ", Enumerable.Range(0, n.Count).Select(i => $"mean {n.Mean[i].ToString("G4", CultureInfo.InvariantCulture)}, std {n.Std[i].ToString("G4", CultureInfo.InvariantCulture)}"))
                : $" ({n.Count} features)";
            table.AddRow("inputs", Markup.Escape($"x' = (x - mean) / std {per}{values}; fitted on the training split, saved with the model"));
        }

        table.AddRow("model", Markup.Escape($"{r.Network.Spec}  ({r.Network.ParameterCount:N0} parameters)"));
        table.AddRow("output", Markup.Escape($"{r.OutputActivation}, loss {r.Loss.Name}"));
        table.AddRow("optimizer", Markup.Escape(r.Optimizer.ToString() ?? ""));
        table.AddRow("gradient clipping", Markup.Escape(r.Clipping.Describe(r.Optimizer.ClipNorm)));
        string stopped = history.StoppedEarly ? $" (early stopping: no better validation loss for {r.State.Patience} epochs)" : "";
        table.AddRow("epochs", $"{history.Epochs.Count}{(history.Cancelled ? " (cancelled)" : "")}{stopped}");
        if (r.State.BestEpoch > 0 && (r.State.Patience is not null || r.RestoredBest))
        {
            table.AddRow("best epoch", Markup.Escape($"{r.State.BestEpoch} (validation loss {F(r.State.BestValidationLoss)}){(r.RestoredBest ? "; its weights are the final model's" : "")}"));
        }

        if (r.CheckpointDirectory is not null)
        {
            table.AddRow("checkpoint", Markup.Escape($"{r.CheckpointFile}; carry on with: {TrainCheckpoints.ResumeCommand(r.CheckpointDirectory)} --epochs N"));
        }
        // A sequence task's loss is a mean over characters (nats per character), its accuracy a share of characters.
        string metrics = r.PerStep ? "nats/char / char accuracy" : "loss / accuracy";
        table.AddRow($"train {metrics}", $"{F(last.Loss)} / {F(last.Accuracy)}");
        if (r.Validation is not null)
        {
            table.AddRow($"validation {metrics}", $"{F(last.ValidationLoss)} / {F(last.ValidationAccuracy)}");
        }

        string count = r.PerStep ? $"{r.Final.Count:N0} words, {r.FinalScored:N0} chars" : $"{r.Final.Count} samples";
        table.AddRow(r.HasTest ? $"test {metrics} ({count})" : $"all data {metrics}", $"{F(r.Final.Loss)} / {F(r.Final.Accuracy)}");
        table.AddRow("time", $"{history.Epochs.Sum(e => e.Elapsed.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture)} s");
        console.Write(table);
    }

    private static void WriteJson(CliContext context, Summary r, IReadOnlyList<Nonlinear.Diagnostics.Advice>? advice, TrainingDiagnostics? diagnostics)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartObject();
            w.WriteString("data", r.Train.Name);
            w.WriteString("task", r.Train.Task.ToString());
            w.WriteNumber("trainSamples", r.Train.Count);
            w.WriteNumber("validationSamples", r.Validation?.Count ?? 0);
            w.WriteString("model", r.Network.Spec);
            w.WriteNumber("parameters", r.Network.ParameterCount);
            w.WriteString("outputActivation", r.OutputActivation);
            w.WriteString("loss", r.Loss.Name);
            w.WriteString("optimizer", r.Optimizer.ToString());
            ClipOption.WriteJson(w, r.Optimizer.ClipNorm, r.Clipping);
            w.WriteBoolean("normalized", r.Normalization is not null);
            w.WriteBoolean("cancelled", r.History.Cancelled);
            w.WriteBoolean("stoppedEarly", r.History.StoppedEarly);
            if (r.State.BestEpoch > 0)
            {
                w.WriteNumber("bestEpoch", r.State.BestEpoch);
                Json.WriteNumber(w, "bestValidationLoss", r.State.BestValidationLoss);
            }

            w.WriteBoolean("restoredBestWeights", r.RestoredBest);
            TrainCheckpoints.WriteJson(w, r.CheckpointDirectory, r.CheckpointFile, r.State);
            TrainAdvice.WriteJson(w, advice);
            w.WriteString("finalOn", r.HasTest ? "test" : "all");
            w.WriteNumber("finalSamples", r.Final.Count);
            Json.WriteNumber(w, "finalLoss", r.Final.Loss);
            Json.WriteNumber(w, "finalAccuracy", r.Final.Accuracy);
            if (r.PerStep)
            {
                // The same numbers under names that say what they are: losses in nats per character, accuracies per character.
                var last = r.History.Epochs.Count > 0 ? r.History.Last : default;
                w.WriteString("lossUnit", "nats per character");
                w.WriteNumber("finalCharacters", r.FinalScored);
                Json.WriteNumber(w, "finalNatsPerCharacter", r.Final.Loss);
                Json.WriteNumber(w, "finalBitsPerCharacter", r.Final.Loss / Math.Log(2));
                Json.WriteNumber(w, "finalCharacterAccuracy", r.Final.Accuracy);
                Json.WriteNumber(w, "validationNatsPerCharacter", r.Validation is null ? double.NaN : last.ValidationLoss);
                Json.WriteNumber(w, "validationCharacterAccuracy", r.Validation is null ? double.NaN : last.ValidationAccuracy);
            }
            WriteEpochs(w, r.History);
            TrainDiagnosticsOutput.WriteJson(w, diagnostics);
            w.WriteEndObject();
        });
    }

    private static void WriteEpochs(System.Text.Json.Utf8JsonWriter w, TrainingHistory history)
    {
        w.WriteStartArray("epochs");
        foreach (var e in history.Epochs)
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", e.Epoch);
            Json.WriteNumber(w, "loss", e.Loss);
            Json.WriteNumber(w, "accuracy", e.Accuracy);
            Json.WriteNumber(w, "validationLoss", e.ValidationLoss);
            Json.WriteNumber(w, "validationAccuracy", e.ValidationAccuracy);
            Json.WriteNumber(w, "seconds", e.Elapsed.TotalSeconds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string F3(double v) => double.IsNaN(v) ? "-" : v.ToString("F3", CultureInfo.InvariantCulture);

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F4", CultureInfo.InvariantCulture);
}
