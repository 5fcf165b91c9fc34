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
/// <para>Backward: dW_out += dyᵀ O, dO = dy W_out; per head dP = dO Vᵀ, dV = Pᵀ dO, dS = P ⊙ (dP − rowsum(dP ⊙ P)) ·
/// scale (masked entries have P = 0 and get no gradient), dQ = dS K, dK = dSᵀ Q; dW_in += d[Q|K|V]ᵀ x,
/// dx = d[Q|K|V] W_in.</para>
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

    // Forward buffers, reused while the batch size is unchanged: [N·T, 3D], per head [N, h, T, d_k] and [N, h, T, T].
    private float[] _qkv = [], _q = [], _k = [], _v = [], _probabilities = [], _headOutput = [], _context = [];

    // Backward buffers.
    private float[] _dContext = [], _dHeadOutput = [], _dProbabilities = [], _dScores = [], _dq = [], _dk2 = [], _dv = [], _dQkv = [];

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
        int n = input.BatchSize, t = _t, d = _d, dk = _dk, h = Heads, rows = n * t;
        Allocate(n);
        Gemm.Product(input.Span, false, InProjectionWeight.Value.Span, true, _qkv, rows, d, 3 * d, false, InProjectionBias.Value.Span, GemmBias.PerColumn, relu: false);
        SplitHeads(_qkv, 0, _q);
        SplitHeads(_qkv, 1, _k);
        SplitHeads(_qkv, 2, _v);
        float scale = Scaled ? (float)(1 / Math.Sqrt(dk)) : 1f;
        int headSize = t * dk, scoreSize = t * t;
        for (int b = 0; b < n * h; b++)
        {
            var scores = _probabilities.AsSpan(b * scoreSize, scoreSize);
            Gemm.Product(_q.AsSpan(b * headSize, headSize), false, _k.AsSpan(b * headSize, headSize), true, scores, t, dk, t, false);
            if (scale != 1f)
            {
                TensorPrimitives.Multiply(scores, scale, scores);
            }

            if (Causal)
            {
                for (int i = 0; i < t - 1; i++)
                {
                    scores.Slice(i * t + i + 1, t - i - 1).Fill(float.NegativeInfinity);
                }
            }
        }

        // Softmax in place over all N·h·T rows of length T at once (the kernel splits rows over threads itself).
        SoftmaxKernel.Forward(_probabilities, _probabilities, t, log: false);
        for (int b = 0; b < n * h; b++)
        {
            Gemm.Product(_probabilities.AsSpan(b * scoreSize, scoreSize), false, _v.AsSpan(b * headSize, headSize), false, _headOutput.AsSpan(b * headSize, headSize), t, t, dk, false);
        }

        MergeHeads(_headOutput, _context);
        Gemm.Product(_context, false, OutProjectionWeight.Value.Span, true, output.Span, rows, d, d, false, OutProjectionBias.Value.Span, GemmBias.PerColumn, relu: false);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("attention: backward called before forward.");
        int n = input.BatchSize, t = _t, d = _d, dk = _dk, h = Heads, rows = n * t;
        var dy = outputGradient.Span;
        Gemm.AddTransposedAB(dy, _context, OutProjectionWeight.Gradient.Span, rows, d, d, []);
        AddRowSums(dy, OutProjectionBias.Gradient.Span, rows, d);
        Gemm.MatMul(dy, OutProjectionWeight.Value.Span, _dContext, rows, d, d);
        SplitContext(_dContext, _dHeadOutput);
        int headSize = t * dk, scoreSize = t * t;
        for (int b = 0; b < n * h; b++)
        {
            var dO = _dHeadOutput.AsSpan(b * headSize, headSize);
            Gemm.Product(dO, false, _v.AsSpan(b * headSize, headSize), true, _dProbabilities.AsSpan(b * scoreSize, scoreSize), t, dk, t, false);
            Gemm.Product(_probabilities.AsSpan(b * scoreSize, scoreSize), true, dO, false, _dv.AsSpan(b * headSize, headSize), t, t, dk, false);
        }

        SoftmaxKernel.Backward(_probabilities, _dProbabilities, _dScores, t, log: false);
        if (Scaled)
        {
            TensorPrimitives.Multiply(_dScores, (float)(1 / Math.Sqrt(dk)), _dScores);
        }

        for (int b = 0; b < n * h; b++)
        {
            var dS = _dScores.AsSpan(b * scoreSize, scoreSize);
            Gemm.Product(dS, false, _k.AsSpan(b * headSize, headSize), false, _dq.AsSpan(b * headSize, headSize), t, t, dk, false);
            Gemm.Product(dS, true, _q.AsSpan(b * headSize, headSize), false, _dk2.AsSpan(b * headSize, headSize), t, t, dk, false);
        }

        MergeHeadsInto(_dq, 0);
        MergeHeadsInto(_dk2, 1);
        MergeHeadsInto(_dv, 2);
        Gemm.AddTransposedAB(_dQkv, input.Span, InProjectionWeight.Gradient.Span, rows, 3 * d, d, []);
        AddRowSums(_dQkv, InProjectionBias.Gradient.Span, rows, 3 * d);
        if (inputGradient is not null)
        {
            Gemm.MatMul(_dQkv, InProjectionWeight.Value.Span, inputGradient.Span, rows, 3 * d, d);
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
        int rows = n * _t, heads = n * Heads * _t * _dk, scores = n * Heads * _t * _t;
        _qkv = new float[rows * 3 * _d];
        _q = new float[heads];
        _k = new float[heads];
        _v = new float[heads];
        _headOutput = new float[heads];
        _probabilities = new float[scores];
        _context = new float[rows * _d];
        _dContext = new float[rows * _d];
        _dHeadOutput = new float[heads];
        _dProbabilities = new float[scores];
        _dScores = new float[scores];
        _dq = new float[heads];
        _dk2 = new float[heads];
        _dv = new float[heads];
        _dQkv = new float[rows * 3 * _d];
    }

    /// <summary>Part (0 = Q, 1 = K, 2 = V) of the packed [N·T, 3D] projections into per-head [N, h, T, d_k].</summary>
    private void SplitHeads(ReadOnlySpan<float> qkv, int part, Span<float> heads)
    {
        int n = _batch, t = _t, d = _d, dk = _dk;
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int a = 0; a < Heads; a++)
                {
                    qkv.Slice(((s * t) + i) * 3 * d + part * d + a * dk, dk).CopyTo(heads.Slice((((s * Heads) + a) * t + i) * dk, dk));
                }
            }
        }
    }

    /// <summary>Per-head [N, h, T, d_k] into the concatenated [N·T, D].</summary>
    private void MergeHeads(ReadOnlySpan<float> heads, Span<float> context)
    {
        int n = _batch, t = _t, d = _d, dk = _dk;
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int a = 0; a < Heads; a++)
                {
                    heads.Slice((((s * Heads) + a) * t + i) * dk, dk).CopyTo(context.Slice(((s * t) + i) * d + a * dk, dk));
                }
            }
        }
    }

    /// <summary>The concatenated [N·T, D] into per-head [N, h, T, d_k].</summary>
    private void SplitContext(ReadOnlySpan<float> context, Span<float> heads)
    {
        int n = _batch, t = _t, d = _d, dk = _dk;
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int a = 0; a < Heads; a++)
                {
                    context.Slice(((s * t) + i) * d + a * dk, dk).CopyTo(heads.Slice((((s * Heads) + a) * t + i) * dk, dk));
                }
            }
        }
    }

    /// <summary>Per-head gradients [N, h, T, d_k] into part (0 = Q, 1 = K, 2 = V) of the packed [N·T, 3D].</summary>
    private void MergeHeadsInto(ReadOnlySpan<float> heads, int part)
    {
        int n = _batch, t = _t, d = _d, dk = _dk;
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < t; i++)
            {
                for (int a = 0; a < Heads; a++)
                {
                    heads.Slice((((s * Heads) + a) * t + i) * dk, dk).CopyTo(_dQkv.AsSpan(((s * t) + i) * 3 * d + part * d + a * dk, dk));
                }
            }
        }
    }
}
