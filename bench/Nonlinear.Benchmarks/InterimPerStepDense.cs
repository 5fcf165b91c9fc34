using Nonlinear.Layers;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Interim stand-in for <c>dense:K</c> applied at every step of [T, F] (PyTorch's nn.Linear on the last dimension),
/// used only while the library's Dense rejects per-sample [T, F] (branch seq-layers brings it): the library's
/// <see cref="Dense"/> on the batch seen as N·T rows of F features (reshaped views of the same buffers), its
/// output and input gradient copied into this layer's [N, T, ·] buffers. Same arithmetic and parameters as the
/// library layer; remove once <c>dense:K</c> takes [T, F].
/// </summary>
internal sealed class InterimPerStepDense(int units) : Layer
{
    private readonly Dense _dense = new(units);
    private Tensor? _inSource, _inView, _dySource, _dyView;
    private int _t, _f;

    /// <inheritdoc/>
    public override string Spec => _dense.Spec;

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _dense.Parameters;

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2)
        {
            throw new ArgumentException($"per-step dense takes [T, F] per sample; found {inputShape}.");
        }

        _t = inputShape[0];
        _f = inputShape[1];
        _dense.Build(new TensorShape(_f), initializer, random);
        return new TensorShape(_t, _dense.Units);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        var y = _dense.Forward(View(ref _inSource, ref _inView, input, input.BatchSize * _t, _f), training);
        y.Span.CopyTo(output.Span);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var dy = View(ref _dySource, ref _dyView, outputGradient, outputGradient.BatchSize * _t, _dense.Units);
        if (inputGradient is null)
        {
            _dense.BackwardParameters(dy);
            return;
        }

        _dense.Backward(dy).Span.CopyTo(inputGradient.Span);
    }

    private static Tensor View(ref Tensor? source, ref Tensor? view, Tensor tensor, params ReadOnlySpan<int> shape)
    {
        if (!ReferenceEquals(source, tensor) || view is null || view.BatchSize != shape[0])
        {
            source = tensor;
            view = tensor.Reshape(shape);
        }

        return view;
    }
}
