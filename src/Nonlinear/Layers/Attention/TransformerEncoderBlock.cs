using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// A pre-norm transformer encoder block that owns its sub-layers (so Sequential stays a plain chain):
/// h = x + attention(norm1(x)), y = h + linear2(gelu(linear1(norm2(h)))).
/// </summary>
/// <remarks>
/// <para>Shapes: per sample [T, D] → [T, D]. The feed-forward acts on each position alone (D → ff → D): its dense
/// layers see the batch as N·T rows of D features through reshaped views of the same buffers.</para>
/// <para>Parameters carry PyTorch's nn.TransformerEncoderLayer names (norm_first=True, activation="gelu",
/// batch_first=True, dropout=0), so weights map one to one: self_attn.in_proj_weight, self_attn.in_proj_bias,
/// self_attn.out_proj.weight, self_attn.out_proj.bias, linear1.weight, linear1.bias, linear2.weight,
/// linear2.bias, norm1.weight, norm1.bias, norm2.weight, norm2.bias (PyTorch's order).</para>
/// <para>Initial values are drawn as PyTorch 1.13 draws them (same distributions, not the same numbers), so training
/// compares fairly: linear1 and linear2 as nn.Linear (weights kaiming_uniform(a=√5) = U(±1/√fan_in), biases
/// U(±1/√fan_in)); the attention's in_proj_weight xavier_uniform, in_proj_bias and out_proj.bias 0, out_proj.weight
/// U(±1/√D) (see <see cref="MultiHeadAttention"/>); the norms γ = 1, β = 0. The model's initializer is ignored.</para>
/// <para>Backward: dh = dy + norm2ᵀ(linear1ᵀ(gelu'(linear2ᵀ dy))), dx = dh + norm1ᵀ(attentionᵀ dh), each sub-layer
/// accumulating its own parameter gradients.</para>
/// </remarks>
/// <example><c>new TransformerEncoderBlock(heads: 4, feedForward: 256, causal: true)</c>; spec token
/// <c>transformer:d=64,heads=4,ff=256:causal</c> (d is the input's last dimension, checked at build).</example>
public sealed class TransformerEncoderBlock : Layer
{
    private readonly LayerNorm _norm1 = new();
    private readonly LayerNorm _norm2 = new();
    private readonly MultiHeadAttention _attention;
    private readonly Dense _linear1;
    private readonly ActivationLayer _gelu = new(new Gelu());
    private Dense? _linear2;
    private Parameter[] _parameters = [];
    private Tensor? _residual, _residualGradient;
    private Tensor? _normSource, _normView, _dySource, _dyView, _dNormSource, _dNormView;
    private int _t, _d;

    /// <summary>A block with <paramref name="heads"/> attention heads and a feed-forward of <paramref name="feedForward"/> units.</summary>
    public TransformerEncoderBlock(int heads, int feedForward, bool causal = false, int? modelDimension = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(feedForward, 1);
        _attention = new MultiHeadAttention(heads, causal);
        _linear1 = new Dense(feedForward);
        FeedForward = feedForward;
        ModelDimension = modelDimension;
    }

    /// <summary>The width of the hidden feed-forward layer.</summary>
    public int FeedForward { get; }

    /// <summary>D as written in the spec (null: taken from the input); the input's last dimension must match it.</summary>
    public int? ModelDimension { get; }

    /// <summary>The self-attention sub-layer.</summary>
    public MultiHeadAttention Attention => _attention;

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture,
        $"transformer:{(ModelDimension ?? (IsBuilt ? _d : null)) switch { int d => $"d={d},", null => "" }}heads={_attention.Heads},ff={FeedForward}{(_attention.Causal ? ":causal" : "")}");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2)
        {
            throw new ArgumentException($"transformer takes a sequence [T, D] per sample; found {inputShape}.");
        }

        _t = inputShape[0];
        _d = inputShape[1];
        if (ModelDimension is int d && d != _d)
        {
            throw new ArgumentException($"transformer:d={d} receives sequences of dimension {_d}.");
        }

        _norm1.Build(inputShape, initializer, random);
        _attention.Build(inputShape, initializer, random);
        _norm2.Build(inputShape, initializer, random);
        _linear1.Build(new TensorShape(_d), Initializer.Glorot, random);
        LinearDefault(_linear1, random);
        _gelu.Build(new TensorShape(FeedForward), initializer, random);
        _linear2 = new Dense(_d);
        _linear2.Build(new TensorShape(FeedForward), Initializer.Glorot, random);
        LinearDefault(_linear2, random);
        _parameters =
        [
            .. _attention.Parameters.Select(p => new Parameter("self_attn." + p.Name, p)),
            new Parameter("linear1.weight", _linear1.Weight), new Parameter("linear1.bias", _linear1.Bias),
            new Parameter("linear2.weight", _linear2.Weight), new Parameter("linear2.bias", _linear2.Bias),
            new Parameter("norm1.weight", _norm1.Gamma), new Parameter("norm1.bias", _norm1.Beta),
            new Parameter("norm2.weight", _norm2.Gamma), new Parameter("norm2.bias", _norm2.Beta),
        ];
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        int n = input.BatchSize;
        var linear2 = _linear2!;
        var attended = _attention.Forward(_norm1.Forward(input, training), training);
        var residual = Buffer(ref _residual, n, InputShape);
        TensorPrimitives.Add(input.Span, attended.Span, residual.Span);
        var normed = View(ref _normSource, ref _normView, _norm2.Forward(residual, training), n * _t, _d);
        var fed = linear2.Forward(_gelu.Forward(_linear1.Forward(normed, training), training), training);
        TensorPrimitives.Add(residual.Span, fed.Span, output.Span);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        int n = outputGradient.BatchSize;
        var linear2 = _linear2!;
        var dy = View(ref _dySource, ref _dyView, outputGradient, n * _t, _d);
        var dNormed = _linear1.Backward(_gelu.Backward(linear2.Backward(dy)));
        var dFromNorm2 = _norm2.Backward(View(ref _dNormSource, ref _dNormView, dNormed, n, _t, _d));
        var dResidual = Buffer(ref _residualGradient, n, InputShape);
        TensorPrimitives.Add(outputGradient.Span, dFromNorm2.Span, dResidual.Span);
        var dAttention = _attention.Backward(dResidual);
        if (inputGradient is null)
        {
            _norm1.BackwardParameters(dAttention);
            return;
        }

        TensorPrimitives.Add(dResidual.Span, _norm1.Backward(dAttention).Span, inputGradient.Span);
    }

    /// <summary>
    /// Redraws a built dense layer as PyTorch's nn.Linear.reset_parameters: weight kaiming_uniform_(a=√5), whose
    /// bound gain·√(3/fan_in) with gain = √(2/(1+a²)) is 1/√fan_in, and bias U(±1/√fan_in).
    /// </summary>
    private static void LinearDefault(Dense layer, Random random)
    {
        double bound = 1 / Math.Sqrt(layer.InputShape[-1]);
        Uniform(layer.Weight.Value.Span);
        Uniform(layer.Bias.Value.Span);

        void Uniform(Span<float> values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            }
        }
    }

    /// <summary>A reshaped view of <paramref name="tensor"/>, cached while the tensor (a layer-owned buffer) is the same.</summary>
    private static Tensor View(ref Tensor? source, ref Tensor? view, Tensor tensor, params ReadOnlySpan<int> shape)
    {
        if (!ReferenceEquals(source, tensor) || view is null)
        {
            source = tensor;
            view = tensor.Reshape(shape);
        }

        return view;
    }
}
