using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Tensors;

namespace Nonlinear.Models;

/// <summary>
/// Layers applied in order: forward from first to last, backward from last to first.
/// </summary>
/// <remarks>
/// Build fixes the input shape and draws the initial weights from one seeded generator, each Dense or Conv2D
/// layer with the initializer that fits the activation after it (He before the ReLU family, Glorot before tanh,
/// sigmoid, identity or nothing, LeCun before SELU) unless the layer names its own. Layers that do not change the
/// activation's input distribution much (BatchNorm, Dropout, MaxPool2D, Flatten) are looked past, so
/// conv → batchnorm → relu gets He. The same seed gives the same weights, bit for bit. Parameters are named
/// "&lt;layer index&gt;.&lt;name&gt;", e.g. "0.weight"; layer state likewise, e.g. "1.running_mean".
/// </remarks>
/// <example><c>var model = Sequential.Parse("dense:16,tanh,dense:1"); model.Build(new TensorShape(2), seed: 1);</c></example>
public sealed class Sequential
{
    private readonly Layer[] _layers;
    private readonly List<Parameter> _parameters = [];
    private readonly List<string> _parameterNames = [];
    private readonly List<StateTensor> _state = [];
    private readonly List<string> _stateNames = [];
    private FlattenView?[]? _views;

    /// <summary>A model of the given layers (not yet built).</summary>
    public Sequential(IEnumerable<Layer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = layers.ToArray();
        if (_layers.Length == 0)
        {
            throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        }
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Every trainable parameter, in layer order (available once built).</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The model-wide name of each parameter, aligned with <see cref="Parameters"/>: "0.weight", "0.bias", ...</summary>
    public IReadOnlyList<string> ParameterNames => _parameterNames;

    /// <summary>
    /// Every layer's non-trainable state (e.g. batch normalisation's running statistics), in layer order, once
    /// built. Saved with the model; never given to an optimizer.
    /// </summary>
    public IReadOnlyList<StateTensor> State => _state;

    /// <summary>The model-wide name of each state tensor, aligned with <see cref="State"/>: "1.running_mean", ...</summary>
    public IReadOnlyList<string> StateNames => _stateNames;

    /// <summary>Total number of trainable scalars.</summary>
    public int ParameterCount => _parameters.Sum(p => p.Length);

    /// <summary>The spec that rebuilds this architecture.</summary>
    public string Spec => ModelSpec.Format(_layers);

    /// <summary>Per-sample input shape (once built).</summary>
    public TensorShape InputShape => _layers[0].InputShape;

    /// <summary>Per-sample output shape (once built).</summary>
    public TensorShape OutputShape => _layers[^1].OutputShape;

    /// <summary>Whether <see cref="Build"/> has run.</summary>
    public bool IsBuilt => _layers[^1].IsBuilt;

    /// <summary>Parses a spec such as "dense:16,tanh,dense:1" (see <see cref="ModelSpec"/>).</summary>
    /// <exception cref="ModelSpecException">A token is not a layer.</exception>
    public static Sequential Parse(string spec) => new(ModelSpec.Parse(spec));

    /// <summary>Fixes the per-sample input shape and initialises every parameter from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">A layer cannot take the shape the previous one produces (the message names the layer).</exception>
    public void Build(TensorShape inputShape, int seed)
    {
        var random = new Random(seed);
        var shape = inputShape;
        _parameters.Clear();
        _parameterNames.Clear();
        _state.Clear();
        _stateNames.Clear();
        for (int i = 0; i < _layers.Length; i++)
        {
            try
            {
                _layers[i].Build(shape, Initialization.For(NextActivation(i)?.Activation), random);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer {i + 1} ('{_layers[i].Spec}') cannot take per-sample input {shape}: {e.Message}", e);
            }

            shape = _layers[i].OutputShape;
            foreach (var p in _layers[i].Parameters)
            {
                _parameters.Add(p);
                _parameterNames.Add($"{i}.{p.Name}");
            }

            foreach (var t in _layers[i].State)
            {
                _state.Add(t);
                _stateNames.Add($"{i}.{t.Name}");
            }
        }
    }

    /// <summary>The activation that layer <paramref name="index"/> feeds, looking past shape and normalisation layers; null if none.</summary>
    private ActivationLayer? NextActivation(int index)
    {
        for (int j = index + 1; j < _layers.Length; j++)
        {
            switch (_layers[j])
            {
                case ActivationLayer activation:
                    return activation;
                case BatchNorm or Dropout or MaxPool2D or Flatten:
                    continue;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>Forward pass over a batch; returns the last layer's output (owned by the layer).</summary>
    public Tensor Forward(Tensor input, bool training = false)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.Forward(x, training);
        }

        return x;
    }

    /// <summary>
    /// Inference: the same values as <see cref="Forward"/> in evaluation mode (training: false), bit for bit, in
    /// fewer passes: a dense layer followed by relu is one product with the ReLU in its epilogue; a convolution
    /// followed by relu and/or max pooling is one pass per sample (the ReLU in the product's epilogue, each sample's
    /// output pooled while it is in cache); relu then max pooling elsewhere (e.g. after batch norm) pools each plane
    /// through the ReLU without writing the ReLU's output; and flatten is a view of its input rather than a copy. Returns the last layer's output (owned by the model, valid until the
    /// next call). Nothing is kept for a backward pass, and the layers' <see cref="Layer.LastOutput"/> is not
    /// updated for the fused and viewed steps: use <see cref="Forward"/> where a diagnostic reads them.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not have the model's per-sample input shape.</exception>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public Tensor Infer(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var views = _views ??= new FlattenView[_layers.Length];
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            switch (_layers[i])
            {
                case Dense dense:
                    bool relu = i + 1 < _layers.Length && _layers[i + 1] is ActivationLayer { Activation: Relu };
                    x = dense.Infer(x, relu);
                    i += relu ? 1 : 0;
                    break;
                case Conv2D conv:
                    bool convRelu = i + 1 < _layers.Length && _layers[i + 1] is ActivationLayer { Activation: Relu };
                    int next = i + (convRelu ? 2 : 1);
                    var pool = next < _layers.Length ? _layers[next] as MaxPool2D : null;
                    x = conv.Infer(x, convRelu, pool);
                    i = next - (pool is null ? 1 : 0);
                    break;
                case ActivationLayer { Activation: Relu } when i + 1 < _layers.Length && _layers[i + 1] is MaxPool2D after:
                    x = after.InferAfterRelu(x);
                    i++;
                    break;
                case Flatten flatten:
                    x = (views[i] ??= new FlattenView()).Of(flatten, x);
                    break;
                default:
                    x = _layers[i].Forward(x, training: false);
                    break;
            }
        }

        return x;
    }

    /// <summary>
    /// Backward pass from dLoss/dOutput; accumulates every parameter gradient and returns dLoss/dInput. A max-pooling
    /// layer right after a relu takes both layers' backward passes in one (the same values, bit for bit).
    /// </summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var g = outputGradient;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            g = BackwardStep(ref i, g, 0);
        }

        return g;
    }

    /// <summary>
    /// Backward pass that only accumulates parameter gradients: the first layer's dLoss/dInput, which training
    /// never uses, is not computed (PyTorch skips it too).
    /// </summary>
    public void BackwardParameters(Tensor outputGradient)
    {
        var g = outputGradient;
        for (int i = _layers.Length - 1; i > 0; i--)
        {
            g = BackwardStep(ref i, g, 1);
        }

        _layers[0].BackwardParameters(g);
    }

    /// <summary>
    /// Layer <paramref name="i"/>'s backward pass; a max-pooling layer whose input came from a relu at i − 1 ≥
    /// <paramref name="lowest"/> also takes the relu's (see <see cref="MaxPool2D.BackwardThroughRelu"/>), and
    /// <paramref name="i"/> steps past the relu.
    /// </summary>
    private Tensor BackwardStep(ref int i, Tensor g, int lowest)
    {
        if (_layers[i] is MaxPool2D pool && i - 1 >= lowest && _layers[i - 1] is ActivationLayer { Activation: Relu })
        {
            i--;
            return pool.BackwardThroughRelu(g);
        }

        return _layers[i].Backward(g);
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters)
        {
            p.ZeroGradient();
        }
    }

    /// <summary>The spec.</summary>
    public override string ToString() => Spec;
}
