using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// layernorm → LayerNormalization(x, γ, β, axis = −1, ε = 1e-5) from opset 17 (the default); at opsets 14-16 the
/// same in elementary operators (ReduceMean, Sub, Mul, Sqrt, Div). Per sample [T, D] (every position on its own)
/// or [D].
/// </summary>
internal sealed class LayerNormEmitter : ILayerEmitter
{
    public Type LayerType => typeof(LayerNorm);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer) => SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var norm = (LayerNorm)layer;
        graph.SetCurrent(SequenceOps.LayerNorm(graph, graph.Current, graph.AddParameter(index, norm.Gamma), graph.AddParameter(index, norm.Beta), LayerNorm.Epsilon));
    }
}
