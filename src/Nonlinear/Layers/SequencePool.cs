using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// Reduces a sequence to one vector per sample, so a classifier can follow a layer that works per step:
/// mean y = (1/T) Σ_t x_t, or last y = x_{T-1}.
/// </summary>
/// <remarks>
/// <para>Shapes: per sample [T, D] → [D]. No parameters.</para>
/// <para>Backward: mean dx_t = dy / T at every step; last dx_{T-1} = dy and dx_t = 0 before it.</para>
/// <para>Every step counts, padded ones included: pool sequences that fill all T steps (image rows), or put the
/// real steps last for <see cref="SequencePooling.Last"/>.</para>
/// </remarks>
/// <example><c>new SequencePool(SequencePooling.Mean)</c> or the spec token <c>seqpool:mean</c>
/// (<c>dense:64,positions:learned,transformer:d=64,heads=4,ff=256,seqpool:mean,dense:10</c>).</example>
public sealed class SequencePool : Layer
{
    /// <summary>A pool that reduces the steps by <paramref name="pooling"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pooling"/> is not a defined value.</exception>
    public SequencePool(SequencePooling pooling)
    {
        if (!Enum.IsDefined(pooling))
        {
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Expected SequencePooling.Mean or SequencePooling.Last.");
        }

        Pooling = pooling;
    }

    /// <summary>Mean over the steps, or the last step.</summary>
    public SequencePooling Pooling { get; }

    /// <inheritdoc/>
    public override string Spec => Pooling == SequencePooling.Mean ? "seqpool:mean" : "seqpool:last";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2 || inputShape[0] < 1)
        {
            throw new ArgumentException($"{Spec} takes a sequence [T, D] per sample with T >= 1; found per-sample shape {inputShape}.");
        }

        return new TensorShape(inputShape[1]);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        int n = input.BatchSize, t = InputShape[0], d = InputShape[1];
        var x = input.Span;
        var y = output.Span;
        for (int s = 0; s < n; s++)
        {
            var sample = x.Slice(s * t * d, t * d);
            var row = y.Slice(s * d, d);
            if (Pooling == SequencePooling.Last)
            {
                sample.Slice((t - 1) * d, d).CopyTo(row);
                continue;
            }

            sample.Slice(0, d).CopyTo(row);
            for (int step = 1; step < t; step++)
            {
                TensorPrimitives.Add(row, sample.Slice(step * d, d), row);
            }

            TensorPrimitives.Divide(row, (float)t, row);
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (inputGradient is null)
        {
            return;   // no parameters
        }

        int n = outputGradient.BatchSize, t = InputShape[0], d = InputShape[1];
        var dy = outputGradient.Span;
        var dx = inputGradient.Span;
        if (Pooling == SequencePooling.Last)
        {
            dx.Clear();
        }

        for (int s = 0; s < n; s++)
        {
            var row = dy.Slice(s * d, d);
            var sample = dx.Slice(s * t * d, t * d);
            if (Pooling == SequencePooling.Last)
            {
                row.CopyTo(sample.Slice((t - 1) * d, d));
                continue;
            }

            TensorPrimitives.Divide(row, (float)t, sample.Slice(0, d));
            for (int step = 1; step < t; step++)
            {
                sample.Slice(0, d).CopyTo(sample.Slice(step * d, d));
            }
        }
    }
}
