using System.Globalization;
using Nonlinear.Activations;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Tensors;

namespace Nonlinear.Layers.Recurrent;

/// <summary>
/// What the Elman RNN, the LSTM and the GRU share: PyTorch's parameters (weight_ih [G*H, F], weight_hh [G*H, H],
/// bias_ih [G*H], bias_hh [G*H], with G gates stacked in PyTorch's order), the input and recurrent products on the
/// GEMM, the sequence of hidden states kept for backward, and backpropagation through time.
/// </summary>
/// <remarks>
/// Shapes: input [N, T, F]; output the last hidden state [N, H], or every hidden state [N, T, H] when
/// <see cref="ReturnSequences"/>. The initial state is zero. Forward computes the input projections of all steps
/// in one product, xp = x W_ih^T + b_ih ([N*T, G*H]), then for each step hp = h_{t-1} W_hh^T + b_hh ([N, G*H])
/// and the cell (<see cref="StepForward"/>) per sample. Backward walks the steps in reverse: the cell gives
/// dL/dxp and dL/dhp, then dW_hh += dhp^T h_{t-1}, dh_{t-1} += dhp W_hh, and once at the end
/// dW_ih += dxp^T x, dx = dxp W_ih.
/// Initialisation is PyTorch's: every weight and bias uniform in [-1/sqrt(H), 1/sqrt(H)].
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    private Parameter? _weightIh;
    private Parameter? _weightHh;
    private Parameter? _biasIh;
    private Parameter? _biasHh;
    private Tensor? _input;
    private float[] _xp = [];
    private float[] _hp = [];
    private float[] _h = [];
    private float[] _dxp = [];
    private float[] _dhp = [];
    private float[] _dh = [];
    private float[] _dhNext = [];
    private float[] _stepNorms = [];
    private bool _stepNormsRecorded;
    private int _batch = -1;

    /// <summary>A recurrent layer with <paramref name="hiddenSize"/> units and <paramref name="gates"/> stacked gates.</summary>
    private protected RecurrentLayer(int hiddenSize, int gates, bool returnSequences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        HiddenSize = hiddenSize;
        Gates = gates;
        ReturnSequences = returnSequences;
    }

    /// <summary>H, the size of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether the output is every hidden state [N, T, H] rather than the last one [N, H].</summary>
    public bool ReturnSequences { get; }

    /// <summary>G, the number of stacked gates (RNN 1, LSTM 4, GRU 3).</summary>
    public int Gates { get; }

    /// <summary>T, the sequence length, once built.</summary>
    public int Steps => InputShape[0];

    /// <summary>F, the input features per step, once built.</summary>
    public int Features => InputShape[1];

    /// <summary>weight_ih [G*H, F], once built.</summary>
    public Parameter WeightIh => _weightIh ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>weight_hh [G*H, H], once built.</summary>
    public Parameter WeightHh => _weightHh ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>bias_ih [G*H], once built.</summary>
    public Parameter BiasIh => _biasIh ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>bias_hh [G*H], once built.</summary>
    public Parameter BiasHh => _biasHh ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weightIh is null ? [] : [_weightIh, _weightHh!, _biasIh!, _biasHh!];

    /// <summary>
    /// Whether backward records <see cref="StepGradientNorms"/> (off by default; training diagnostics turn it on).
    /// It costs one L2 norm of H values per step and sample, into a buffer of T floats sized once.
    /// </summary>
    public bool RecordsStepGradients { get; set; }

    /// <summary>
    /// From the last backward pass when <see cref="RecordsStepGradients"/> was on: for each step t (0 = first), the L2
    /// norm of dL/dh_t averaged over the batch's samples, [T]. dL/dh_t is the whole gradient reaching the hidden
    /// state h_t: from the output (every step with <see cref="ReturnSequences"/>, else the last only) plus what
    /// flows back from step t+1 (for the LSTM, the part through the cell state c_t is not included: it reaches
    /// h_{t-1} through the gates). Empty when not recorded. Read-only view of the layer's buffer, overwritten by the
    /// next backward.
    /// </summary>
    public ReadOnlySpan<float> StepGradientNorms => _stepNormsRecorded ? _stepNorms : [];

    /// <summary>
    /// The names of the stacked gates, in PyTorch's order: LSTM i, f, g, o; GRU r, z, n; RNN h (the state itself,
    /// the output of its activation).
    /// </summary>
    public abstract IReadOnlyList<string> GateNames { get; }

    /// <summary>The activation producing gate <paramref name="gate"/> (an index into <see cref="GateNames"/>).</summary>
    public abstract Activation GateActivation(int gate);

    /// <summary>
    /// The gate values of the last forward pass, [T, N, G·H] flat: row (t, n) holds the G gates of step t and sample
    /// n, each H values, in the order of <see cref="GateNames"/> (for the RNN, G = 1 and the values are the states
    /// h_t). Empty before the first forward. Read-only view of the layer's buffers; diagnostics read gate saturation
    /// from it.
    /// </summary>
    public ReadOnlySpan<float> LastGateValues => _batch < 0 ? [] : GateValues;

    /// <summary>The cell's gate values, [T, N, G·H] (see <see cref="LastGateValues"/>).</summary>
    private protected abstract ReadOnlySpan<float> GateValues { get; }

    /// <summary>The hidden states h_1..h_T of the last forward, [T, N, H].</summary>
    private protected ReadOnlySpan<float> States => _h.AsSpan(_batch * HiddenSize, Steps * _batch * HiddenSize);

    /// <summary>The spec token's name ("rnn", "lstm", "gru").</summary>
    private protected abstract string Kind { get; }

    /// <summary>Extra spec arguments between the size and ":seq" (the RNN's activation), or empty.</summary>
    private protected virtual string SpecArguments => "";

    /// <inheritdoc/>
    public override string Spec => $"{Kind}:{HiddenSize.ToString(CultureInfo.InvariantCulture)}{SpecArguments}{(ReturnSequences ? ":seq" : "")}";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2)
        {
            throw new ArgumentException($"{Kind}:{HiddenSize} takes a sequence [T, F] per sample; found per-sample shape {inputShape}.");
        }

        int f = inputShape[1], gh = Gates * HiddenSize;
        _weightIh = new Parameter("weight_ih", new Tensor(gh, f));
        _weightHh = new Parameter("weight_hh", new Tensor(gh, HiddenSize));
        _biasIh = new Parameter("bias_ih", new Tensor(gh), decays: false);
        _biasHh = new Parameter("bias_hh", new Tensor(gh), decays: false);
        double bound = 1 / Math.Sqrt(HiddenSize);
        foreach (var p in Parameters)
        {
            var values = p.Value.Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            }
        }

        _batch = -1;
        return ReturnSequences ? new TensorShape(inputShape[0], HiddenSize) : new TensorShape(HiddenSize);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        int n = input.BatchSize, t = Steps, f = Features, h = HiddenSize, gh = Gates * h;
        EnsureBuffers(n);
        var wih = WeightIh.Value.Span;
        var whh = WeightHh.Value.Span;
        Gemm.Product(input.Span, false, wih, true, _xp, n * t, f, gh, accumulate: false, BiasIh.Value.Span, GemmBias.PerColumn, relu: false);
        Array.Clear(_h, 0, n * h);
        var outSpan = output.Span;
        for (int step = 0; step < t; step++)
        {
            var hPrev = _h.AsSpan(step * n * h, n * h);
            var hNow = _h.AsSpan((step + 1) * n * h, n * h);
            var hp = _hp.AsSpan(step * n * gh, n * gh);
            Gemm.Product(hPrev, false, whh, true, hp, n, h, gh, accumulate: false, BiasHh.Value.Span, GemmBias.PerColumn, relu: false);
            for (int s = 0; s < n; s++)
            {
                var hRow = hNow.Slice(s * h, h);
                StepForward(step, s, _xp.AsSpan((s * t + step) * gh, gh), hp.Slice(s * gh, gh), hPrev.Slice(s * h, h), hRow);
                if (ReturnSequences)
                {
                    hRow.CopyTo(outSpan.Slice((s * t + step) * h, h));
                }
                else if (step == t - 1)
                {
                    hRow.CopyTo(outSpan.Slice(s * h, h));
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException($"{Kind}: backward called before forward.");
        int n = outputGradient.BatchSize, t = Steps, f = Features, h = HiddenSize, gh = Gates * h;
        var dOut = outputGradient.Span;
        var whh = WeightHh.Value.Span;
        var dWhh = WeightHh.Gradient.Span;
        var dbHh = BiasHh.Gradient.Span;
        Array.Clear(_dhNext, 0, n * h);
        bool record = RecordsStepGradients;
        if (record && _stepNorms.Length != t)
        {
            _stepNorms = new float[t];
        }

        _stepNormsRecorded = record;
        BeginBackward(n);
        for (int step = t - 1; step >= 0; step--)
        {
            var hPrev = _h.AsSpan(step * n * h, n * h);
            var hNow = _h.AsSpan((step + 1) * n * h, n * h);
            var hp = _hp.AsSpan(step * n * gh, n * gh);
            double normSum = 0;
            for (int s = 0; s < n; s++)
            {
                var dh = _dh.AsSpan(s * h, h);
                _dhNext.AsSpan(s * h, h).CopyTo(dh);
                if (ReturnSequences)
                {
                    TensorPrimitives.Add(dh, dOut.Slice((s * t + step) * h, h), dh);
                }
                else if (step == t - 1)
                {
                    TensorPrimitives.Add(dh, dOut.Slice(s * h, h), dh);
                }

                if (record)
                {
                    normSum += TensorPrimitives.Norm<float>(dh);
                }

                StepBackward(step, s, _xp.AsSpan((s * t + step) * gh, gh), hp.Slice(s * gh, gh), hPrev.Slice(s * h, h), hNow.Slice(s * h, h), dh,
                    _dxp.AsSpan((s * t + step) * gh, gh), _dhp.AsSpan(s * gh, gh), _dhNext.AsSpan(s * h, h));
            }

            if (record)
            {
                _stepNorms[step] = (float)(normSum / n);
            }

            var dhp = _dhp.AsSpan(0, n * gh);
            Gemm.AddTransposedAB(dhp, hPrev, dWhh, n, gh, h, []);
            for (int s = 0; s < n; s++)
            {
                TensorPrimitives.Add(dbHh, dhp.Slice(s * gh, gh), dbHh);
            }

            Gemm.MatMulAdd(dhp, whh, _dhNext, n, gh, h);
        }

        var dxp = _dxp.AsSpan(0, n * t * gh);
        Gemm.AddTransposedAB(dxp, input.Span, WeightIh.Gradient.Span, n * t, gh, f, []);
        var dbIh = BiasIh.Gradient.Span;
        for (int r = 0; r < n * t; r++)
        {
            TensorPrimitives.Add(dbIh, dxp.Slice(r * gh, gh), dbIh);
        }

        if (inputGradient is not null)
        {
            Gemm.MatMul(dxp, WeightIh.Value.Span, inputGradient.Span, n * t, gh, f);
        }
    }

    /// <summary>Allocates the cell's own per-step storage for a batch of <paramref name="batch"/> (called when it changes).</summary>
    private protected abstract void AllocateCell(int batch);

    /// <summary>Resets the cell's carried gradients (the LSTM's dL/dc) before a backward pass.</summary>
    private protected virtual void BeginBackward(int batch)
    {
    }

    /// <summary>
    /// One step for one sample: h from the input projection <paramref name="xp"/> (x_t W_ih^T + b_ih, [G*H]), the
    /// recurrent projection <paramref name="hp"/> (h_{t-1} W_hh^T + b_hh, [G*H]) and h_{t-1}; keeps what
    /// <see cref="StepBackward"/> needs under (step, sample).
    /// </summary>
    private protected abstract void StepForward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, Span<float> h);

    /// <summary>
    /// Backward of one step for one sample, given dL/dh_t in <paramref name="dh"/>: writes dL/dxp, dL/dhp, and in
    /// <paramref name="dhPrevDirect"/> the part of dL/dh_{t-1} that does not pass through W_hh (zero except for the GRU).
    /// </summary>
    private protected abstract void StepBackward(int step, int sample, ReadOnlySpan<float> xp, ReadOnlySpan<float> hp, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> h,
        ReadOnlySpan<float> dh, Span<float> dxp, Span<float> dhp, Span<float> dhPrevDirect);

    private void EnsureBuffers(int n)
    {
        if (n == _batch)
        {
            return;
        }

        int t = Steps, h = HiddenSize, gh = Gates * h;
        _xp = new float[n * t * gh];
        _hp = new float[t * n * gh];
        _h = new float[(t + 1) * n * h];
        _dxp = new float[n * t * gh];
        _dhp = new float[n * gh];
        _dh = new float[n * h];
        _dhNext = new float[n * h];
        AllocateCell(n);
        _batch = n;
    }
}
