using System.Globalization;
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
/// <see cref="ReturnSequences"/>. The initial state is zero.
/// <para>
/// Everything kept between forward and backward is time-major ([T, N, ...]), so that one step of the whole batch is
/// one contiguous block. Forward: the input (copied time-major) is projected for all steps in one product,
/// xp = x W_ih^T + b_ih ([T*N, G*H]); then each step does one product over the batch, hp = h_{t-1} W_hh^T + b_hh
/// ([N, G*H]) — added straight into xp_t when the cell only needs the sum (RNN, LSTM) — and the cell over the
/// batch rows, split over the worker threads. Backward walks the steps in reverse: dL/dh_t is complete in
/// <see cref="StateGradients"/> (what the later step sent back plus the output's gradient), the cell gives dL/dxp_t
/// and dL/dhp_t, and one product sends dhp_t W_hh back to h_{t-1}. The weight gradients wait until the end:
/// dW_hh = dhp^T h_{0..T-1} and dW_ih = dxp^T x are each one product over all T*N rows, dx = dxp W_ih another.
/// </para>
/// Initialisation is PyTorch's: every weight and bias uniform in [-1/sqrt(H), 1/sqrt(H)].
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    /// <summary>Below this many floats per step ([N, G*H]) the cell runs on the calling thread alone.</summary>
    private const int ParallelCellWork = 8192;

    private readonly CellJob _job;
    private Parameter? _weightIh;
    private Parameter? _weightHh;
    private Parameter? _biasIh;
    private Parameter? _biasHh;
    private Tensor? _output;
    private Tensor? _outputGradient;
    private float[] _x = [];
    private float[] _xp = [];
    private float[] _hp = [];
    private float[] _h = [];
    private float[] _dxp = [];
    private float[] _dhp = [];
    private float[] _dh = [];
    private float[] _dhNext = [];
    private float[] _dx = [];
    private float[] _biasSum = [];
    private int _batch = -1;

    /// <summary>A recurrent layer with <paramref name="hiddenSize"/> units and <paramref name="gates"/> stacked gates.</summary>
    private protected RecurrentLayer(int hiddenSize, int gates, bool returnSequences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        HiddenSize = hiddenSize;
        Gates = gates;
        ReturnSequences = returnSequences;
        _job = new CellJob(this);
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

    /// <summary>The spec token's name ("rnn", "lstm", "gru").</summary>
    private protected abstract string Kind { get; }

    /// <summary>Extra spec arguments between the size and ":seq" (the RNN's activation), or empty.</summary>
    private protected virtual string SpecArguments => "";

    /// <summary>
    /// Whether the cell needs the recurrent projection hp apart from the input projection xp (the GRU, whose reset
    /// gate multiplies W_hn h + b_hn alone). Otherwise hp is added into xp, which then holds the pre-activations,
    /// and dL/dhp is dL/dxp.
    /// </summary>
    private protected virtual bool KeepsRecurrentProjection => false;

    /// <summary>Whether h_{t-1} also reaches h_t other than through W_hh (the GRU's z ⊙ h_{t-1}).</summary>
    private protected virtual bool PassesStateDirectly => false;

    /// <summary>N, the batch size of the last forward pass.</summary>
    private protected int Batch => _batch;

    /// <summary>
    /// The input projections [T, N, G*H]: x_t W_ih^T + b_ih, plus h_{t-1} W_hh^T + b_hh (the pre-activations)
    /// unless <see cref="KeepsRecurrentProjection"/>.
    /// </summary>
    private protected float[] InputProjections => _xp;

    /// <summary>The recurrent projections h_{t-1} W_hh^T + b_hh [T, N, G*H] (only when <see cref="KeepsRecurrentProjection"/>).</summary>
    private protected float[] RecurrentProjections => _hp;

    /// <summary>The hidden states [T + 1, N, H]: block 0 is h_0 = 0, block t + 1 is h_t of step t.</summary>
    private protected float[] States => _h;

    /// <summary>
    /// dL/dh_t [T, N, H] from the last backward pass: the output's gradient at step t plus what step t + 1 sent back
    /// (through W_hh and, for the GRU, directly). Complete for step t when the cell's backward runs on it.
    /// </summary>
    private protected float[] StateGradients => _dh;

    /// <summary>dL/dxp [T, N, G*H], written by the cell's backward.</summary>
    private protected float[] InputProjectionGradients => _dxp;

    /// <summary>dL/dhp [T, N, G*H], written by the cell's backward (the same array as dL/dxp unless <see cref="KeepsRecurrentProjection"/>).</summary>
    private protected float[] RecurrentProjectionGradients => _dhp;

    /// <summary>[N, H]: where the GRU's backward writes the direct part of dL/dh_{t-1} (<see cref="PassesStateDirectly"/>).</summary>
    private protected float[] DirectStateGradient => _dhNext;

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
        int n = input.BatchSize, t = Steps, f = Features, h = HiddenSize, gh = Gates * h;
        EnsureBuffers(n);
        ToTimeMajor(input.Span, _x, n, t, f);
        var whh = WeightHh.Value.Span;
        var bhh = BiasHh.Value.Span;
        Gemm.Product(_x, false, WeightIh.Value.Span, true, _xp, t * n, f, gh, accumulate: false, BiasIh.Value.Span, GemmBias.PerColumn, relu: false);
        Array.Clear(_h, 0, n * h);
        _output = output;
        for (int step = 0; step < t; step++)
        {
            var hPrev = _h.AsSpan(step * n * h, n * h);
            if (KeepsRecurrentProjection)
            {
                Gemm.Product(hPrev, false, whh, true, _hp.AsSpan(step * n * gh, n * gh), n, h, gh, accumulate: false, bhh, GemmBias.PerColumn, relu: false);
            }
            else
            {
                Gemm.Product(hPrev, false, whh, true, _xp.AsSpan(step * n * gh, n * gh), n, h, gh, accumulate: true, bhh, GemmBias.PerColumn, relu: false);
            }

            RunCell(step, backward: false);
        }

        _output = null;
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        int n = outputGradient.BatchSize, t = Steps, f = Features, h = HiddenSize, gh = Gates * h;
        if (n != _batch)
        {
            throw new InvalidOperationException($"{Kind}: backward called before forward, or with another batch size.");
        }

        var whh = WeightHh.Value.Span;
        Array.Clear(_dhNext, 0, n * h);
        BeginBackward(n);
        _outputGradient = outputGradient;
        for (int step = t - 1; step >= 0; step--)
        {
            // The cell's backward first completes dL/dh_t (StateGradients) from _dhNext and the output's gradient.
            RunCell(step, backward: true);
            if (step > 0)
            {
                Gemm.Product(_dhp.AsSpan(step * n * gh, n * gh), false, whh, false, _dhNext, n, gh, h, accumulate: PassesStateDirectly);
            }
        }

        _outputGradient = null;

        // The weight gradients of all steps at once: sums over the T*N rows of the time-major buffers.
        Gemm.Product(_dhp, true, _h.AsSpan(0, t * n * h), false, WeightHh.Gradient.Span, gh, t * n, h, accumulate: true);
        Gemm.Product(_dxp, true, _x, false, WeightIh.Gradient.Span, gh, t * n, f, accumulate: true);
        ColumnSums(_dxp, t * n, gh, _biasSum);
        TensorPrimitives.Add(BiasIh.Gradient.Span, _biasSum, BiasIh.Gradient.Span);
        if (KeepsRecurrentProjection)
        {
            ColumnSums(_dhp, t * n, gh, _biasSum);
        }

        TensorPrimitives.Add(BiasHh.Gradient.Span, _biasSum, BiasHh.Gradient.Span);

        if (inputGradient is not null)
        {
            Gemm.MatMul(_dxp, WeightIh.Value.Span, _dx, t * n, gh, f);
            FromTimeMajor(_dx, inputGradient.Span, n, t, f);
        }
    }

    /// <summary>Allocates the cell's own per-step storage for a batch of <paramref name="batch"/> (called when it changes).</summary>
    private protected abstract void AllocateCell(int batch);

    /// <summary>Resets the cell's carried gradients (the LSTM's dL/dc) before a backward pass.</summary>
    private protected virtual void BeginBackward(int batch)
    {
    }

    /// <summary>
    /// The cell at <paramref name="step"/> for batch rows [<paramref name="first"/>, <paramref name="last"/>): h_t (block
    /// step + 1 of <see cref="States"/>) from the projections of the step and h_{t-1}; keeps what backward needs.
    /// Runs on several threads at once, on disjoint rows.
    /// </summary>
    private protected abstract void ForwardRows(int step, int first, int last);

    /// <summary>
    /// Backward of the cell at <paramref name="step"/> for rows [<paramref name="first"/>, <paramref name="last"/>), given
    /// dL/dh_t in <see cref="StateGradients"/>: writes dL/dxp and dL/dhp of the step, and (only when
    /// <see cref="PassesStateDirectly"/>) the direct part of dL/dh_{t-1} into <see cref="DirectStateGradient"/>.
    /// </summary>
    private protected abstract void BackwardRows(int step, int first, int last);

    /// <summary>The offset of row <paramref name="row"/> of block <paramref name="step"/> in a time-major buffer of rows of <paramref name="width"/>.</summary>
    private protected int At(int step, int row, int width) => (step * _batch + row) * width;

    /// <summary>Runs the cell of one step over the batch rows, split over the workers when the step is big enough.</summary>
    private void RunCell(int step, bool backward)
    {
        int n = _batch;
        int parts = (long)n * Gates * HiddenSize < ParallelCellWork ? 1 : Math.Min(Engine.MaxThreads, n);
        _job.Step = step;
        _job.Backward = backward;
        _job.Parts = parts;
        WorkerPool.Run(parts, _job);
    }

    private void CellRows(int step, bool backward, int first, int last)
    {
        int t = Steps, h = HiddenSize;
        if (!backward)
        {
            ForwardRows(step, first, last);
            var output = _output!.Span;
            if (ReturnSequences || step == t - 1)
            {
                for (int s = first; s < last; s++)
                {
                    _h.AsSpan(At(step + 1, s, h), h).CopyTo(output.Slice(ReturnSequences ? (s * t + step) * h : s * h, h));
                }
            }

            return;
        }

        var dOut = _outputGradient!.Span;
        for (int s = first; s < last; s++)
        {
            var dh = _dh.AsSpan(At(step, s, h), h);
            var carried = _dhNext.AsSpan(s * h, h);
            if (ReturnSequences || step == t - 1)
            {
                TensorPrimitives.Add(carried, dOut.Slice(ReturnSequences ? (s * t + step) * h : s * h, h), dh);
            }
            else
            {
                carried.CopyTo(dh);
            }
        }

        BackwardRows(step, first, last);
    }

    /// <summary>[N, T, F] to [T, N, F].</summary>
    private static void ToTimeMajor(ReadOnlySpan<float> source, Span<float> destination, int n, int t, int f)
    {
        for (int s = 0; s < n; s++)
        {
            for (int step = 0; step < t; step++)
            {
                source.Slice((s * t + step) * f, f).CopyTo(destination.Slice((step * n + s) * f, f));
            }
        }
    }

    /// <summary>[T, N, F] to [N, T, F].</summary>
    private static void FromTimeMajor(ReadOnlySpan<float> source, Span<float> destination, int n, int t, int f)
    {
        for (int s = 0; s < n; s++)
        {
            for (int step = 0; step < t; step++)
            {
                source.Slice((step * n + s) * f, f).CopyTo(destination.Slice((s * t + step) * f, f));
            }
        }
    }

    /// <summary>sums[j] = Σ_r m[r, j] over the rows of a [rows, cols] matrix.</summary>
    private static void ColumnSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        sums.Clear();
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(sums, m.Slice(r * cols, cols), sums);
        }
    }

    private void EnsureBuffers(int n)
    {
        if (n == _batch)
        {
            return;
        }

        int t = Steps, f = Features, h = HiddenSize, gh = Gates * h;
        _x = new float[t * n * f];
        _xp = new float[t * n * gh];
        _hp = KeepsRecurrentProjection ? new float[t * n * gh] : [];
        _h = new float[(t + 1) * n * h];
        _dxp = new float[t * n * gh];
        _dhp = KeepsRecurrentProjection ? new float[t * n * gh] : _dxp;
        _dh = new float[t * n * h];
        _dhNext = new float[n * h];
        _dx = new float[t * n * f];
        _biasSum = new float[gh];
        _batch = n;
        AllocateCell(n);
    }

    /// <summary>One step of the cell over the batch rows, part p taking rows [N p / parts, N (p + 1) / parts); reused, so allocation-free.</summary>
    private sealed class CellJob(RecurrentLayer layer) : IParallelJob
    {
        public int Step { get; set; }

        public bool Backward { get; set; }

        public int Parts { get; set; }

        public void Execute(int part)
        {
            int n = layer._batch;
            int first = (int)((long)n * part / Parts), last = (int)((long)n * (part + 1) / Parts);
            if (first < last)
            {
                layer.CellRows(Step, Backward, first, last);
            }
        }
    }
}
