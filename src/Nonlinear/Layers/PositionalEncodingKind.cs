namespace Nonlinear.Layers;

/// <summary>Where <see cref="PositionalEncoding"/>'s position vectors come from.</summary>
public enum PositionalEncodingKind
{
    /// <summary>A learned vector per position, parameter "weight" [T, D] starting from N(0, 0.02²) (spec <c>positions:learned</c>).</summary>
    Learned,

    /// <summary>Fixed sines and cosines of geometrically spaced frequencies, no parameters (spec <c>positions:sinusoidal</c>).</summary>
    Sinusoidal,
}
