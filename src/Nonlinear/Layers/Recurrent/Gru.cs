using Nonlinear.Activations;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers.Recurrent;

/// <summary>
/// Gated recurrent unit (PyTorch's nn.GRU, batch_first=True, gates stacked r, z, n):
/// r = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr), z = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz),
/// n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn)), h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}; h_0 = 0.
/// </summary>
/// <remarks>
/// Shapes: input [N, T, F]; output h_T [N, H], or [N, T, H] with <c>returnSequences</c>.
/// PyTorch applies r after the recurrent product (inside the bracket, b_hn included), unlike the original paper,
/// so the recurrent and input projections of n must stay apart: backward gives dL/d(W_hn h + b_hn) = da_n ⊙ r and
/// dr = da_n ⊙ (W_hn h + b_hn). h_{t-1} also receives dh_t ⊙ z directly, besides through W_hh.
/// </remarks>
/// <example><c>new Gru(32)</c> or the spec token <c>gru:32</c> (<c>gru:32:seq</c> for every step).</example>
public sealed class Gru : RecurrentLayer
{
    private static readonly Sigmoid Sigmoid = new();
    private static readonly Tanh Tanh = new();
    private float[] _pre = [];
    private float[] _gates = [];
    private float[] _dGates = [];
    private int _batch;

    /// <summary>A GRU with <paramref name="hiddenSize"/> units.</summary>
    public Gru(int hiddenSize, bool returnSequences = false)
        : base(hiddenSize, 3, returnSequences)
    {
    }

    private protected override string Kind => "gru";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["r", "z", "n"];

    /// <inheritdoc/>
    public override Activation GateActivation(int gate) => gate == 2 ? Tanh : Sigmoid;

    private protected override ReadOnlySpan<float> GateValues => _gates;

    private protected override void AllocateCell(int batch)
    {
        _batch = batch;
        _pre = new float[Steps * batch * 3 * HiddenSize];
        _gates = new float[Steps * batch * 3 * HiddenSize];
        _dGates = new float[3 * HiddenSize];
    }

    private protected override void StepForward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h)
    {
        int hs = HiddenSize;
        var a = Row(_pre, step, sample);
        var gates = Row(_gates, step, sample);
        TensorPrimitives.Add(xp[..(2 * hs)], hp[..(2 * hs)], a[..(2 * hs)]);
        Sigmoid.Forward(a[..(2 * hs)], gates[..(2 * hs)]);
        ReadOnlySpan<float> r = gates[..hs], z = gates.Slice(hs, hs);
        var an = a.Slice(2 * hs, hs);
        var n = gates.Slice(2 * hs, hs);
        TensorPrimitives.MultiplyAdd(r, hp.Slice(2 * hs, hs), xp.Slice(2 * hs, hs), an);
        Tanh.Forward(an, n);

        // h = n + z ⊙ (h_{t-1} - n)
        TensorPrimitives.Subtract(hPrev, n, h);
        TensorPrimitives.MultiplyAdd(z, h, n, h);
    }

    private protected override void StepBackward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dxp, Span<float> dhp, Span<float> dhPrevDirect)
    {
        int hs = HiddenSize;
        var a = Row(_pre, step, sample);
        var gates = Row(_gates, step, sample);
        ReadOnlySpan<float> r = gates[..hs], z = gates.Slice(hs, hs), n = gates.Slice(2 * hs, hs);
        var dg = _dGates.AsSpan();
        var dr = dg[..hs];
        var dz = dg.Slice(hs, hs);
        var dn = dg.Slice(2 * hs, hs);

        TensorPrimitives.Multiply(dh, z, dhPrevDirect);       // dh_{t-1} directly
        TensorPrimitives.Subtract(dh, dhPrevDirect, dn);      // dn = dh ⊙ (1 - z)
        TensorPrimitives.Subtract(hPrev, n, dz);
        TensorPrimitives.Multiply(dz, dh, dz);                // dz = dh ⊙ (h_{t-1} - n)
        var dan = dxp.Slice(2 * hs, hs);
        Tanh.Backward(a.Slice(2 * hs, hs), n, dn, dan);       // da_n, also dL/d(W_in x + b_in)
        TensorPrimitives.Multiply(dan, hp.Slice(2 * hs, hs), dr);
        TensorPrimitives.Multiply(dan, r, dhp.Slice(2 * hs, hs));
        Sigmoid.Backward(a[..(2 * hs)], gates[..(2 * hs)], dg[..(2 * hs)], dxp[..(2 * hs)]);
        dxp[..(2 * hs)].CopyTo(dhp[..(2 * hs)]);
    }

    private Span<float> Row(float[] buffer, int step, int sample) => buffer.AsSpan((step * _batch + sample) * 3 * HiddenSize, 3 * HiddenSize);
}
