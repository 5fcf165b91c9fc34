using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Activations;
using Nonlinear.Tensors;

namespace Nonlinear.Losses;

/// <summary>
/// Softmax cross-entropy at every step of padded sequences, ignoring the padding: the mean over the real steps of
/// -log_softmax(z_nt)_(target nt). For next-character prediction it is the loss in nats per character.
/// </summary>
/// <remarks>
/// <para>
/// Shapes: logits z [N, T, K] (N sequences, T steps, K symbols); targets [N, T], each the symbol index of the
/// step (an integer in [0, K)) or <see cref="IgnoreIndex"/> (-1) on padded steps (as
/// <see cref="Data.Sequences.WordBatch.Targets"/> holds them). With M the number of real steps in the batch,
/// L = -(1/M) sum over real (n, t) of log_softmax(z_nt)_(target nt), and dL/dz_ntk = (softmax(z_nt)_k - [k = target nt]) / M on
/// real steps, 0 on padded ones. Matches PyTorch's
/// <c>F.cross_entropy(z.reshape(-1, K), t.reshape(-1), ignore_index=-1)</c> (reduction "mean": every character
/// weighs the same, so long words weigh more than short ones).
/// </para>
/// <para>
/// Padded steps get a zero gradient, so whatever a model computes there (a recurrent layer running on past the end
/// of a word) has no effect on training. Stable for any finite logits (log-sum-exp, as <see cref="SoftmaxCrossEntropy"/>).
/// </para>
/// </remarks>
public sealed class SequenceCrossEntropy : Loss
{
    /// <summary>The target of a padded step, ignored by the loss.</summary>
    public const int IgnoreIndex = -1;

    private readonly LogSoftmax _logSoftmax = new();
    private readonly Softmax _softmax = new();

    /// <summary>"sequence_cross_entropy".</summary>
    public override string Name => "sequence_cross_entropy";

    /// <inheritdoc/>
    protected override double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient)
    {
        if (predictions.Rank != 3)
        {
            throw new ArgumentException($"{Name}: logits must be [N, T, K]; found {predictions.Shape}.", nameof(predictions));
        }

        int n = predictions.Shape[0], steps = predictions.Shape[1], classes = predictions.Shape[2];
        if (targets.Rank != 2 || targets.Shape[0] != n || targets.Shape[1] != steps)
        {
            throw new ArgumentException($"{Name}: targets must be symbol indices [{n}, {steps}] for logits {predictions.Shape}; found {targets.Shape}.", nameof(targets));
        }

        ReadOnlySpan<float> t = targets.Span;
        int real = 0;
        for (int i = 0; i < t.Length; i++)
        {
            float label = t[i];
            if (label == IgnoreIndex)
            {
                continue;
            }

            if (!(label >= 0 && label < classes && label == MathF.Floor(label)))
            {
                throw new ArgumentException(
                    $"{Name}: sequence {i / steps}, step {i % steps} has target {label}; targets must be integers in [0, {classes}) or {IgnoreIndex} for padding.",
                    nameof(targets));
            }

            real++;
        }

        if (real == 0)
        {
            throw new ArgumentException($"{Name}: every step of the batch is padding ({IgnoreIndex}); the mean over no characters is undefined.", nameof(targets));
        }

        // As in SoftmaxCrossEntropy: log-probabilities into the gradient first, then the softmax over them.
        Span<float> g = gradient.Span;
        _logSoftmax.Forward(predictions.Span, g, classes);
        double sum = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] != IgnoreIndex)
            {
                sum -= g[(i * classes) + (int)t[i]];
            }
        }

        _softmax.Forward(predictions.Span, g, classes);
        for (int i = 0; i < t.Length; i++)
        {
            var row = g.Slice(i * classes, classes);
            if (t[i] == IgnoreIndex)
            {
                row.Clear();
            }
            else
            {
                row[(int)t[i]] -= 1;
            }
        }

        TensorPrimitives.Divide(g, real, g);
        return sum / real;
    }
}
