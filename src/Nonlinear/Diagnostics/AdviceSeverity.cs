namespace Nonlinear.Diagnostics;

/// <summary>How much a piece of <see cref="Advice"/> matters, from a note to a model that cannot train as meant.</summary>
public enum AdviceSeverity
{
    /// <summary>Worth knowing; the model trains as intended (e.g. Leaky ReLU with alpha 0, which is plain ReLU).</summary>
    Info,

    /// <summary>Likely to train badly or waste capacity (e.g. two dense layers with nothing between them).</summary>
    Warning,

    /// <summary>Contradictory or broken setup: the model cannot learn what was asked (e.g. softmax before binary cross-entropy).</summary>
    Error,
}
