using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>flatten → Flatten(axis = 1): [N, d1, d2, ...] to [N, d1·d2·...], row-major, as ours.</summary>
internal sealed class FlattenEmitter : ILayerEmitter
{
    public Type LayerType => typeof(Flatten);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var sample = graph.CurrentShape.Skip(1).ToList();
        var size = sample.All(d => d.IsFixed) ? OnnxDim.Fixed(sample.Aggregate(1L, (p, d) => p * d.Size)) : OnnxDim.Unknown;
        var output = graph.AddNode("Flatten", [graph.Current], OnnxGraphBuilder.Attribute("axis", 1L));
        graph.SetCurrent(output, [graph.CurrentShape[0], size]);
    }
}
