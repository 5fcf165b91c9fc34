using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The lessons' 2-2-1 network as the engine builds it: dense:2, the hidden activation, dense:1, the output
/// activation, with the weights the learner typed. Its forward pass keeps every intermediate (each layer's output).
/// </summary>
internal sealed class TinyNetwork
{
    /// <summary>Weights and inputs are kept to this size: the drawings and the formulas stay readable.</summary>
    public const double Limit = 1000;

    private readonly Sequential _model;
    private readonly Tensor _input = new(1, 2);

    private TinyNetwork(Sequential model, Activation hidden, Activation output)
    {
        _model = model;
        Hidden = hidden;
        Output = output;
    }

    /// <summary>The hidden activation.</summary>
    public Activation Hidden { get; }

    /// <summary>The output activation.</summary>
    public Activation Output { get; }

    /// <summary>The first dense layer (W1 [2, 2], b1 [2]).</summary>
    public Dense First => (Dense)_model.Layers[0];

    /// <summary>The output dense layer (W2 [1, 2], b2 [1]).</summary>
    public Dense Second => (Dense)_model.Layers[2];

    /// <summary>The network of a request, its inputs checked; <paramref name="elementwise"/> refuses softmax (backprop needs f′ per unit).</summary>
    public static TinyNetwork From(TinyNetworkRequest body, bool elementwise, out float[] x)
    {
        x = Array.ConvertAll(WidgetInput.Vector(body.X, "x", 2, Limit), v => (float)v);
        var w1 = WidgetInput.Matrix(body.W1, "w1", 2, 2, Limit);
        var b1 = WidgetInput.Vector(body.B1, "b1", 2, Limit);
        var w2 = WidgetInput.Vector(body.W2, "w2", 2, Limit);
        double b2 = WidgetInput.Number(body.B2, "b2", Limit);
        const string Why = "the chain rule here multiplies one derivative per unit";
        Activation hidden = elementwise ? WidgetInput.Elementwise(body.Hidden, "hidden", "sigmoid", Why) : WidgetInput.Activation(body.Hidden, "hidden", "sigmoid");
        Activation output = elementwise ? WidgetInput.Elementwise(body.Output, "output", "sigmoid", Why) : WidgetInput.Activation(body.Output, "output", "sigmoid");

        var model = new Sequential([new Dense(2), new ActivationLayer(hidden), new Dense(1), new ActivationLayer(output)]);
        model.Build(new TensorShape(2), seed: 0);
        var network = new TinyNetwork(model, hidden, output);
        Copy(w1, network.First.Weight.Value.Span);
        Copy(b1, network.First.Bias.Value.Span);
        Copy(w2, network.Second.Weight.Value.Span);
        network.Second.Bias.Value.Span[0] = (float)b2;
        return network;
    }

    /// <summary>The engine's forward pass on one input; every layer's output is read back from the layers.</summary>
    public TinyForward Forward(ReadOnlySpan<float> x)
    {
        x.CopyTo(_input.Span);
        var y = _model.Forward(_input);
        return new TinyForward(
            [.. _model.Layers[0].LastOutput!.Span],
            [.. _model.Layers[1].LastOutput!.Span],
            _model.Layers[2].LastOutput!.Span[0],
            y.Span[0]);
    }

    /// <summary>
    /// Forward, the loss against <paramref name="target"/> and the engine's backward pass: every parameter's gradient
    /// is then in its <see cref="Parameter.Gradient"/>. Returns the forward pass, the loss and dL/dŷ.
    /// </summary>
    public (TinyForward Forward, double Loss, float LossGradient) Backward(ReadOnlySpan<float> x, float target, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var forward = Forward(x);
        var prediction = _model.Layers[^1].LastOutput!;
        var gradient = new Tensor(1, 1);
        double value = loss.Compute(prediction, Tensor.FromArray([target], 1, 1), gradient);
        _model.ZeroGradients();
        _model.Backward(gradient);
        return (forward, value, gradient.Span[0]);
    }

    /// <summary>The loss alone (a forward pass), for finite differences.</summary>
    public double Loss(ReadOnlySpan<float> x, float target, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Forward(x);
        var prediction = _model.Layers[^1].LastOutput!;
        return loss.Compute(prediction, Tensor.FromArray([target], 1, 1), new Tensor(1, 1));
    }

    private static void Copy(double[] from, Span<float> to)
    {
        for (int i = 0; i < from.Length; i++)
        {
            to[i] = (float)from[i];
        }
    }
}
