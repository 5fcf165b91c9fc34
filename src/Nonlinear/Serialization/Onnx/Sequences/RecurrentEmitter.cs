using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Recurrent;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// rnn, lstm, gru → ONNX's RNN, LSTM and GRU operators (one forward direction, zero initial state), as
/// torch.onnx exports nn.RNN, nn.LSTM and nn.GRU: the batch-first input [N, T, F] is transposed to ONNX's
/// [T, N, F]; W, R and B are ours with the gates moved to ONNX's order (<see cref="RecurrentWeights"/>), the GRU
/// with <c>linear_before_reset = 1</c> (PyTorch's and our r ⊙ (W_hn h + b_hn)). With <c>:seq</c> the output is
/// every state, Y [T, 1, N, H] squeezed and transposed back to [N, T, H]; otherwise the last state Y_h [1, N, H]
/// squeezed to [N, H].
/// </summary>
/// <remarks>
/// The RNN's activation: tanh, relu and sigmoid are the RNN operator's own (attribute <c>activations</c>). Any other
/// catalog activation (the operator's optional ones are not all in ONNX Runtime) is unrolled over the T steps the
/// layer was built for: A = x W_ih^T + b_ih once, then h_t = f(A_t + h_{t-1} W_hh^T + b_hh) per step with the
/// activation's own ONNX form; the graph's T is then fixed.
/// </remarks>
internal sealed class RecurrentEmitter(Type layerType) : ILayerEmitter
{
    public Type LayerType { get; } = layerType;

    /// <summary>The RNN operator's name for <paramref name="activation"/>, or null when the RNN must be unrolled.</summary>
    public static string? NativeActivation(Activation activation) => activation switch
    {
        Tanh => "Tanh",
        Relu => "Relu",
        Sigmoid => "Sigmoid",
        _ => null,
    };

    public string? Unsupported(Layer layer)
        => layer is Rnn rnn ? OnnxActivations.Unsupported(rnn.Activation) : null;

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer)
        => layer is Rnn rnn && NativeActivation(rnn.Activation) is null
            ? (TensorProto.Types.DataType.Float, OnnxGraphBuilder.BatchOf(layer.InputShape))
            : SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var recurrent = (RecurrentLayer)layer;
        var x = graph.Current;
        var shape = graph.CurrentShape;   // [N, T, F]
        int h = recurrent.HiddenSize;
        IReadOnlyList<OnnxDim> outputShape = recurrent.ReturnSequences ? [shape[0], shape[1], OnnxDim.Fixed(h)] : [shape[0], OnnxDim.Fixed(h)];
        if (recurrent is Rnn rnn && NativeActivation(rnn.Activation) is null)
        {
            graph.SetCurrent(Unrolled(graph, rnn, index, x, shape), outputShape);
            return;
        }

        var (w, r, b) = RecurrentWeights.ToOnnx(recurrent);
        int gh = recurrent.Gates * h;
        var wName = graph.AddInitializer($"{index}.onnx_W", w, 1, gh, recurrent.Features);
        var rName = graph.AddInitializer($"{index}.onnx_R", r, 1, gh, h);
        var bName = graph.AddInitializer($"{index}.onnx_B", b, 1, 2 * gh);
        var timeMajor = graph.AddNode("Transpose", [x], OnnxGraphBuilder.Attribute("perm", 1L, 0L, 2L));
        var attributes = new List<AttributeProto> { OnnxGraphBuilder.Attribute("hidden_size", (long)h) };
        string op;
        switch (recurrent)
        {
            case Lstm:
                op = "LSTM";
                break;
            case Gru:
                op = "GRU";
                attributes.Add(OnnxGraphBuilder.Attribute("linear_before_reset", 1L));
                break;
            case Rnn native:
                op = "RNN";
                attributes.Add(SequenceOps.Strings("activations", NativeActivation(native.Activation)!));
                break;
            default:
                throw new NotSupportedException($"'{layer.Spec}' has no ONNX recurrent operator.");
        }

        var outputs = graph.AddNode(op, [timeMajor, wName, rName, bName], 2, [.. attributes]);
        string y = recurrent.ReturnSequences
            ? graph.AddNode("Transpose", [graph.AddNode("Squeeze", [outputs[0], graph.Int64Vector(1)])], OnnxGraphBuilder.Attribute("perm", 1L, 0L, 2L))
            : graph.AddNode("Squeeze", [outputs[1], graph.Int64Vector(0)]);
        graph.SetCurrent(y, outputShape);
    }

    /// <summary>The RNN with any activation, unrolled over its built steps on the batch-first input; returns h_T or [h_1..h_T].</summary>
    private static string Unrolled(OnnxGraphBuilder graph, Rnn rnn, int index, string x, IReadOnlyList<OnnxDim> shape)
    {
        int steps = rnn.Steps;
        var projected = SequenceOps.Linear(graph, x, graph.AddParameter(index, rnn.WeightIh), graph.AddParameter(index, rnn.BiasIh));   // [N, T, H]
        var recurrentT = graph.AddNode("Transpose", [graph.AddParameter(index, rnn.WeightHh)], OnnxGraphBuilder.Attribute("perm", 1L, 0L));
        var biasHh = graph.AddParameter(index, rnn.BiasHh);
        IReadOnlyList<OnnxDim> stateShape = [shape[0], OnnxDim.Fixed(rnn.HiddenSize)];
        var states = new List<string>();
        string? state = null;
        for (int t = 0; t < steps; t++)
        {
            var a = graph.AddNode("Gather", [projected, graph.AddInt64Initializer($"{index}.step_{t}", [t])], OnnxGraphBuilder.Attribute("axis", 1L));
            var fromState = state is null ? biasHh : graph.AddNode("Add", [graph.AddNode("MatMul", [state, recurrentT]), biasHh]);
            state = SequenceOps.Activate(graph, graph.AddNode("Add", [a, fromState]), stateShape, rnn.Activation);
            states.Add(state);
        }

        if (!rnn.ReturnSequences)
        {
            return state!;
        }

        var unsqueezed = states.Select(s => graph.AddNode("Unsqueeze", [s, graph.Int64Vector(1)])).ToArray();
        return steps == 1 ? unsqueezed[0] : graph.AddNode("Concat", unsqueezed, OnnxGraphBuilder.Attribute("axis", 1L));
    }
}
