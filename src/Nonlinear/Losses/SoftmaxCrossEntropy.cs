using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Activations;
using Nonlinear.Tensors;

namespace Nonlinear.Losses;

/// <summary>
/// Softmax cross-entropy on logits, fused with the softmax:
/// L = -(1/N) sum_n sum_k t_nk log_softmax(z_n)_k, with log_softmax(z)_k = z_k - ln sum_j e^(z_j).
/// </summary>
/// <remarks>
/// <para>
/// Shapes: logits z [N, K] (N samples, K classes). Targets either [N], the class index of each row (a float
/// holding an integer in [0, K), so that L = -(1/N) sum_n log_softmax(z_n)_(label n)), or [N, K], one-hot or
/// probability rows (non-negative; not required to sum to 1, as in PyTorch). Gradient:
/// dL/dz_nk = (softmax(z_n)_k - t_nk) / N. Matches PyTorch's <c>torch.nn.functional.cross_entropy(z, t)</c>
/// (reduction "mean", no label smoothing or class weights) for both target forms.
/// </para>
/// <para>
/// Stable for any finite logits (e.g. 1e4): the log-probabilities come from <see cref="LogSoftmax"/>'s
/// log-sum-exp, never from ln(softmax), which underflows to ln 0 = -inf. Terms with t_nk = 0 are skipped rather
/// than multiplied, so a -inf logit in a class with zero target weight contributes 0, not 0 * -inf = NaN.
/// </para>
/// </remarks>
public sealed class SoftmaxCrossEntropy : Loss
{
    private readonly LogSoftmax _logSoftmax = new();
    private readonly Softmax _softmax = new();

    /// <summary>"cross_entropy".</summary>
    public override string Name => "cross_entropy";

    /// <inheritdoc/>
    protected override double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient)
    {
        if (predictions.Rank != 2)
        {
            throw new ArgumentException($"cross_entropy: logits must be [N, K]; found {predictions.Shape}.", nameof(predictions));
        }

        int rows = predictions.Shape[0];
        int classes = predictions.Shape[1];
        bool indices = targets.Rank == 1 && targets.Length == rows;
        if (!indices && targets.Shape != predictions.Shape)
        {
            throw new ArgumentException(
                $"cross_entropy: targets must be class indices [{rows}] or probability rows {predictions.Shape} for logits {predictions.Shape}; found {targets.Shape}.",
                nameof(targets));
        }

        ReadOnlySpan<float> t = targets.Span;
        if (indices)
        {
            for (int n = 0; n < rows; n++)
            {
                float label = t[n];
                if (!(label >= 0 && label < classes && label == MathF.Floor(label)))
                {
                    throw new ArgumentException(
                        $"cross_entropy: row {n} has label {label}; class indices must be integers in [0, {classes}).",
                        nameof(targets));
                }
            }
        }
        else
        {
            for (int i = 0; i < t.Length; i++)
            {
                if (!(t[i] >= 0 && float.IsFinite(t[i])))
                {
                    throw new ArgumentException(
                        $"cross_entropy: target probabilities must be finite and non-negative; row {i / classes}, class {i % classes} is {t[i]}.",
                        nameof(targets));
                }
            }
        }

        // The gradient tensor holds the log-probabilities first (so no buffer of our own is needed), then is
        // overwritten by the softmax. Both come from the logits, not one from the other: e^(log p) would
        // magnify log p's rounding by |log p|.
        Span<float> g = gradient.Span;
        _logSoftmax.Forward(predictions.Span, g, classes);
        double sum = 0;
        if (indices)
        {
            for (int n = 0; n < rows; n++)
            {
                sum -= g[(n * classes) + (int)t[n]];
            }
        }
        else
        {
            for (int i = 0; i < g.Length; i++)
            {
                if (t[i] != 0)
                {
                    sum -= (double)t[i] * g[i];
                }
            }
        }

        _softmax.Forward(predictions.Span, g, classes);

        // Dividing by N (not multiplying by a rounded 1/N) rounds the gradient once.
        if (indices)
        {
            for (int n = 0; n < rows; n++)
            {
                g[(n * classes) + (int)t[n]] -= 1;
            }

            TensorPrimitives.Divide(g, rows, g);
        }
        else
        {
            TensorPrimitives.Subtract(g, t, g);
            TensorPrimitives.Divide(g, rows, g);
        }

        return sum / rows;
    }
}
