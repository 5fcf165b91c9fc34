using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// attention → the composition of <see cref="SequenceOps.Attention"/> (MatMul, Add, Split, Reshape, Transpose,
/// Mul by 1/√d_k unless <c>:unscaled</c>, Add of a −∞ mask above the diagonal when <c>:causal</c>, Softmax),
/// [N, T, D] → [N, T, D]. The mask is the built T × T and is sliced to the input's T, so shorter sequences run too.
/// </summary>
internal sealed class MultiHeadAttentionEmitter : ILayerEmitter
{
    public Type LayerType => typeof(MultiHeadAttention);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer) => SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var attention = (MultiHeadAttention)layer;
        var shape = graph.CurrentShape;
        int d = attention.InputShape[1];
        var y = SequenceOps.Attention(graph, graph.Current, shape[1], attention.InputShape[0], d, attention.Heads, attention.Causal, attention.Scaled,
            graph.AddParameter(index, attention.InProjectionWeight), graph.AddParameter(index, attention.InProjectionBias),
            graph.AddParameter(index, attention.OutProjectionWeight), graph.AddParameter(index, attention.OutProjectionBias));
        graph.SetCurrent(y, shape);
    }
}
