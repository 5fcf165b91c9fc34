namespace Nonlinear.Layers;

/// <summary>
/// How a layer's initial weights are drawn; the variance is chosen so that signals keep their scale through
/// the activation that follows. Biases start at zero.
/// </summary>
public enum Initializer
{
    /// <summary>Chosen from the activation that follows the layer (He, Glorot or LeCun; see <see cref="Initialization.For"/>).</summary>
    Auto,

    /// <summary>He (Kaiming) normal: std = sqrt(2 / fan_in). For the ReLU family, which zeroes half the signal.</summary>
    He,

    /// <summary>Glorot (Xavier) uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). For tanh, sigmoid, identity.</summary>
    Glorot,

    /// <summary>LeCun normal: std = sqrt(1 / fan_in). For SELU (self-normalising networks).</summary>
    LeCun,
}
