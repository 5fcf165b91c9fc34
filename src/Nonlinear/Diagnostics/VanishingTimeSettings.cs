namespace Nonlinear.Diagnostics;

/// <summary>How <see cref="VanishingTimeExperiment"/> builds and trains each model: the same for both cells and every length.</summary>
public sealed record VanishingTimeSettings
{
    /// <summary>The sequence lengths T of the default table.</summary>
    public static IReadOnlyList<int> DefaultLengths { get; } = [10, 25, 50, 100, 200];

    /// <summary>The lengths of the quick run.</summary>
    public static IReadOnlyList<int> QuickLengths { get; } = [10, 25, 50];

    /// <summary>The sequence lengths T.</summary>
    public IReadOnlyList<int> Lengths { get; init; } = DefaultLengths;

    /// <summary>H, the hidden units of each cell (followed by dense:symbols).</summary>
    public int Hidden { get; init; } = 32;

    /// <summary>The symbols to remember, one of which starts each sequence: the classes (chance accuracy 1 / Symbols).</summary>
    public int Symbols { get; init; } = 4;

    /// <summary>
    /// The distractor symbols filling steps 2..T, drawn uniformly (1: the same blank symbol at every step, so the only
    /// difficulty is carrying the first symbol across the gap).
    /// </summary>
    public int NoiseSymbols { get; init; } = 1;

    /// <summary>The most optimizer steps per run (one fresh batch each); a run stops earlier once its batches are solved.</summary>
    public int MaxUpdates { get; init; } = 1000;

    /// <summary>Sequences per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.0005;

    /// <summary>
    /// The LSTM's initial forget-gate bias (bias_ih of the f gate; bias_hh's f part is set to 0). 4 opens the gate
    /// (σ(4) ≈ 0.98) so that the cell can carry a state across 200 steps from the start, in the spirit of Gers et al.
    /// (2000) and Jozefowicz et al. (2015), who recommend opening it (Keras uses 1; at 2 the LSTM learned T = 50 but
    /// not 100 or 200 here); NaN keeps PyTorch's initialisation (uniform ±1/√H, so σ(f) ≈ 0.5 and the cell path
    /// halves the gradient at every step, like the RNN).
    /// </summary>
    public double ForgetBias { get; init; } = 4;

    /// <summary>Gradient clipping by global norm (<see cref="Optimizers.Optimizer.ClipNorm"/>) for both cells; null for none.</summary>
    public double? ClipNorm { get; init; } = 1;

    /// <summary>Held-out sequences for the accuracy.</summary>
    public int TestSamples { get; init; } = 512;

    /// <summary>Test sequences over which the per-step gradient norm is averaged.</summary>
    public int GradientSamples { get; init; } = 128;

    /// <summary>Seed of the data, the weights and the batch order (the same for both cells).</summary>
    public int Seed { get; init; } = 1;
}
