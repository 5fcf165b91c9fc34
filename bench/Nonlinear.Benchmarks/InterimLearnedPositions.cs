using Nonlinear.Layers;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Interim stand-in for <c>positions:learned</c> (branch seq-layers brings the library's PositionalEncoding): adds a
/// learned vector per position to [T, D], y[n, t] = x[n, t] + P[t], with P [T, D] drawn from N(0, 0.02²) as in
/// GPT-2 (and the PyTorch peer). Backward: dP += sum over the batch of dy, dx = dy. Remove once the library has it.
/// </summary>
internal sealed class InterimLearnedPositions : Layer
{
    private Parameter? _weight;

    /// <inheritdoc/>
    public override string Spec => "positions:learned";

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weight is null ? [] : [_weight];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2)
        {
            throw new ArgumentException($"positions takes [T, D] per sample; found {inputShape}.");
        }

        _weight = new Parameter("weight", new Tensor(inputShape[0], inputShape[1]), decays: false);
        var w = _weight.Value.Span;
        for (int i = 0; i < w.Length; i++)
        {
            // Box-Muller, one normal per pair of uniforms.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            w[i] = (float)(0.02 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        var p = _weight!.Value.Span;
        int size = p.Length;
        for (int n = 0; n < input.BatchSize; n++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(input.Span.Slice(n * size, size), p, output.Span.Slice(n * size, size));
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var dp = _weight!.Gradient.Span;
        int size = dp.Length;
        for (int n = 0; n < outputGradient.BatchSize; n++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(dp, outputGradient.Span.Slice(n * size, size), dp);
        }

        if (inputGradient is not null)
        {
            outputGradient.Span.CopyTo(inputGradient.Span);
        }
    }
}
