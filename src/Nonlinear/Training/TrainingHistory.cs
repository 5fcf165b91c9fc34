namespace Nonlinear.Training;

/// <summary>The epochs of a run that a <see cref="Trainer.Fit(Nonlinear.Data.Dataset, int, int, int, Nonlinear.Data.Dataset?, CancellationToken)"/> call trained (with a resumed <see cref="TrainingState"/>, the epochs before the resume too), and whether it was cancelled or stopped early.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochReport> _epochs;

    /// <summary>An empty history.</summary>
    public TrainingHistory()
    {
        _epochs = [];
    }

    /// <summary>A history that shows <paramref name="epochs"/> (a run's own list, which it keeps adding to).</summary>
    internal TrainingHistory(List<EpochReport> epochs)
    {
        _epochs = epochs;
    }

    /// <summary>One report per completed epoch.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>True when cancellation stopped training before the last epoch.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>True when early stopping (<see cref="TrainingState.Patience"/>) ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>The last completed epoch (throws if none completed).</summary>
    public EpochReport Last => _epochs.Count > 0 ? _epochs[^1] : throw new InvalidOperationException("No epoch completed.");

    internal void Add(EpochReport report) => _epochs.Add(report);
}
