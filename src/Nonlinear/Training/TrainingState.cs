using Nonlinear.Models;

namespace Nonlinear.Training;

/// <summary>
/// Where a training run stands, and everything beyond the model and the optimizer that it needs to go on bit for
/// bit: the run's length, batch size and seed, the position (completed epochs, batches done in the current one and
/// that epoch's running sums), the history, and early stopping (best validation loss, its epoch, epochs without
/// improvement, the best weights when kept). <see cref="Trainer.Fit(Data.Dataset, Data.Dataset?, TrainingState, CancellationToken)"/>
/// advances it batch by batch; <see cref="Checkpoint"/> saves and restores it.
/// </summary>
/// <remarks>
/// The shuffle and the augmentation are functions of (seed, epoch, batch) and the learning-rate schedule a function
/// of the epoch, so the position is their whole state; dropout's generator state lives in the model's layers and is
/// saved by <see cref="Checkpoint"/> with the model.
/// </remarks>
public sealed class TrainingState
{
    private readonly List<EpochReport> _history;
    private int _epochs;
    private int? _patience;

    /// <summary>A fresh run of <paramref name="epochs"/> epochs of <paramref name="batchSize"/> samples, shuffled by <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Epochs or batch size below 1.</exception>
    public TrainingState(int epochs, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _epochs = epochs;
        BatchSize = batchSize;
        Seed = seed;

        // Sized for the run up front (up to a bound), so that the epochs of a fit do not grow the list as they go.
        _history = new List<EpochReport>(Math.Min(epochs, 1024));
    }

    /// <summary>The epochs of the whole run; may be raised (or lowered) to resume to a new total.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int Epochs
    {
        get => _epochs;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _epochs = value;
        }
    }

    /// <summary>Samples per mini-batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seeds the shuffle (and, through the caller, everything else the run draws).</summary>
    public int Seed { get; }

    /// <summary>
    /// Early stopping on the validation loss, as Keras' EarlyStopping(monitor="val_loss", patience=N): the run
    /// stops after N epochs in a row without a validation loss strictly below the best so far. Null: never stops early.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public int? Patience
    {
        get => _patience;
        set
        {
            if (value is { } p)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(p, 1);
            }

            _patience = value;
        }
    }

    /// <summary>
    /// Keep a copy of the weights (parameters and layer state) of the epoch with the best validation loss, for
    /// <see cref="RestoreBestWeights"/> (Keras' restore_best_weights / ModelCheckpoint(save_best_only=True)).
    /// </summary>
    public bool KeepBestWeights { get; set; }

    /// <summary>Batches per epoch of the data this run trains on (0 until <see cref="Trainer"/> first sees the data); a resume on other data is refused.</summary>
    public int BatchesPerEpoch { get; internal set; }

    /// <summary>Epochs completed (trained and validated).</summary>
    public int CompletedEpochs { get; internal set; }

    /// <summary>Batches of epoch <see cref="CompletedEpochs"/> + 1 already trained (0 at an epoch boundary).</summary>
    public int NextBatch { get; internal set; }

    /// <summary>The current epoch's running sum of batch losses, each times what the batch averages over.</summary>
    public double LossSum { get; internal set; }

    /// <summary>The current epoch's correct predictions so far.</summary>
    public long Correct { get; internal set; }

    /// <summary>The current epoch's scored samples (or real steps) so far.</summary>
    public long Scored { get; internal set; }

    /// <summary>The current epoch's samples so far.</summary>
    public int Samples { get; internal set; }

    /// <summary>Wall time already spent on the current epoch before an interruption.</summary>
    public TimeSpan PartialElapsed { get; internal set; }

    /// <summary>One report per completed epoch, in order.</summary>
    public IReadOnlyList<EpochReport> History => _history;

    /// <summary>The lowest validation loss so far (+infinity before the first validated epoch).</summary>
    public double BestValidationLoss { get; internal set; } = double.PositiveInfinity;

    /// <summary>The 1-based epoch of <see cref="BestValidationLoss"/> (0 before the first improvement).</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>Epochs in a row without improvement of the validation loss since the best one (Keras' wait).</summary>
    public int EpochsWithoutImprovement { get; internal set; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>Whether the run has nothing left to do: every epoch done, or stopped early.</summary>
    public bool Finished => StoppedEarly || CompletedEpochs >= Epochs;

    /// <summary>
    /// The best epoch's weights when <see cref="KeepBestWeights"/> is set: one array per parameter of the model,
    /// then one per layer-state tensor (running statistics), in the model's order; null before the first improvement.
    /// </summary>
    public IReadOnlyList<float[]>? BestWeights { get; internal set; }

    /// <summary>Copies the best epoch's weights back into <paramref name="model"/>; false (model unchanged) when none were kept.</summary>
    /// <exception cref="ArgumentException">The kept weights do not fit the model.</exception>
    public bool RestoreBestWeights(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (BestWeights is not { } best)
        {
            return false;
        }

        var targets = WeightSpans(model);
        if (targets.Count != best.Count)
        {
            throw new ArgumentException($"The kept best weights have {best.Count} tensors; the model has {targets.Count}.", nameof(model));
        }

        for (int i = 0; i < best.Count; i++)
        {
            if (targets[i].Length != best[i].Length)
            {
                throw new ArgumentException($"Kept tensor {i} has {best[i].Length} values; the model's has {targets[i].Length}.", nameof(model));
            }
        }

        for (int i = 0; i < best.Count; i++)
        {
            best[i].AsSpan().CopyTo(targets[i].Span);
        }

        return true;
    }

    /// <summary>The model's parameters, then its layer state, as the tensors that <see cref="BestWeights"/> copies.</summary>
    internal static List<Tensors.Tensor> WeightSpans(Sequential model)
    {
        var list = new List<Tensors.Tensor>(model.Parameters.Count + model.State.Count);
        list.AddRange(model.Parameters.Select(p => p.Value));
        list.AddRange(model.State.Select(s => s.Value));
        return list;
    }

    /// <summary>Copies the model's current weights into <see cref="BestWeights"/>, reusing its arrays.</summary>
    internal void KeepWeights(Sequential model)
    {
        var sources = WeightSpans(model);
        var best = BestWeights as float[][];
        if (best is null || best.Length != sources.Count)
        {
            best = new float[sources.Count][];
        }

        for (int i = 0; i < sources.Count; i++)
        {
            if (best[i] is null || best[i].Length != sources[i].Length)
            {
                best[i] = new float[sources[i].Length];
            }

            sources[i].Span.CopyTo(best[i]);
        }

        BestWeights = best;
    }

    internal void AddEpoch(EpochReport report) => _history.Add(report);

    /// <summary>The history list itself, shared with the <see cref="TrainingHistory"/> a fit returns (one list: no copy per epoch).</summary>
    internal List<EpochReport> HistoryList => _history;

    /// <summary>Clears the current epoch's position and sums (an epoch boundary).</summary>
    internal void ResetEpoch()
    {
        NextBatch = 0;
        LossSum = 0;
        Correct = 0;
        Scored = 0;
        Samples = 0;
        PartialElapsed = TimeSpan.Zero;
    }

    /// <summary>Sets everything a checkpoint restores (validated by the reader).</summary>
    internal void Restore(int batchesPerEpoch, int completedEpochs, int nextBatch, double lossSum, long correct, long scored, int samples, TimeSpan partialElapsed,
        IEnumerable<EpochReport> history, double bestLoss, int bestEpoch, int wait, bool stoppedEarly, IReadOnlyList<float[]>? bestWeights)
    {
        BatchesPerEpoch = batchesPerEpoch;
        CompletedEpochs = completedEpochs;
        NextBatch = nextBatch;
        LossSum = lossSum;
        Correct = correct;
        Scored = scored;
        Samples = samples;
        PartialElapsed = partialElapsed;
        _history.Clear();
        _history.AddRange(history);
        BestValidationLoss = bestLoss;
        BestEpoch = bestEpoch;
        EpochsWithoutImprovement = wait;
        StoppedEarly = stoppedEarly;
        BestWeights = bestWeights;
    }
}
