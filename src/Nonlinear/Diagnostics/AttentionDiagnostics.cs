namespace Nonlinear.Diagnostics;

/// <summary>What the diagnostics saw inside one attention layer (attention, or a transformer block's) during an epoch.</summary>
/// <param name="HeadEntropy">
/// Per head, the mean entropy in nats of the attention rows (each row: the weights one position gives to the
/// positions it sees, −Σ p ln p), over the rows, samples and batches sampled. 0 is one-hot attention (the softmax
/// saturated: its gradient vanishes); <paramref name="UniformEntropy"/> is attention spread evenly.
/// </param>
/// <param name="UniformEntropy">
/// The entropy of uniform rows, for reference: ln T, or with a causal mask the mean of ln(t + 1) over the rows
/// (row t sees t + 1 positions).
/// </param>
/// <param name="Steps">T, the sequence length.</param>
public sealed record AttentionDiagnostics(IReadOnlyList<double> HeadEntropy, double UniformEntropy, int Steps)
{
    /// <summary>ln T, the largest entropy a row of T weights can have.</summary>
    public double MaxEntropy => Math.Log(Steps);
}
