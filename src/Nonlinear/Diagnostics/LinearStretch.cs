namespace Nonlinear.Diagnostics;

/// <summary>
/// A run of consecutive linear layers (dense layers and identity activations) between non-linearities.
/// Two or more dense layers in one stretch collapse: they compute one affine map, [Outputs, Inputs].
/// </summary>
/// <param name="FirstLayer">1-based index of the first layer of the stretch.</param>
/// <param name="LastLayer">1-based index of the last layer.</param>
/// <param name="DenseLayers">How many dense layers the stretch holds.</param>
/// <param name="Inputs">Inputs of the equivalent map.</param>
/// <param name="Outputs">Outputs of the equivalent map.</param>
/// <param name="Map">The equivalent map (null for an unbuilt model).</param>
public sealed record LinearStretch(int FirstLayer, int LastLayer, int DenseLayers, int Inputs, int Outputs, AffineMap? Map)
{
    /// <summary>Whether the stretch has redundant depth (two or more dense layers computing one map).</summary>
    public bool Collapses => DenseLayers >= 2;

    /// <summary>The shape of the equivalent map, "[outputs, inputs]".</summary>
    public string Shape => $"[{Outputs}, {Inputs}]";
}
