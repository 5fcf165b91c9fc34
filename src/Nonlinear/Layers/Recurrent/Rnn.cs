using Nonlinear.Activations;

namespace Nonlinear.Layers.Recurrent;

/// <summary>
/// Elman recurrent layer: h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), h_0 = 0, with f tanh by default
/// (PyTorch's nn.RNN, batch_first=True) or any elementwise activation of the catalog.
/// </summary>
/// <remarks>
/// Shapes: input [N, T, F]; output h_T [N, H], or [N, T, H] with <c>returnSequences</c>.
/// Backward through time: da_t = f'(a_t) dh_t, with dh_t = dL/dh_t (from the output) + da_{t+1} W_hh.
/// </remarks>
/// <example><c>new Rnn(32)</c> or the spec token <c>rnn:32</c>; <c>rnn:32:relu:seq</c> for every step with ReLU.</example>
public sealed class Rnn : RecurrentLayer
{
    private float[] _pre = [];
    private float[] _dpre = [];

    /// <summary>An Elman RNN with <paramref name="hiddenSize"/> units and activation <paramref name="activation"/> (tanh if null).</summary>
    /// <exception cref="ArgumentException">The activation is row-wise (softmax couples the units of a state).</exception>
    public Rnn(int hiddenSize, Activation? activation = null, bool returnSequences = false)
        : base(hiddenSize, 1, returnSequences)
    {
        Activation = activation ?? new Tanh();
        if (Activation.IsRowWise)
        {
            throw new ArgumentException($"rnn needs an elementwise activation; '{Activation.Spec}' is row-wise.", nameof(activation));
        }
    }

    /// <summary>The activation f applied to the new state (tanh by default).</summary>
    public Activation Activation { get; }

    private protected override string Kind => "rnn";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["h"];

    /// <inheritdoc/>
    public override Activation GateActivation(int gate) => Activation;

    private protected override ReadOnlySpan<float> GateValues => States;

    private protected override string SpecArguments => Activation is Tanh ? "" : ":" + Activation.Spec;

    private protected override void AllocateCell(int batch)
    {
        _pre = new float[Steps * batch * HiddenSize];
        _dpre = new float[HiddenSize];
    }

    private protected override void StepForward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        var a = Pre(step, sample);
        System.Numerics.Tensors.TensorPrimitives.Add(xp, hp, a);
        Activation.Forward(a, h);
    }

    private protected override void StepBackward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dxp, Span<float> dhp, Span<float> dhPrevDirect)
    {
        Activation.Backward(Pre(step, sample), h, dh, _dpre);
        _dpre.CopyTo(dxp);
        _dpre.CopyTo(dhp);
        dhPrevDirect.Clear();
    }

    private Span<float> Pre(int step, int sample)
    {
        int batch = _pre.Length / (Steps * HiddenSize);
        return _pre.AsSpan((step * batch + sample) * HiddenSize, HiddenSize);
    }
}
