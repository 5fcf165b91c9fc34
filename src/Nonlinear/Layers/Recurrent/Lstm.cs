using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nonlinear.Tensors.Simd;

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
/// The cell is one fused pass per row over the four gates (<see cref="ForwardBody"/>, <see cref="BackwardBody"/>),
/// with the catalog's sigmoid and tanh vector formulas (<see cref="VectorMath"/>): the same values as
/// <see cref="Activations.Sigmoid"/> and <see cref="Activations.Tanh"/> on spans, without a call per gate and row.
/// The gate activations of the last forward pass are kept time-major, [T, N, 4H].
/// </remarks>
/// <example><c>new Lstm(32)</c> or the spec token <c>lstm:32</c> (<c>lstm:32:seq</c> for every step).</example>
public sealed class Lstm : RecurrentLayer
{
    private float[] _gates = [];
    private float[] _c = [];
    private float[] _tanhC = [];
    private float[] _dc = [];

    /// <summary>An LSTM with <paramref name="hiddenSize"/> units.</summary>
    public Lstm(int hiddenSize, bool returnSequences = false)
        : base(hiddenSize, 4, returnSequences)
    {
    }

    private protected override string Kind => "lstm";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["i", "f", "g", "o"];

    /// <inheritdoc/>
    public override Activations.Activation GateActivation(int gate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(gate, 4);
        return gate == 2 ? TanhGate : SigmoidGate;
    }

    private protected override ReadOnlySpan<float> GateValues => _gates;


    private protected override void AllocateCell(int batch)
    {
        int h = HiddenSize, t = Steps;
        _gates = new float[t * batch * 4 * h];
        _c = new float[(t + 1) * batch * h];
        _tanhC = new float[t * batch * h];
        _dc = new float[batch * h];
    }

    private protected override void BeginBackward(int batch) => Array.Clear(_dc);

    private protected override void ForwardRows(int step, int first, int last)
    {
        // Block 0 of _c is c_0 = 0: never written.
        int hs = HiddenSize, g4 = 4 * hs;
        var pre = InputProjections;
        var h = States;
        for (int s = first; s < last; s++)
        {
            ReadOnlySpan<float> a = pre.AsSpan(At(step, s, g4), g4), cPrev = _c.AsSpan(At(step, s, hs), hs);
            Span<float> gates = _gates.AsSpan(At(step, s, g4), g4), c = _c.AsSpan(At(step + 1, s, hs), hs);
            Span<float> tanhC = _tanhC.AsSpan(At(step, s, hs), hs), hRow = h.AsSpan(At(step + 1, s, hs), hs);
            switch (Elementwise.Width)
            {
                case 512:
                    ForwardRow<V512>(a, gates, cPrev, c, tanhC, hRow);
                    break;
                case 256:
                    ForwardRow<V256>(a, gates, cPrev, c, tanhC, hRow);
                    break;
                default:
                    ForwardRow<V128>(a, gates, cPrev, c, tanhC, hRow);
                    break;
            }
        }
    }

    private protected override void BackwardRows(int step, int first, int last)
    {
        int hs = HiddenSize, g4 = 4 * hs;
        var pre = InputProjections;
        var dPre = InputProjectionGradients;
        var dh = StateGradients;
        for (int s = first; s < last; s++)
        {
            ReadOnlySpan<float> a = pre.AsSpan(At(step, s, g4), g4), gates = _gates.AsSpan(At(step, s, g4), g4);
            ReadOnlySpan<float> cPrev = _c.AsSpan(At(step, s, hs), hs), c = _c.AsSpan(At(step + 1, s, hs), hs);
            ReadOnlySpan<float> tanhC = _tanhC.AsSpan(At(step, s, hs), hs), dhRow = dh.AsSpan(At(step, s, hs), hs);
            Span<float> dc = _dc.AsSpan(s * hs, hs), da = dPre.AsSpan(At(step, s, g4), g4);
            switch (Elementwise.Width)
            {
                case 512:
                    BackwardRow<V512>(a, gates, cPrev, c, tanhC, dhRow, dc, da);
                    break;
                case 256:
                    BackwardRow<V256>(a, gates, cPrev, c, tanhC, dhRow, dc, da);
                    break;
                default:
                    BackwardRow<V128>(a, gates, cPrev, c, tanhC, dhRow, dc, da);
                    break;
            }
        }
    }

    private static void ForwardRow<T>(ReadOnlySpan<float> a, Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h)
        where T : struct, ISimd<T>
    {
        int hs = h.Length, j = 0;
        for (; j <= hs - T.Count; j += T.Count)
        {
            ForwardBody<T>(ref Ref(a), ref Ref(gates), ref Ref(cPrev), ref Ref(c), ref Ref(tanhC), ref Ref(h), hs, j);
        }

        if (j < hs)
        {
            const int W = CellTail.Width;
            Span<float> pad = stackalloc float[12 * W];
            Span<float> pa = pad[..(4 * W)], pg = pad.Slice(4 * W, 4 * W), pcPrev = pad.Slice(8 * W, W), pc = pad.Slice(9 * W, W), pt = pad.Slice(10 * W, W), ph = pad.Slice(11 * W, W);
            CellTail.Gather(a, 4, j, pa);
            CellTail.Gather(cPrev, 1, j, pcPrev);
            ForwardBody<T>(ref Ref(pa), ref Ref(pg), ref Ref(pcPrev), ref Ref(pc), ref Ref(pt), ref Ref(ph), W, 0);
            CellTail.Scatter(pg, 4, j, gates);
            CellTail.Scatter(pc, 1, j, c);
            CellTail.Scatter(pt, 1, j, tanhC);
            CellTail.Scatter(ph, 1, j, h);
        }
    }

    private static void BackwardRow<T>(ReadOnlySpan<float> a, ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> c, ReadOnlySpan<float> tanhC,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> da)
        where T : struct, ISimd<T>
    {
        int hs = dh.Length, j = 0;
        for (; j <= hs - T.Count; j += T.Count)
        {
            BackwardBody<T>(ref Ref(a), ref Ref(gates), ref Ref(cPrev), ref Ref(c), ref Ref(tanhC), ref Ref(dh), ref Ref(dc), ref Ref(da), hs, j);
        }

        if (j < hs)
        {
            const int W = CellTail.Width;
            Span<float> pad = stackalloc float[17 * W];
            Span<float> pa = pad[..(4 * W)], pg = pad.Slice(4 * W, 4 * W), pda = pad.Slice(8 * W, 4 * W);
            Span<float> pcPrev = pad.Slice(12 * W, W), pc = pad.Slice(13 * W, W), pt = pad.Slice(14 * W, W), pdh = pad.Slice(15 * W, W), pdc = pad.Slice(16 * W, W);
            CellTail.Gather(a, 4, j, pa);
            CellTail.Gather(gates, 4, j, pg);
            CellTail.Gather(cPrev, 1, j, pcPrev);
            CellTail.Gather(c, 1, j, pc);
            CellTail.Gather(tanhC, 1, j, pt);
            CellTail.Gather(dh, 1, j, pdh);
            CellTail.Gather(dc, 1, j, pdc);
            BackwardBody<T>(ref Ref(pa), ref Ref(pg), ref Ref(pcPrev), ref Ref(pc), ref Ref(pt), ref Ref(pdh), ref Ref(pdc), ref Ref(pda), W, 0);
            CellTail.Scatter(pdc, 1, j, dc);
            CellTail.Scatter(pda, 4, j, da);
        }
    }

    /// <summary>One vector of units: gates, c_t = f ⊙ c_{t-1} + i ⊙ g, tanh(c_t) and h_t = o ⊙ tanh(c_t). Gate k of unit j sits at k * stride + j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBody<T>(ref float a, ref float gates, ref float cPrev, ref float c, ref float tanhC, ref float h, nint stride, nint j)
        where T : struct, ISimd<T>
    {
        var i = VectorMath.Sigmoid(T.Load(ref Unsafe.Add(ref a, j)), out _);
        var f = VectorMath.Sigmoid(T.Load(ref Unsafe.Add(ref a, stride + j)), out _);
        var g = VectorMath.Tanh(T.Load(ref Unsafe.Add(ref a, 2 * stride + j)));
        var o = VectorMath.Sigmoid(T.Load(ref Unsafe.Add(ref a, 3 * stride + j)), out _);
        T.Store(i, ref Unsafe.Add(ref gates, j));
        T.Store(f, ref Unsafe.Add(ref gates, stride + j));
        T.Store(g, ref Unsafe.Add(ref gates, 2 * stride + j));
        T.Store(o, ref Unsafe.Add(ref gates, 3 * stride + j));
        var cNew = (f * T.Load(ref Unsafe.Add(ref cPrev, j))) + (i * g);
        var tc = VectorMath.Tanh(cNew);
        T.Store(cNew, ref Unsafe.Add(ref c, j));
        T.Store(tc, ref Unsafe.Add(ref tanhC, j));
        T.Store(o * tc, ref Unsafe.Add(ref h, j));
    }

    /// <summary>
    /// One vector of units backward: dc_t (carried in <paramref name="dc"/>, leaving dc_t ⊙ f for step t - 1) and the
    /// four gates' da. σ' and tanh' are read from the pre-activations, as the catalog's backward does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardBody<T>(ref float a, ref float gates, ref float cPrev, ref float c, ref float tanhC, ref float dh, ref float dc, ref float da, nint stride, nint j)
        where T : struct, ISimd<T>
    {
        var dhv = T.Load(ref Unsafe.Add(ref dh, j));
        var i = T.Load(ref Unsafe.Add(ref gates, j));
        var f = T.Load(ref Unsafe.Add(ref gates, stride + j));
        var g = T.Load(ref Unsafe.Add(ref gates, 2 * stride + j));
        var o = T.Load(ref Unsafe.Add(ref gates, 3 * stride + j));
        var dct = T.Load(ref Unsafe.Add(ref dc, j)) + (dhv * o * VectorMath.TanhDerivative(T.Load(ref Unsafe.Add(ref c, j))));
        T.Store(dct * g * VectorMath.SigmoidDerivative(T.Load(ref Unsafe.Add(ref a, j))), ref Unsafe.Add(ref da, j));
        T.Store(dct * T.Load(ref Unsafe.Add(ref cPrev, j)) * VectorMath.SigmoidDerivative(T.Load(ref Unsafe.Add(ref a, stride + j))), ref Unsafe.Add(ref da, stride + j));
        T.Store(dct * i * VectorMath.TanhDerivative(T.Load(ref Unsafe.Add(ref a, 2 * stride + j))), ref Unsafe.Add(ref da, 2 * stride + j));
        T.Store(dhv * T.Load(ref Unsafe.Add(ref tanhC, j)) * VectorMath.SigmoidDerivative(T.Load(ref Unsafe.Add(ref a, 3 * stride + j))), ref Unsafe.Add(ref da, 3 * stride + j));
        T.Store(dct * f, ref Unsafe.Add(ref dc, j));
    }

    private static ref float Ref(ReadOnlySpan<float> span) => ref MemoryMarshal.GetReference(span);

    private static ref float Ref(Span<float> span) => ref MemoryMarshal.GetReference(span);
}
