using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// transformer → the pre-norm block as its parts: h = x + attention(LayerNorm₁(x)),
/// y = h + linear2(GELU(linear1(LayerNorm₂(h)))), with the exact (erf) GELU of <see cref="OnnxActivations"/> and
/// the attention of <see cref="SequenceOps.Attention"/>. Initializers keep the block's PyTorch names
/// ("2.self_attn.in_proj_weight", "2.linear1.weight", "2.norm1.weight", ...).
/// </summary>
internal sealed class TransformerEncoderBlockEmitter : ILayerEmitter
{
    public Type LayerType => typeof(TransformerEncoderBlock);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer) => SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var block = (TransformerEncoderBlock)layer;
        var parameters = block.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        string P(string name) => graph.AddParameter(index, parameters[name]);
        var x = graph.Current;
        var shape = graph.CurrentShape;
        int t = block.InputShape[0], d = block.InputShape[1];
        var attention = block.Attention;

        var normed1 = SequenceOps.LayerNorm(graph, x, P("norm1.weight"), P("norm1.bias"), LayerNorm.Epsilon);
        var attended = SequenceOps.Attention(graph, normed1, shape[1], t, d, attention.Heads, attention.Causal, attention.Scaled,
            P("self_attn.in_proj_weight"), P("self_attn.in_proj_bias"), P("self_attn.out_proj.weight"), P("self_attn.out_proj.bias"));
        var residual = graph.AddNode("Add", [x, attended]);

        var normed2 = SequenceOps.LayerNorm(graph, residual, P("norm2.weight"), P("norm2.bias"), LayerNorm.Epsilon);
        var hidden = SequenceOps.Linear(graph, normed2, P("linear1.weight"), P("linear1.bias"));
        var activated = SequenceOps.Activate(graph, hidden, SequenceOps.WithLast(shape, block.FeedForward), new Gelu());
        var fed = SequenceOps.Linear(graph, activated, P("linear2.weight"), P("linear2.bias"));
        graph.SetCurrent(graph.AddNode("Add", [residual, fed]), shape);
    }
}
