using Nonlinear.Layers;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// seqpool → [N, T, D] to [N, D]: mean, ReduceMean over axis 1; last, Gather of step −1 on axis 1. As our layer,
/// every step counts, padded ones included (there is no mask): pool sequences that fill their T steps, or put the
/// real steps last for <c>seqpool:last</c>.
/// </summary>
internal sealed class SequencePoolEmitter : ILayerEmitter
{
    public Type LayerType => typeof(SequencePool);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer) => SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var pool = (SequencePool)layer;
        var x = graph.Current;
        var shape = graph.CurrentShape;
        var y = pool.Pooling == SequencePooling.Mean
            ? SequenceOps.Mean(graph, x, 1, keepDims: false)
            : graph.AddNode("Gather", [x, graph.AddInt64Initializer($"{index}.last_step", [-1])], OnnxGraphBuilder.Attribute("axis", 1L));
        graph.SetCurrent(y, [shape[0], shape[^1]]);
    }
}
