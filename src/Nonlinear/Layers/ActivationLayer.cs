using Nonlinear.Activations;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>Applies an activation from the catalog: y = f(x), elementwise or row-wise over the last dimension.</summary>
/// <remarks>
/// Shapes: output = input. Backward reads the saved input or output, whichever the activation's
/// <see cref="Activation.BackwardSource"/> says.
/// </remarks>
/// <example>The spec tokens <c>relu</c>, <c>leaky_relu:0.1</c>, <c>gelu:tanh</c>, <c>softmax</c>.</example>
public sealed class ActivationLayer(Activation activation) : Layer
{
    private Tensor? _input;
    private Tensor? _output;

    /// <summary>The activation.</summary>
    public Activation Activation { get; } = activation ?? throw new ArgumentNullException(nameof(activation));

    /// <inheritdoc/>
    public override string Spec => Activation.Spec;

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random) => inputShape;

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        _output = output;
        Activation.Forward(input, output);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (_input is null || _output is null)
        {
            throw new InvalidOperationException($"{Spec}: backward called before forward.");
        }

        if (inputGradient is not null)
        {
            Activation.Backward(_input, _output, outputGradient, inputGradient);
        }
    }
}
