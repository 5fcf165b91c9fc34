using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;

namespace Nonlinear.Training;

/// <summary>
/// Everything a training run needs to go on bit for bit after an interruption: the model (as a model file, with
/// layer state such as running statistics), the optimizer's state (Adam's moments and per-parameter step count,
/// SGD's momentum buffers, the step count, learning rate and clipping norm), dropout's generator states, the
/// position (epoch, batch, the epoch's running sums), the history, early stopping (best validation loss, patience
/// counter, best weights) and the run's settings. One binary file, laid out in docs/checkpoints.md.
/// </summary>
/// <remarks>
/// <para>
/// Saving to a path is atomic: the bytes go to a temporary file in the same directory, which is flushed to disk
/// (fsync) and then renamed over the target, so a crash or a SIGKILL at any moment leaves the previous checkpoint
/// or the new one, never a torn file. The file ends with a SHA-256 of everything before it.
/// </para>
/// <para>
/// Loading checks the lengths against the file and the checksum before it parses anything, the whole header
/// before it allocates tensor memory (every array is as long as bytes that are really there), and the embedded
/// model with <see cref="ModelFile"/>'s own reader: whatever is wrong surfaces as one
/// <see cref="ModelFileException"/> that names the file and the problem.
/// </para>
/// <para>
/// The shuffle, the augmentation and the learning-rate schedule are functions of (seed, epoch, batch), so the
/// position restores them; no <see cref="Random"/> is kept across batches during training.
/// </para>
/// </remarks>
/// <example><code>
/// var state = new TrainingState(epochs: 40, batchSize: 32, seed: 1);
/// trainer.Fit(train, validation, state, cancellation);            // Ctrl+C: stops after the current batch
/// Checkpoint.Save("run/checkpoint.nlc", model, metadata, optimizer, state);
/// var checkpoint = Checkpoint.Load("run/checkpoint.nlc");
/// checkpoint.RestoreOptimizer(optimizer);                        // an optimizer of the same kind and settings
/// new Trainer(checkpoint.Model.Model, loss, optimizer).Fit(train, validation, checkpoint.State);
/// </code></example>
public sealed class Checkpoint
{
    /// <summary>The file a checkpoint directory holds: <c>checkpoint.nlc</c>.</summary>
    public const string FileName = "checkpoint.nlc";

    /// <summary>The value of the header's <c>format</c> field.</summary>
    public const string FormatName = "nonlinear-checkpoint";

    /// <summary>The format version this library writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest JSON header a checkpoint may declare (16 MiB).</summary>
    public const int MaxHeaderBytes = 16 << 20;

    internal Checkpoint(SavedModel model, TrainingState state, IReadOnlyDictionary<string, string> settings, string optimizerType,
        string optimizerDescription, int optimizerSteps, double learningRate, double? clipNorm, IReadOnlyList<string> bufferNames,
        (int Step, float[][] Buffers)?[] parameterStates)
    {
        Model = model;
        State = state;
        Settings = settings;
        OptimizerType = optimizerType;
        OptimizerDescription = optimizerDescription;
        OptimizerSteps = optimizerSteps;
        LearningRate = learningRate;
        ClipNorm = clipNorm;
        BufferNames = bufferNames;
        ParameterStates = parameterStates;
    }

    /// <summary>The model with its weights and layer state at the checkpoint, dropout generators included, and its metadata.</summary>
    public SavedModel Model { get; }

    /// <summary>The run's position, history and early-stopping state: pass it to <see cref="Trainer.Fit(Data.Dataset, Data.Dataset?, TrainingState, CancellationToken)"/>.</summary>
    public TrainingState State { get; }

    /// <summary>The settings that define the run (for the CLI: its options), as saved.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The optimizer's class name, e.g. "Adam", "AdamW" or "Sgd".</summary>
    public string OptimizerType { get; }

    /// <summary>The optimizer as it described itself when saved, e.g. "adam(lr=0.001, betas=(0.9, 0.999), eps=1E-08, weight_decay=0)".</summary>
    public string OptimizerDescription { get; }

    /// <summary>The optimizer's <see cref="Optimizer.Steps"/> at the checkpoint.</summary>
    public int OptimizerSteps { get; }

    /// <summary>The optimizer's learning rate at the checkpoint.</summary>
    public double LearningRate { get; }

    /// <summary>The optimizer's clipping norm at the checkpoint (null: none).</summary>
    public double? ClipNorm { get; }

    internal IReadOnlyList<string> BufferNames { get; }

    internal (int Step, float[][] Buffers)?[] ParameterStates { get; }

    /// <summary>The checkpoint file in <paramref name="directory"/>.</summary>
    public static string PathIn(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return Path.Combine(directory, FileName);
    }

    /// <summary>
    /// Writes a checkpoint of a run to <paramref name="path"/>, atomically (temporary file, fsync, rename); a path
    /// that is a directory gets <see cref="FileName"/> inside it. Stale temporary files of earlier interrupted saves
    /// of the same path are removed.
    /// </summary>
    /// <param name="path">The checkpoint file, or the directory to hold it (which must exist).</param>
    /// <param name="model">The model being trained (its parameters are the optimizer's, in order).</param>
    /// <param name="metadata">What the model is for (task, output activation, loss...), saved with it.</param>
    /// <param name="optimizer">The optimizer training it.</param>
    /// <param name="state">The run's state, as <see cref="Trainer.Fit(Data.Dataset, Data.Dataset?, TrainingState, CancellationToken)"/> left it.</param>
    /// <param name="settings">Whatever else defines the run (e.g. command-line options); null for none.</param>
    /// <returns>The full path of the file written.</returns>
    /// <exception cref="ArgumentException">The model is not built, a weight is not finite, or the metadata does not fit it.</exception>
    /// <exception cref="ModelFileException">The file cannot be written; the previous checkpoint, if any, is untouched.</exception>
    public static string Save(string path, Sequential model, ModelMetadata metadata, Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return CheckpointWriter.SaveFile(path, model, metadata, optimizer, state, settings);
    }

    /// <summary>Writes a checkpoint to <paramref name="stream"/> at its position (not atomic: prefer the path overload for files).</summary>
    /// <exception cref="ArgumentException">The model is not built, a weight is not finite, or the metadata does not fit it.</exception>
    public static void Save(Stream stream, Sequential model, ModelMetadata metadata, Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckpointWriter.Write(stream, model, metadata, optimizer, state, settings);
    }

    /// <summary>Reads a checkpoint file, or the <see cref="FileName"/> in a directory.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, truncated, corrupted, or not a checkpoint; the message says which.</exception>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = Directory.Exists(path) ? PathIn(path) : path;
        using var stream = ModelFileIO.OpenRead(file, Directory.Exists(path) ? "no checkpoint in this directory" : "no such file");
        return CheckpointReader.Read(stream, file);
    }

    /// <summary>Reads a checkpoint from a seekable <paramref name="stream"/>, from its position to its end.</summary>
    /// <param name="stream">A readable, seekable stream (the lengths and the checksum are checked before anything is parsed).</param>
    /// <param name="name">What error messages call the source (default "&lt;stream&gt;").</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    /// <exception cref="ModelFileException">The bytes are truncated, corrupted, or not a checkpoint.</exception>
    public static Checkpoint Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("Loading a checkpoint needs a readable, seekable stream (copy it into a MemoryStream or a file first).", nameof(stream));
        }

        return CheckpointReader.Read(stream, name ?? "<stream>");
    }

    /// <summary>
    /// Puts the saved optimizer state into <paramref name="optimizer"/> for the parameters of <see cref="Model"/>:
    /// per-parameter buffers and step counts, <see cref="Optimizer.Steps"/>, the learning rate and the clipping
    /// norm. The optimizer must be of the same kind, created with the same settings (they are not all saved).
    /// </summary>
    /// <exception cref="ArgumentException">The optimizer is of another kind (or keeps other buffers) than the saved one.</exception>
    public void RestoreOptimizer(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer.GetType().Name != OptimizerType || !optimizer.StateBufferNames.SequenceEqual(BufferNames))
        {
            throw new ArgumentException($"The checkpoint holds the state of {OptimizerDescription} ({OptimizerType}); this optimizer is {optimizer}.", nameof(optimizer));
        }

        var parameters = Model.Model.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (ParameterStates[i] is { } s)
            {
                optimizer.SetParameterState(parameters[i], s.Step, s.Buffers);
            }
        }

        optimizer.RestoreSteps(OptimizerSteps);
        optimizer.LearningRate = LearningRate;
        optimizer.ClipNorm = ClipNorm;
    }

    /// <summary>The dropout layers of a model, in layer order (their generator states are saved in this order).</summary>
    internal static List<Dropout> DropoutLayers(Sequential model) => model.Layers.OfType<Dropout>().ToList();
}
