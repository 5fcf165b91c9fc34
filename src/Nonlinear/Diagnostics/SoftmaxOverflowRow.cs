namespace Nonlinear.Diagnostics;

/// <summary>One logit scale of the softmax-overflow experiment.</summary>
/// <param name="Scale">The logits are Scale × (1, 0, -1).</param>
/// <param name="Logits">The float32 logits.</param>
/// <param name="Naive">exp(x_i) / sum_j exp(x_j) in float32, as written: NaN once exp overflows (scale above about 88.7).</param>
/// <param name="Stable">The library's softmax (the row maximum subtracted first), float32.</param>
/// <param name="Truth">The exact softmax of the same float32 logits, computed in float64.</param>
public sealed record SoftmaxOverflowRow(
    double Scale,
    IReadOnlyList<float> Logits,
    IReadOnlyList<float> Naive,
    IReadOnlyList<float> Stable,
    IReadOnlyList<double> Truth)
{
    /// <summary>Whether the naive result has a NaN or an infinity.</summary>
    public bool NaiveFails => Naive.Any(p => !float.IsFinite(p));

    /// <summary>Largest |Stable - Truth| over the entries.</summary>
    public double StableError => Stable.Zip(Truth, (s, t) => Math.Abs(s - t)).Max();
}
