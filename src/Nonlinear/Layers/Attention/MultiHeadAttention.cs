using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017) with PyTorch's nn.MultiheadAttention layout
/// (batch_first=True, query = key = value = the input): weights map one to one.
/// </summary>
/// <remarks>
/// <para>Shapes: per sample [T, D] → [T, D]; D must be divisible by the number of heads h, d_k = D / h.</para>
/// <para>Forward: [Q | K | V] = x W_inᵀ + b_in with the packed "in_proj_weight" [3D, D] and "in_proj_bias" [3D];
/// head i uses columns i·d_k … (i+1)·d_k − 1 of Q, K and V; per head S = Q Kᵀ / √d_k (the scaling can be turned
/// off, to show the softmax saturating), with S[t, u] = −∞ for u &gt; t when causal; P = softmax(S) row by row
/// with the catalog's stable softmax kernel; O = P V; the heads are concatenated and y = O W_outᵀ + b_out
/// ("out_proj.weight" [D, D], "out_proj.bias" [D]). No dropout.</para>
/// <para>Backward: dW_out += dyᵀ O, dO = dy W_out; per head dP = dO Vᵀ, dV = Pᵀ dO, dS = P ⊙ (dP − rowsum(dP ⊙ P))
/// (masked entries have P = 0 and get no gradient), dQ = scale · dS K, dK = scale · dSᵀ Q; dW_in += d[Q|K|V]ᵀ x,
/// dx = d[Q|K|V] W_in.</para>
/// <para>Speed: the projections are single GEMMs over all N·T rows; the per-head work reads each head in place from
/// the packed projections (<see cref="AttentionKernel"/>, no split or merge copies) and is split over the worker
/// team by (sample, head) pairs, each pair running the catalog's softmax on its own [T, T] block. When causal,
/// entries above the diagonal are neither computed nor read (P is exactly 0 there).</para>
/// <para>Initialisation as PyTorch: in_proj_weight Glorot-uniform (fan-in D, fan-out 3D), out_proj.weight
/// uniform ±1/√D, both biases 0. Biases are not weight-decayed.</para>
/// </remarks>
/// <example><c>new MultiHeadAttention(heads: 4, causal: true)</c>; spec token <c>attention:heads=4:causal</c>
/// (<c>:unscaled</c> drops the 1/√d_k).</example>
public sealed class MultiHeadAttention : Layer
{
    private Parameter? _inWeight, _inBias, _outWeight, _outBias;
    private Tensor? _input;
    private int _t, _d, _dk, _batch = -1;

    /// <summary>Below this many multiply-adds per head loop (N·h·T²·d_k) the pairs stay on one thread (settable for tests).</summary>
    internal static long HeadParallelWork { get; set; } = 1 << 16;

    // Buffers, reused while the batch size is unchanged: packed projections [N·T, 3D] (head i of Q at columns
    // i·d_k, of K at D + i·d_k, of V at 2D + i·d_k: heads are read in place), P and dS [N, h, T, T], the
    // concatenated head outputs [N·T, D] and their gradient, and the packed d[Q|K|V] [N·T, 3D].
    private float[] _qkv = [], _probabilities = [], _context = [];
    private float[] _dContext = [], _dScores = [], _dQkv = [];

    // Per-part scratch of the (sample, head) loops, and the reusable parallel job.
    private float[][] _scratch = [];
    private HeadJob? _job;

    /// <summary>Self-attention with <paramref name="heads"/> heads; <paramref name="causal"/> hides later positions;
    /// <paramref name="scaled"/> = false drops the 1/√d_k scaling of the scores.</summary>
    public MultiHeadAttention(int heads, bool causal = false, bool scaled = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        Heads = heads;
        Causal = causal;
        Scaled = scaled;
    }

    /// <summary>Number of heads h.</summary>
    public int Heads { get; }

    /// <summary>Whether position t attends only to positions ≤ t.</summary>
    public bool Causal { get; }

    /// <summary>Whether the scores are divided by √d_k (true, the standard; false for the scaling demonstration).</summary>
    public bool Scaled { get; }

    /// <summary>in_proj_weight [3D, D] (rows: W_q, W_k, W_v), once built.</summary>
    public Parameter InProjectionWeight => _inWeight ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>in_proj_bias [3D], once built.</summary>
    public Parameter InProjectionBias => _inBias ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>out_proj.weight [D, D], once built.</summary>
    public Parameter OutProjectionWeight => _outWeight ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>out_proj.bias [D], once built.</summary>
    public Parameter OutProjectionBias => _outBias ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>
    /// The attention rows P of the last forward, [N, h, T, T] flat (row t of head i of sample n holds the weights
    /// position t gives to every position); empty before the first forward. Diagnostics read it (entropy per head).
    /// </summary>
    public ReadOnlySpan<float> AttentionWeights => _probabilities;

    /// <summary>
    /// The gradient reaching the softmax in the last backward, dL/dS [N, h, T, T] flat, laid out as
    /// <see cref="AttentionWeights"/>: S are the scores the softmax receives (already divided by √d_k when scaled),
    /// so dS = P ⊙ (dP − rowsum(dP ⊙ P)); masked entries are 0. A view of the layer's buffer (no copy: read it before
    /// the next backward); empty before the first forward. The attention-scale demonstration reads its magnitude
    /// (a saturated softmax passes almost no gradient).
    /// </summary>
    public ReadOnlySpan<float> ScoreGradients => _dScores;

    /// <inheritdoc/>
    public override string Spec => $"attention:heads={Heads.ToString(CultureInfo.InvariantCulture)}{(Causal ? ":causal" : "")}{(Scaled ? "" : ":unscaled")}";

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _inWeight is null ? [] : [_inWeight, _inBias!, _outWeight!, _outBias!];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2 || inputShape.Length == 0)
        {
            throw new ArgumentException($"{Spec} takes a sequence [T, D] per sample; found {inputShape}.");
        }

        _t = inputShape[0];
        _d = inputShape[1];
        if (_d % Heads != 0)
        {
            throw new ArgumentException($"{Spec}: the model dimension D = {_d} is not divisible by {Heads} heads.");
        }

        _dk = _d / Heads;
        _inWeight = new Parameter("in_proj_weight", new Tensor(3 * _d, _d));
        _inBias = new Parameter("in_proj_bias", new Tensor(3 * _d), decays: false);
        _outWeight = new Parameter("out_proj.weight", new Tensor(_d, _d));
        _outBias = new Parameter("out_proj.bias", new Tensor(_d), decays: false);
        Initialization.Fill(_inWeight.Value.Span, Initializer.Glorot, _d, 3 * _d, random);
        var w = _outWeight.Value.Span;
        double limit = 1 / Math.Sqrt(_d);
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (float)((random.NextDouble() * 2 - 1) * limit);
        }

        _batch = -1;
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        int n = input.BatchSize, d = _d, rows = n * _t;
        Allocate(n);
        Gemm.Product(input.Span, false, InProjectionWeight.Value.Span, true, _qkv, rows, d, 3 * d, false, InProjectionBias.Value.Span, GemmBias.PerColumn, relu: false);
        RunHeads(backward: false);
        Gemm.Product(_context, false, OutProjectionWeight.Value.Span, true, output.Span, rows, d, d, false, OutProjectionBias.Value.Span, GemmBias.PerColumn, relu: false);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("attention: backward called before forward.");
        int n = input.BatchSize, d = _d, rows = n * _t;
        var dy = outputGradient.Span;
        Gemm.AddTransposedAB(dy, _context, OutProjectionWeight.Gradient.Span, rows, d, d, []);
        AddRowSums(dy, OutProjectionBias.Gradient.Span, rows, d);
        Gemm.MatMul(dy, OutProjectionWeight.Value.Span, _dContext, rows, d, d);
        RunHeads(backward: true);
        Gemm.AddTransposedAB(_dQkv, input.Span, InProjectionWeight.Gradient.Span, rows, 3 * d, d, []);
        AddRowSums(_dQkv, InProjectionBias.Gradient.Span, rows, 3 * d);
        if (inputGradient is not null)
        {
            Gemm.MatMul(_dQkv, InProjectionWeight.Value.Span, inputGradient.Span, rows, 3 * d, d);
        }
    }

    /// <summary>
    /// The per-(sample, head) part of the forward or backward for all N·h pairs, split over the worker team in
    /// contiguous ranges of pairs when there is enough work (each pair is independent and writes only its own
    /// rows and columns), else on this thread.
    /// </summary>
    private void RunHeads(bool backward)
    {
        int pairs = _batch * Heads;
        long work = (long)pairs * _t * _t * _dk;
        int parts = work < HeadParallelWork ? 1 : Math.Min(Engine.MaxThreads, pairs);
        EnsureScratch(parts);
        _job ??= new HeadJob(this);
        _job.Backward = backward;
        _job.Parts = parts;
        WorkerPool.Run(parts, _job);
    }

    /// <summary>Pairs first … last − 1 of the forward: S, P = softmax(S), O = P V, read and written in place.</summary>
    private unsafe void ForwardPairs(int first, int last, float[] scratch)
    {
        int t = _t, d = _d, dk = _dk, h = Heads, ld = 3 * d, scoreSize = t * t;
        float scale = Scale;
        fixed (float* qkv = _qkv, probabilities = _probabilities, context = _context, work = scratch)
        {
            float* row = work + dk * AttentionKernel.Padded(t);
            for (int pair = first; pair < last; pair++)
            {
                int s = pair / h, a = pair % h;
                float* q = qkv + (long)s * t * ld + a * dk;
                float* p = probabilities + (long)pair * scoreSize;
                AttentionKernel.Scores(q, ld, q + d, ld, p, t, dk, scale, Causal, float.NegativeInfinity, work, row);
                var block = new Span<float>(p, scoreSize);
                SoftmaxKernel.Forward(block, block, t, log: false);
                AttentionKernel.Combine(p, false, q + 2 * d, ld, context + (long)s * t * d + a * dk, d, t, dk, 1f, Causal);
            }
        }
    }

    /// <summary>
    /// Pairs first … last − 1 of the backward: dP = dO Vᵀ, dV = Pᵀ dO, dS = softmax backward (kept for
    /// <see cref="ScoreGradients"/>), dQ = scale dS K, dK = scale dSᵀ Q, written into the packed d[Q|K|V].
    /// </summary>
    private unsafe void BackwardPairs(int first, int last, float[] scratch)
    {
        int t = _t, d = _d, dk = _dk, h = Heads, ld = 3 * d, scoreSize = t * t;
        float scale = Scale;
        fixed (float* qkv = _qkv, dQkv = _dQkv, probabilities = _probabilities, dScores = _dScores, dContext = _dContext, work = scratch)
        {
            float* row = work + dk * AttentionKernel.Padded(t);
            float* dP = row + AttentionKernel.Padded(t);
            for (int pair = first; pair < last; pair++)
            {
                int s = pair / h, a = pair % h;
                long offset = (long)s * t * ld + a * dk;
                float* q = qkv + offset;
                float* dq = dQkv + offset;
                float* dO = dContext + (long)s * t * d + a * dk;
                float* p = probabilities + (long)pair * scoreSize;
                float* dS = dScores + (long)pair * scoreSize;
                // Masked entries have P = 0: their dP (set to 0) does not reach dS.
                AttentionKernel.Scores(dO, d, q + 2 * d, ld, dP, t, dk, 1f, Causal, 0f, work, row);
                AttentionKernel.Combine(p, true, dO, d, dq + 2 * d, ld, t, dk, 1f, Causal);
                SoftmaxKernel.Backward(new ReadOnlySpan<float>(p, scoreSize), new ReadOnlySpan<float>(dP, scoreSize), new Span<float>(dS, scoreSize), t, log: false);
                AttentionKernel.Combine(dS, false, q + d, ld, dq, ld, t, dk, scale, Causal);
                AttentionKernel.Combine(dS, true, q, ld, dq + d, ld, t, dk, scale, Causal);
            }
        }
    }

    private float Scale => Scaled ? (float)(1 / Math.Sqrt(_dk)) : 1f;

    /// <summary>Per-part scratch: Bᵀ [d_k, T̃], one row [T̃] and dP [T, T] (T̃ = T rounded up to 16).</summary>
    private void EnsureScratch(int parts)
    {
        int tp = AttentionKernel.Padded(_t), length = _dk * tp + tp + _t * _t;
        if (_scratch.Length < parts)
        {
            Array.Resize(ref _scratch, parts);
        }

        for (int i = 0; i < parts; i++)
        {
            if (_scratch[i] is not { } buffer || buffer.Length != length)
            {
                _scratch[i] = new float[length];
            }
        }
    }

    /// <summary>The reusable parallel job over (sample, head) pairs (no allocation per call).</summary>
    private sealed class HeadJob(MultiHeadAttention layer) : IParallelJob
    {
        public bool Backward { get; set; }

        public int Parts { get; set; }

        public void Execute(int part)
        {
            int pairs = layer._batch * layer.Heads;
            int first = (int)((long)pairs * part / Parts), last = (int)((long)pairs * (part + 1) / Parts);
            if (Backward)
            {
                layer.BackwardPairs(first, last, layer._scratch[part]);
            }
            else
            {
                layer.ForwardPairs(first, last, layer._scratch[part]);
            }
        }
    }

    private static void AddRowSums(ReadOnlySpan<float> rows, Span<float> sums, int count, int width)
    {
        for (int r = 0; r < count; r++)
        {
            TensorPrimitives.Add(sums, rows.Slice(r * width, width), sums);
        }
    }

    private void Allocate(int n)
    {
        if (n == _batch)
        {
            return;
        }

        _batch = n;
        int rows = n * _t, scores = n * Heads * _t * _t;
        _qkv = new float[rows * 3 * _d];
        _probabilities = new float[scores];
        _context = new float[rows * _d];
        _dContext = new float[rows * _d];
        _dScores = new float[scores];
        _dQkv = new float[rows * 3 * _d];
    }
}
