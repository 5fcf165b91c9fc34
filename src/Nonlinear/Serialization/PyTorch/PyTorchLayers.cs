using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;

namespace Nonlinear.Serialization.PyTorch;

/// <summary>Each Nonlinear layer as the PyTorch module that computes the same thing with the same parameters.</summary>
internal static class PyTorchLayers
{
    /// <summary>The module for a built <paramref name="layer"/>.</summary>
    /// <exception cref="NotSupportedException">A layer this exporter does not translate (the message names it).</exception>
    public static PyTorchLayer For(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var input = layer.InputShape;
        switch (layer)
        {
            case Dense dense:
                return PyTorchLayer.Plain(I($"nn.Linear({input[-1]}, {dense.Units})"));
            case Conv2D conv:
                return PyTorchLayer.Plain(I($"nn.Conv2d({input[0]}, {conv.Filters}, kernel_size={conv.KernelSize}, stride={conv.Stride}, padding={conv.Padding})"));
            case MaxPool2D pool:
                return PyTorchLayer.Plain(I($"nn.MaxPool2d(kernel_size={pool.Size}, stride={pool.Stride})"));
            case BatchNorm:
                string kind = input.Rank switch
                {
                    1 or 2 => "BatchNorm1d",
                    3 => "BatchNorm2d",
                    4 => "BatchNorm3d",
                    _ => throw new NotSupportedException($"layer 'batchnorm' on per-sample input {input}: PyTorch's batch norms take 1 to 4 dimensions per sample."),
                };
                return PyTorchLayer.Plain(I($"nn.{kind}({input[0]}, eps={PyTorchActivations.Float32(BatchNorm.Epsilon)}, momentum={PyTorchActivations.Float(BatchNorm.Momentum)})"));
            case Flatten:
                return PyTorchLayer.Plain("nn.Flatten()");
            case Dropout dropout:
                return PyTorchLayer.Plain($"nn.Dropout(p={PyTorchActivations.Float(dropout.Rate)})");
            case PRelu prelu:
                return new PyTorchLayer(
                    I($"nn.PReLU(num_parameters={prelu.Slope.Value.Length}, init=0.25)"), [], name => name == "slope" ? "weight" : name);
            case ActivationLayer activation:
                var (code, helper) = PyTorchActivations.For(activation.Activation);
                return new PyTorchLayer(code, helper is null ? [] : [helper], name => name);
            case Embedding embedding:
                return PyTorchLayer.Plain(I($"nn.Embedding({embedding.VocabularySize}, {embedding.Dimension})"));
            case PositionalEncoding positions:
                string positionsClass = positions.Kind == PositionalEncodingKind.Learned ? PyTorchHelpers.LearnedPositions : PyTorchHelpers.SinusoidalPositions;
                return new PyTorchLayer(I($"{positionsClass}({input[0]}, {input[1]})"), [positionsClass], name => name);
            case SequencePool pool:
                return new PyTorchLayer(pool.Pooling == SequencePooling.Mean ? "SequencePool(\"mean\")" : "SequencePool(\"last\")", [PyTorchHelpers.SequencePool], name => name);
            case LayerNorm:
                return PyTorchLayer.Plain(I($"nn.LayerNorm({input[-1]}, eps={PyTorchActivations.Float32(LayerNorm.Epsilon)})"));
            case RecurrentLayer recurrent:
                return Recurrent(recurrent);
            case MultiHeadAttention attention:
                return new PyTorchLayer(
                    I($"SelfAttention({input[1]}, heads={attention.Heads}, causal={Bool(attention.Causal)}, scaled={Bool(attention.Scaled)})"),
                    [PyTorchHelpers.SelfAttention],
                    name => name);
            case TransformerEncoderBlock block:
                return new PyTorchLayer(
                    I($"TransformerBlock({input[1]}, heads={block.Attention.Heads}, feedforward={block.FeedForward}, causal={Bool(block.Attention.Causal)})"),
                    [PyTorchHelpers.TransformerBlock, PyTorchHelpers.SelfAttention],
                    name => name);
            default:
                throw new NotSupportedException($"layer '{layer.Spec}' ({layer.GetType().Name}) has no PyTorch translation in this exporter.");
        }
    }

    private static PyTorchLayer Recurrent(RecurrentLayer layer)
    {
        int features = layer.InputShape[1], hidden = layer.HiddenSize;
        string sequences = layer.ReturnSequences ? ", return_sequences=True" : "";
        static string Layered(string name) => name + "_l0";
        switch (layer)
        {
            case Lstm:
                return new PyTorchLayer(I($"LSTM({features}, {hidden}{sequences})"), [PyTorchHelpers.Lstm], Layered);
            case Gru:
                return new PyTorchLayer(I($"GRU({features}, {hidden}{sequences})"), [PyTorchHelpers.Gru], Layered);
            case Rnn rnn when rnn.Activation is Tanh or Relu:
                return new PyTorchLayer(
                    I($"RNN({features}, {hidden}, nonlinearity=\"{rnn.Activation.Name}\"{sequences})"), [PyTorchHelpers.Rnn], Layered);
            case Rnn rnn:
                var (activation, helper) = PyTorchActivations.For(rnn.Activation);
                List<string> helpers = helper is null ? [PyTorchHelpers.ElmanRnn] : [PyTorchHelpers.ElmanRnn, helper];
                return new PyTorchLayer(I($"ElmanRNN({features}, {hidden}, {activation}{sequences})"), helpers, Layered);
            default:
                throw new NotSupportedException($"layer '{layer.Spec}' ({layer.GetType().Name}) has no PyTorch translation in this exporter.");
        }
    }

    private static string Bool(bool value) => value ? "True" : "False";

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
