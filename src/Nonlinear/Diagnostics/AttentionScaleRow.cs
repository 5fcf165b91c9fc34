namespace Nonlinear.Diagnostics;

/// <summary>One head width d, with or without the 1/√d scaling, in the attention-scale experiment.</summary>
/// <param name="Dimension">d: the model width, equal to the head width d_k (one head).</param>
/// <param name="Scaled">Whether the scores were divided by √d (the standard) or not.</param>
/// <param name="ScoreStd">
/// Standard deviation of the softmax inputs S = q·k (÷ √d when scaled) of the first sequence, computed in float64 from
/// the layer's weights: about √d unscaled with unit-variance queries and keys, about 1 scaled.
/// </param>
/// <param name="Entropy">Mean entropy of the attention rows, in nats: ln T for uniform rows, 0 for one-hot rows.</param>
/// <param name="MaxWeight">Mean over the rows of the largest attention weight: 1/T uniform, 1 one-hot.</param>
/// <param name="OneHotShare">Share of the rows whose largest weight exceeds 0.99.</param>
/// <param name="GradientRatio">
/// ‖dL/dS‖ / ‖dL/dP‖: the gradient that passes back through the softmax, for an upstream gradient dL/dP with
/// independent standard-normal entries (its expected square is the mean squared Frobenius norm of the softmax's
/// Jacobian per row, over T). Near 0 when the rows are one-hot: the softmax has saturated.
/// </param>
/// <param name="MedianGradientRatio">
/// The median over the rows of the same ratio taken row by row: the typical row (the mean of
/// <paramref name="GradientRatio"/> is carried by the rows that have not saturated yet).
/// </param>
public sealed record AttentionScaleRow(
    int Dimension,
    bool Scaled,
    double ScoreStd,
    double Entropy,
    double MaxWeight,
    double OneHotShare,
    double GradientRatio,
    double MedianGradientRatio);
