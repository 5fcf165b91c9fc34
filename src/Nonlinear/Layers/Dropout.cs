using System.Globalization;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers;

/// <summary>
/// Inverted dropout: in training, y = x · m / (1 − p) with m ~ Bernoulli(1 − p) drawn afresh for every element of
/// every batch; in evaluation, y = x.
/// </summary>
/// <remarks>
/// Shapes: output = input (any rank). Scaling the kept activations at training time (PyTorch's convention) keeps
/// their expected value, so evaluation needs no correction. Backward uses the mask of the forward pass it follows:
/// dx = dy · m / (1 − p) (dx = dy after an evaluation forward). The masks come from a SplitMix64 generator seeded
/// from the model's initialisation generator at build time: the same model seed gives the same masks, batch
/// after batch. No parameters.
/// </remarks>
/// <example><c>new Dropout(0.25)</c> or the spec token <c>dropout:0.25</c>.</example>
public sealed class Dropout : Layer
{
    private Tensor? _mask;
    private ulong _state;
    private bool _masked;

    /// <summary>Drops each element with probability <paramref name="rate"/>, in [0, 1).</summary>
    public Dropout(double rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        }

        Rate = rate;
    }

    /// <summary>The probability p that an element is zeroed during training.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    public override string Spec => $"dropout:{Rate.ToString("R", CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        _state = (ulong)random.NextInt64();
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _masked = training && Rate > 0;
        if (!_masked)
        {
            input.Span.CopyTo(output.Span);
            return;
        }

        var mask = Buffer(ref _mask, input.BatchSize, InputShape).Span;
        float scale = (float)(1 / (1 - Rate));
        uint threshold = (uint)Math.Min(Math.Round(Rate * 4294967296.0), uint.MaxValue);
        ulong state = _state;
        int i = 0;
        for (; i + 2 <= mask.Length; i += 2)
        {
            ulong r = SplitMix(ref state);
            mask[i] = (uint)r < threshold ? 0f : scale;
            mask[i + 1] = (uint)(r >> 32) < threshold ? 0f : scale;
        }

        if (i < mask.Length)
        {
            mask[i] = (uint)SplitMix(ref state) < threshold ? 0f : scale;
        }

        _state = state;
        TensorPrimitives.Multiply(input.Span, mask, output.Span);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (inputGradient is null)
        {
            return;
        }

        if (_masked)
        {
            TensorPrimitives.Multiply(outputGradient.Span, _mask!.Span, inputGradient.Span);
        }
        else
        {
            outputGradient.Span.CopyTo(inputGradient.Span);
        }
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014): 64 well-mixed bits per step, two masks' worth.</summary>
    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
