namespace Nonlinear.Diagnostics;

/// <summary>How often one gate of a recurrent layer sat at the ends of its range during an epoch.</summary>
/// <param name="Gate">The gate's name (LSTM i, f, g, o; GRU r, z, n; RNN h, the state).</param>
/// <param name="Activation">The activation producing the gate ("sigmoid", "tanh", or the RNN's own).</param>
/// <param name="Share">
/// The share of the gate's values within <see cref="DiagnosticsThresholds.GateSaturation"/> of its range's ends
/// (sigmoid: below 0.01 or above 0.99; tanh: beyond ±0.98), over every step, sample and unit of the batches
/// sampled; NaN for an unbounded activation (relu), which cannot saturate.
/// </param>
public sealed record GateSaturation(string Gate, string Activation, double Share);
