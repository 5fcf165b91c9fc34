namespace Nonlinear.Web.Images;

/// <summary>
/// The settings of an image session (docs/web-api.md, "Images"): which network, its hidden activation, and how it
/// is trained. The data is fixed: the Fashion-MNIST subset.
/// </summary>
public sealed record ImageConfig
{
    /// <summary>"mlp" (two dense hidden layers) or "cnn" (two convolution blocks and a dense layer); see <see cref="ImageModels"/>.</summary>
    public string Model { get; init; } = "mlp";

    /// <summary>The hidden activation (any elementwise catalog spec).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>"sgd", "momentum" (0.9) or "adam".</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The optimizer's learning rate, in (0, 10].</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>Images per mini-batch, 1-256.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds the weights and the shuffling.</summary>
    public int Seed { get; init; } = 1;
}
