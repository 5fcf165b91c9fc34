using Nonlinear.Tensors;

namespace Nonlinear.Losses;

/// <summary>Mean squared error: L = (1/M) sum_i (p_i - t_i)^2 over all M elements.</summary>
/// <remarks>
/// Shapes: predictions any shape [N, ...]; targets the same number of elements (e.g. [N] against [N, 1] is
/// accepted: the elements are paired in row-major order, never broadcast). Gradient: dL/dp_i = 2 (p_i - t_i) / M.
/// Matches PyTorch's <c>torch.nn.functional.mse_loss(p, t)</c> (reduction "mean") for equal shapes.
/// </remarks>
public sealed class MeanSquaredError : Loss
{
    /// <summary>"mse".</summary>
    public override string Name => "mse";

    /// <inheritdoc/>
    protected override double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient)
    {
        if (targets.Length != predictions.Length)
        {
            throw new ArgumentException(
                $"mse: the targets must have the predictions' {predictions.Length} elements (shape {predictions.Shape}); found shape {targets.Shape} with {targets.Length}.",
                nameof(targets));
        }

        ReadOnlySpan<float> p = predictions.Span;
        ReadOnlySpan<float> t = targets.Span;
        Span<float> g = gradient.Span;
        double scale = 2.0 / p.Length;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            // The difference of two floats is exact in double, so only the square and the sum round.
            double d = (double)p[i] - t[i];
            sum += d * d;
            g[i] = (float)(scale * d);
        }

        return sum / p.Length;
    }
}
