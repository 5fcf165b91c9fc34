using Nonlinear.Layers;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// embedding → Gather(W, ids) on axis 0: token ids [N, T] → vectors [N, T, D], W [V, D] as ours. As the model's
/// first layer it makes the graph input int64 token ids [N, T] with symbolic N and T (our model takes the same ids
/// as floats); later in a model, a float input is cast to int64 first. An id outside 0..V-1 fails in the runtime's
/// Gather, as ours throws.
/// </summary>
internal sealed class EmbeddingEmitter : ILayerEmitter
{
    public Type LayerType => typeof(Embedding);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer)
        => (TensorProto.Types.DataType.Int64, [OnnxDim.Batch, SequenceOps.Steps]);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var embedding = (Embedding)layer;
        var ids = graph.CurrentType == TensorProto.Types.DataType.Int64
            ? graph.Current
            : graph.AddNode("Cast", [graph.Current], OnnxGraphBuilder.Attribute("to", (long)TensorProto.Types.DataType.Int64));
        var weight = graph.AddParameter(index, embedding.Weight);
        graph.SetCurrent(graph.AddNode("Gather", [weight, ids], OnnxGraphBuilder.Attribute("axis", 0L)),
            [.. graph.CurrentShape, OnnxDim.Fixed(embedding.Dimension)]);
    }
}
