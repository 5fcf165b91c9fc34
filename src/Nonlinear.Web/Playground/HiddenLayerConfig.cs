namespace Nonlinear.Web.Playground;

/// <summary>One hidden layer of a playground network: dense units, then batch norm, the activation and dropout if asked.</summary>
public sealed record HiddenLayerConfig
{
    /// <summary>Neurons (1 to the server's cap, 8 by default).</summary>
    public int Units { get; init; } = 4;

    /// <summary>This layer's activation spec (e.g. "relu", "leaky_relu:0.1"); null: the config's default activation.</summary>
    public string? Activation { get; init; }

    /// <summary>Dropout rate after the activation, in [0, 0.9]; 0 for none.</summary>
    public double Dropout { get; init; }

    /// <summary>Batch normalisation between the dense layer and the activation.</summary>
    public bool BatchNorm { get; init; }
}
