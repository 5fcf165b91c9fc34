using Nonlinear.Activations;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers.Recurrent;

/// <summary>
/// Long short-term memory layer (PyTorch's nn.LSTM, batch_first=True, gates stacked i, f, g, o):
/// a = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh; i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o);
/// c_t = f ⊙ c_{t-1} + i ⊙ g; h_t = o ⊙ tanh(c_t); h_0 = c_0 = 0.
/// </summary>
/// <remarks>
/// Shapes: input [N, T, F]; output h_T [N, H], or [N, T, H] with <c>returnSequences</c>.
/// Backward through time: dc_t = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o ⊙ tanh'(c_t); do = dh_t ⊙ tanh(c_t),
/// di = dc_t ⊙ g, dg = dc_t ⊙ i, df = dc_t ⊙ c_{t-1}, then through σ and tanh to da.
/// </remarks>
/// <example><c>new Lstm(32)</c> or the spec token <c>lstm:32</c> (<c>lstm:32:seq</c> for every step).</example>
public sealed class Lstm : RecurrentLayer
{
    private static readonly Sigmoid Sigmoid = new();
    private static readonly Tanh Tanh = new();
    private float[] _pre = [];
    private float[] _gates = [];
    private float[] _c = [];
    private float[] _tanhC = [];
    private float[] _dc = [];
    private float[] _dGates = [];
    private float[] _scratch = [];
    private int _batch;

    /// <summary>An LSTM with <paramref name="hiddenSize"/> units.</summary>
    public Lstm(int hiddenSize, bool returnSequences = false)
        : base(hiddenSize, 4, returnSequences)
    {
    }

    private protected override string Kind => "lstm";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["i", "f", "g", "o"];

    /// <inheritdoc/>
    public override Activation GateActivation(int gate) => gate == 2 ? Tanh : Sigmoid;

    private protected override ReadOnlySpan<float> GateValues => _gates;

    private protected override void AllocateCell(int batch)
    {
        int h = HiddenSize, t = Steps;
        _batch = batch;
        _pre = new float[t * batch * 4 * h];
        _gates = new float[t * batch * 4 * h];
        _c = new float[(t + 1) * batch * h];
        _tanhC = new float[t * batch * h];
        _dc = new float[batch * h];
        _dGates = new float[4 * h];
        _scratch = new float[h];
    }

    private protected override void BeginBackward(int batch) => Array.Clear(_dc);

    private protected override void StepForward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int hs = HiddenSize;
        var a = Row(_pre, step, sample, 4 * hs);
        var gates = Row(_gates, step, sample, 4 * hs);
        TensorPrimitives.Add(xp, hp, a);
        Sigmoid.Forward(a[..(2 * hs)], gates[..(2 * hs)]);
        Tanh.Forward(a.Slice(2 * hs, hs), gates.Slice(2 * hs, hs));
        Sigmoid.Forward(a.Slice(3 * hs, hs), gates.Slice(3 * hs, hs));
        ReadOnlySpan<float> i = gates[..hs], f = gates.Slice(hs, hs), g = gates.Slice(2 * hs, hs), o = gates.Slice(3 * hs, hs);
        var cPrev = Row(_c, step, sample, hs);
        var c = Row(_c, step + 1, sample, hs);
        var tanhC = Row(_tanhC, step, sample, hs);
        TensorPrimitives.Multiply(f, cPrev, c);
        TensorPrimitives.MultiplyAdd(i, g, c, c);
        Tanh.Forward(c, tanhC);
        TensorPrimitives.Multiply(o, tanhC, h);
    }

    private protected override void StepBackward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dxp, Span<float> dhp, Span<float> dhPrevDirect)
    {
        int hs = HiddenSize;
        var a = Row(_pre, step, sample, 4 * hs);
        var gates = Row(_gates, step, sample, 4 * hs);
        ReadOnlySpan<float> i = gates[..hs], f = gates.Slice(hs, hs), g = gates.Slice(2 * hs, hs), o = gates.Slice(3 * hs, hs);
        var cPrev = Row(_c, step, sample, hs);
        var c = Row(_c, step + 1, sample, hs);
        var tanhC = Row(_tanhC, step, sample, hs);
        var dc = _dc.AsSpan(sample * hs, hs);
        var dg = _dGates.AsSpan();
        var scratch = _scratch.AsSpan();

        // dc_t = dc (carried from t+1, already times f_{t+1}) + dh ⊙ o ⊙ tanh'(c_t)
        TensorPrimitives.Multiply(dh, o, scratch);
        Tanh.Backward(c, tanhC, scratch, scratch);
        TensorPrimitives.Add(dc, scratch, dc);

        TensorPrimitives.Multiply(dc, g, dg[..hs]);                 // di
        TensorPrimitives.Multiply(dc, cPrev, dg.Slice(hs, hs));     // df
        TensorPrimitives.Multiply(dc, i, dg.Slice(2 * hs, hs));     // dg
        TensorPrimitives.Multiply(dh, tanhC, dg.Slice(3 * hs, hs)); // do
        Sigmoid.Backward(a[..(2 * hs)], gates[..(2 * hs)], dg[..(2 * hs)], dxp[..(2 * hs)]);
        Tanh.Backward(a.Slice(2 * hs, hs), gates.Slice(2 * hs, hs), dg.Slice(2 * hs, hs), dxp.Slice(2 * hs, hs));
        Sigmoid.Backward(a.Slice(3 * hs, hs), gates.Slice(3 * hs, hs), dg.Slice(3 * hs, hs), dxp.Slice(3 * hs, hs));
        dxp.CopyTo(dhp);
        TensorPrimitives.Multiply(dc, f, dc); // what step t-1 receives through c_{t-1}
        dhPrevDirect.Clear();
    }

    private Span<float> Row(float[] buffer, int step, int sample, int width) => buffer.AsSpan((step * _batch + sample) * width, width);
}
