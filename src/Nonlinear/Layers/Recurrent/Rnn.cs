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

    private protected override string SpecArguments => Activation is Tanh ? "" : ":" + Activation.Spec;

    private protected override void AllocateCell(int batch)
    {
    }

    // InputProjections hold the pre-activations a_t (the recurrent product is added into them), so the cell is the
    // activation on one contiguous block of rows: a single span call per step and thread.
    private protected override void ForwardRows(int step, int first, int last)
    {
        int hs = HiddenSize, at = At(step, first, hs), length = (last - first) * hs;
        Activation.Forward(InputProjections.AsSpan(at, length), States.AsSpan(At(step + 1, first, hs), length));
    }

    private protected override void BackwardRows(int step, int first, int last)
    {
        int hs = HiddenSize, at = At(step, first, hs), length = (last - first) * hs;
        Activation.Backward(InputProjections.AsSpan(at, length), States.AsSpan(At(step + 1, first, hs), length), StateGradients.AsSpan(at, length),
            InputProjectionGradients.AsSpan(at, length));
    }
}
