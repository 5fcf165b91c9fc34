using Nonlinear.Tensors;

namespace Nonlinear.Losses;

/// <summary>
/// Binary cross-entropy on logits, fused with the sigmoid:
/// L = (1/M) sum_i [max(z_i, 0) - z_i t_i + ln(1 + e^(-|z_i|))] over all M elements.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: logits z any shape [N, ...] (one logit per independent yes/no label); targets t the same number of
/// elements, each in [0, 1] (hard 0/1 labels or soft probabilities). Gradient: dL/dz_i = (sigmoid(z_i) - t_i) / M.
/// Matches PyTorch's <c>torch.nn.functional.binary_cross_entropy_with_logits(z, t)</c> (reduction "mean").
/// </para>
/// <para>
/// The formula is the same as -t ln sigmoid(z) - (1 - t) ln(1 - sigmoid(z)) but never exponentiates a positive
/// number, so it is finite for every finite logit: z = 1e4 with t = 0 gives 1e4, not inf.
/// </para>
/// </remarks>
public sealed class BinaryCrossEntropyWithLogits : Loss
{
    /// <summary>"bce_logits".</summary>
    public override string Name => "bce_logits";

    /// <inheritdoc/>
    protected override double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient)
    {
        if (targets.Length != predictions.Length)
        {
            throw new ArgumentException(
                $"bce_logits: the targets must have the logits' {predictions.Length} elements (shape {predictions.Shape}); found shape {targets.Shape} with {targets.Length}.",
                nameof(targets));
        }

        ReadOnlySpan<float> z = predictions.Span;
        ReadOnlySpan<float> t = targets.Span;
        for (int i = 0; i < t.Length; i++)
        {
            // Written so that NaN fails the test too.
            if (!(t[i] >= 0 && t[i] <= 1))
            {
                throw new ArgumentException($"bce_logits: targets must lie in [0, 1]; element {i} is {t[i]}.", nameof(targets));
            }
        }

        Span<float> g = gradient.Span;
        double scale = 1.0 / z.Length;
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double zi = z[i];
            double e = Math.Exp(-Math.Abs(zi));
            sum += Math.Max(zi, 0) - (zi * t[i]) + Log1P(e);

            // sigmoid from e^(-|z|) <= 1 in both branches: no overflow, and no 1 - (tiny) cancellation for z << 0.
            double sigmoid = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
            g[i] = (float)((sigmoid - t[i]) * scale);
        }

        return sum * scale;
    }

    /// <summary>ln(1 + x) for x in [0, 1], accurate also when 1 + x rounds (x below 1e-16 would give 0 naively).</summary>
    private static double Log1P(double x)
    {
        double u = 1 + x;

        // Goldberg's trick: ln(u) / (u - 1) is smooth, so evaluating it at the rounded u and multiplying by the
        // exact x cancels the rounding of 1 + x.
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }
}
