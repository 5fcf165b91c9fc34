using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>Flattens each sample into a feature vector: [N, C, H, W] (or any rank) → [N, C·H·W], in row-major order.</summary>
/// <remarks>
/// Shapes: input [N, d1, ..., dk], output [N, d1·...·dk]; element (c, h, w) of a sample becomes feature
/// (c·H + h)·W + w, as in PyTorch's nn.Flatten. Forward and backward are copies. No parameters.
/// </remarks>
/// <example><c>new Flatten()</c> or the spec token <c>flatten</c>.</example>
public sealed class Flatten : Layer
{
    /// <inheritdoc/>
    public override string Spec => "flatten";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank == 0)
        {
            throw new ArgumentException("flatten needs at least one dimension per sample.");
        }

        return new TensorShape(inputShape.Length);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training) => input.Span.CopyTo(output.Span);

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (inputGradient is not null)
        {
            outputGradient.Span.CopyTo(inputGradient.Span);
        }
    }
}
