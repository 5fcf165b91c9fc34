namespace Nonlinear.Diagnostics;

/// <summary>One activation's row of the vanishing-gradient experiment (everything a table or a plot needs).</summary>
/// <param name="Activation">The hidden activation, e.g. "sigmoid".</param>
/// <param name="Spec">The model measured.</param>
/// <param name="Initialization">The initialisation the model builder chose for it ("Glorot", "He", "LeCun").</param>
/// <param name="Layers">Weight-gradient norm of every dense layer, from the first (input side) to the output layer.</param>
/// <param name="Ratio">First layer's norm over the last one's: far below 1 means vanishing gradients.</param>
/// <param name="Loss">The loss of the batch.</param>
public sealed record VanishingGradientResult(
    string Activation,
    string Spec,
    string Initialization,
    IReadOnlyList<LayerGradientNorm> Layers,
    double Ratio,
    double Loss);
