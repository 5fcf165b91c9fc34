namespace Nonlinear.Diagnostics;

/// <summary>Where the diagnostics first saw a NaN or an infinity.</summary>
/// <param name="Epoch">1-based epoch (counted by the diagnostics, across Fit calls).</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="LayerIndex">0-based index of the layer; -1 when only the loss was not finite.</param>
/// <param name="Spec">The layer's spec token ("loss" when only the loss was not finite).</param>
/// <param name="What">"output" (the layer's output) or "weight gradient".</param>
public sealed record NonFiniteLocation(int Epoch, int Batch, int LayerIndex, string Spec, string What)
{
    /// <summary>"epoch 3, batch 17, layer 4 (relu) output": layers counted from 1, like the CLI's messages.</summary>
    public override string ToString() => LayerIndex < 0
        ? $"epoch {Epoch}, batch {Batch}, the loss (every layer output finite)"
        : $"epoch {Epoch}, batch {Batch}, layer {LayerIndex + 1} ({Spec}) {What}";
}
