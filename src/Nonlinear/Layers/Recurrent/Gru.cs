using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nonlinear.Tensors.Simd;

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
/// The cell is one fused pass per row over the three gates (<see cref="ForwardBody"/>, <see cref="BackwardBody"/>)
/// with the catalog's sigmoid and tanh vector formulas (<see cref="VectorMath"/>), the same values as
/// <see cref="Activations.Sigmoid"/> and <see cref="Activations.Tanh"/> on spans. The gate activations of the last
/// forward pass are kept time-major, [T, N, 3H].
/// </remarks>
/// <example><c>new Gru(32)</c> or the spec token <c>gru:32</c> (<c>gru:32:seq</c> for every step).</example>
public sealed class Gru : RecurrentLayer
{
    private float[] _pre = [];
    private float[] _gates = [];

    /// <summary>A GRU with <paramref name="hiddenSize"/> units.</summary>
    public Gru(int hiddenSize, bool returnSequences = false)
        : base(hiddenSize, 3, returnSequences)
    {
    }

    private protected override string Kind => "gru";

    /// <inheritdoc/>
    public override IReadOnlyList<string> GateNames { get; } = ["r", "z", "n"];

    /// <inheritdoc/>
    public override Activations.Activation GateActivation(int gate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(gate, 3);
        return gate == 2 ? TanhGate : SigmoidGate;
    }

    private protected override ReadOnlySpan<float> GateValues => _gates;

    private protected override bool KeepsRecurrentProjection => true;

    private protected override bool PassesStateDirectly => true;

    private protected override void AllocateCell(int batch)
    {
        _pre = new float[Steps * batch * 3 * HiddenSize];
        _gates = new float[Steps * batch * 3 * HiddenSize];
    }

    private protected override void ForwardRows(int step, int first, int last)
    {
        int hs = HiddenSize, g3 = 3 * hs;
        float[] xp = InputProjections, hp = RecurrentProjections, h = States;
        for (int s = first; s < last; s++)
        {
            ReadOnlySpan<float> xpRow = xp.AsSpan(At(step, s, g3), g3), hpRow = hp.AsSpan(At(step, s, g3), g3), hPrev = h.AsSpan(At(step, s, hs), hs);
            Span<float> a = _pre.AsSpan(At(step, s, g3), g3), gates = _gates.AsSpan(At(step, s, g3), g3), hRow = h.AsSpan(At(step + 1, s, hs), hs);
            switch (Elementwise.Width)
            {
                case 512:
                    ForwardRow<V512>(xpRow, hpRow, hPrev, a, gates, hRow);
                    break;
                case 256:
                    ForwardRow<V256>(xpRow, hpRow, hPrev, a, gates, hRow);
                    break;
                default:
                    ForwardRow<V128>(xpRow, hpRow, hPrev, a, gates, hRow);
                    break;
            }
        }
    }

    private protected override void BackwardRows(int step, int first, int last)
    {
        int hs = HiddenSize, g3 = 3 * hs;
        float[] hp = RecurrentProjections, h = States, dh = StateGradients, dxp = InputProjectionGradients, dhp = RecurrentProjectionGradients;
        float[] direct = DirectStateGradient;
        for (int s = first; s < last; s++)
        {
            ReadOnlySpan<float> a = _pre.AsSpan(At(step, s, g3), g3), gates = _gates.AsSpan(At(step, s, g3), g3), hpRow = hp.AsSpan(At(step, s, g3), g3);
            ReadOnlySpan<float> hPrev = h.AsSpan(At(step, s, hs), hs), dhRow = dh.AsSpan(At(step, s, hs), hs);
            Span<float> dxpRow = dxp.AsSpan(At(step, s, g3), g3), dhpRow = dhp.AsSpan(At(step, s, g3), g3), dPrev = direct.AsSpan(s * hs, hs);
            switch (Elementwise.Width)
            {
                case 512:
                    BackwardRow<V512>(a, gates, hpRow, hPrev, dhRow, dxpRow, dhpRow, dPrev);
                    break;
                case 256:
                    BackwardRow<V256>(a, gates, hpRow, hPrev, dhRow, dxpRow, dhpRow, dPrev);
                    break;
                default:
                    BackwardRow<V128>(a, gates, hpRow, hPrev, dhRow, dxpRow, dhpRow, dPrev);
                    break;
            }
        }
    }

    private static void ForwardRow<T>(ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> a, Span<float> gates, Span<float> h)
        where T : struct, ISimd<T>
    {
        int hs = h.Length, j = 0;
        for (; j <= hs - T.Count; j += T.Count)
        {
            ForwardBody<T>(ref Ref(xp), ref Ref(hp), ref Ref(hPrev), ref Ref(a), ref Ref(gates), ref Ref(h), hs, j);
        }

        if (j < hs)
        {
            const int W = CellTail.Width;
            Span<float> pad = stackalloc float[14 * W];
            Span<float> pxp = pad[..(3 * W)], php = pad.Slice(3 * W, 3 * W), pa = pad.Slice(6 * W, 3 * W), pg = pad.Slice(9 * W, 3 * W);
            Span<float> phPrev = pad.Slice(12 * W, W), ph = pad.Slice(13 * W, W);
            CellTail.Gather(xp, 3, j, pxp);
            CellTail.Gather(hp, 3, j, php);
            CellTail.Gather(hPrev, 1, j, phPrev);
            ForwardBody<T>(ref Ref(pxp), ref Ref(php), ref Ref(phPrev), ref Ref(pa), ref Ref(pg), ref Ref(ph), W, 0);
            CellTail.Scatter(pa, 3, j, a);
            CellTail.Scatter(pg, 3, j, gates);
            CellTail.Scatter(ph, 1, j, h);
        }
    }

    private static void BackwardRow<T>(ReadOnlySpan<float> a, ReadOnlySpan<float> gates, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dxp, Span<float> dhp, Span<float> dPrev)
        where T : struct, ISimd<T>
    {
        int hs = dh.Length, j = 0;
        for (; j <= hs - T.Count; j += T.Count)
        {
            BackwardBody<T>(ref Ref(a), ref Ref(gates), ref Ref(hp), ref Ref(hPrev), ref Ref(dh), ref Ref(dxp), ref Ref(dhp), ref Ref(dPrev), hs, j);
        }

        if (j < hs)
        {
            const int W = CellTail.Width;
            Span<float> pad = stackalloc float[18 * W];
            Span<float> pa = pad[..(3 * W)], pg = pad.Slice(3 * W, 3 * W), php = pad.Slice(6 * W, 3 * W), pdxp = pad.Slice(9 * W, 3 * W), pdhp = pad.Slice(12 * W, 3 * W);
            Span<float> phPrev = pad.Slice(15 * W, W), pdh = pad.Slice(16 * W, W), pdPrev = pad.Slice(17 * W, W);
            CellTail.Gather(a, 3, j, pa);
            CellTail.Gather(gates, 3, j, pg);
            CellTail.Gather(hp, 3, j, php);
            CellTail.Gather(hPrev, 1, j, phPrev);
            CellTail.Gather(dh, 1, j, pdh);
            BackwardBody<T>(ref Ref(pa), ref Ref(pg), ref Ref(php), ref Ref(phPrev), ref Ref(pdh), ref Ref(pdxp), ref Ref(pdhp), ref Ref(pdPrev), W, 0);
            CellTail.Scatter(pdxp, 3, j, dxp);
            CellTail.Scatter(pdhp, 3, j, dhp);
            CellTail.Scatter(pdPrev, 1, j, dPrev);
        }
    }

    /// <summary>One vector of units: r, z, n and h_t = n + z ⊙ (h_{t-1} - n). Gate k of unit j sits at k * stride + j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardBody<T>(ref float xp, ref float hp, ref float hPrev, ref float a, ref float gates, ref float h, nint stride, nint j)
        where T : struct, ISimd<T>
    {
        var ar = T.Load(ref Unsafe.Add(ref xp, j)) + T.Load(ref Unsafe.Add(ref hp, j));
        var az = T.Load(ref Unsafe.Add(ref xp, stride + j)) + T.Load(ref Unsafe.Add(ref hp, stride + j));
        var r = VectorMath.Sigmoid(ar, out _);
        var z = VectorMath.Sigmoid(az, out _);
        var an = (r * T.Load(ref Unsafe.Add(ref hp, 2 * stride + j))) + T.Load(ref Unsafe.Add(ref xp, 2 * stride + j));
        var n = VectorMath.Tanh(an);
        T.Store(ar, ref Unsafe.Add(ref a, j));
        T.Store(az, ref Unsafe.Add(ref a, stride + j));
        T.Store(an, ref Unsafe.Add(ref a, 2 * stride + j));
        T.Store(r, ref Unsafe.Add(ref gates, j));
        T.Store(z, ref Unsafe.Add(ref gates, stride + j));
        T.Store(n, ref Unsafe.Add(ref gates, 2 * stride + j));
        T.Store((z * (T.Load(ref Unsafe.Add(ref hPrev, j)) - n)) + n, ref Unsafe.Add(ref h, j));
    }

    /// <summary>
    /// One vector of units backward: da of the three gates (dL/dxp), dL/dhp (the n part scaled by r) and the direct
    /// part of dL/dh_{t-1}, dh ⊙ z. σ' and tanh' are read from the pre-activations, as the catalog's backward does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardBody<T>(ref float a, ref float gates, ref float hp, ref float hPrev, ref float dh, ref float dxp, ref float dhp, ref float dPrev, nint stride, nint j)
        where T : struct, ISimd<T>
    {
        var dhv = T.Load(ref Unsafe.Add(ref dh, j));
        var r = T.Load(ref Unsafe.Add(ref gates, j));
        var z = T.Load(ref Unsafe.Add(ref gates, stride + j));
        var n = T.Load(ref Unsafe.Add(ref gates, 2 * stride + j));
        var direct = dhv * z;
        var dz = (T.Load(ref Unsafe.Add(ref hPrev, j)) - n) * dhv;
        var dan = (dhv - direct) * VectorMath.TanhDerivative(T.Load(ref Unsafe.Add(ref a, 2 * stride + j)));
        var dr = dan * T.Load(ref Unsafe.Add(ref hp, 2 * stride + j));
        var dar = dr * VectorMath.SigmoidDerivative(T.Load(ref Unsafe.Add(ref a, j)));
        var daz = dz * VectorMath.SigmoidDerivative(T.Load(ref Unsafe.Add(ref a, stride + j)));
        T.Store(direct, ref Unsafe.Add(ref dPrev, j));
        T.Store(dar, ref Unsafe.Add(ref dxp, j));
        T.Store(daz, ref Unsafe.Add(ref dxp, stride + j));
        T.Store(dan, ref Unsafe.Add(ref dxp, 2 * stride + j));
        T.Store(dar, ref Unsafe.Add(ref dhp, j));
        T.Store(daz, ref Unsafe.Add(ref dhp, stride + j));
        T.Store(dan * r, ref Unsafe.Add(ref dhp, 2 * stride + j));
    }

    private static ref float Ref(ReadOnlySpan<float> span) => ref MemoryMarshal.GetReference(span);

    private static ref float Ref(Span<float> span) => ref MemoryMarshal.GetReference(span);
}
