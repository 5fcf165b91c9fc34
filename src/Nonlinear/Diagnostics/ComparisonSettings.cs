namespace Nonlinear.Diagnostics;

/// <summary>How <see cref="ActivationComparison"/> trains each model: the same for every activation.</summary>
public sealed record ComparisonSettings
{
    /// <summary>Hidden layer widths, comma-separated (e.g. "64,64"); each is followed by the activation compared.</summary>
    public string HiddenWidths { get; init; } = "64,64";

    /// <summary>Epochs per run.</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Optimizer name (see <see cref="Optimizers.Optimizer.Create"/>).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>The gradient clipping norm (see <see cref="Optimizers.Optimizer.ClipNorm"/>); null (the default) for none.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Seeds: one run per activation and seed (weights and shuffling).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>The test accuracy whose first epoch is reported as "epochs to target".</summary>
    public double TargetAccuracy { get; init; } = 0.9;

    /// <summary>Whether to attach <see cref="TrainingDiagnostics"/> (dead share, gradient ratio per epoch).</summary>
    public bool Diagnostics { get; init; } = true;
}
