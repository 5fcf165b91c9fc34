using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// conv → Conv with the same weights [F, C, k, k] and bias [F], strides [s, s] and symmetric pads [p, p, p, p]
/// ('same' is stride 1 with pads k / 2); the output size is floor((H + 2p − k) / s) + 1, as ours.
/// </summary>
internal sealed class Conv2DEmitter : ILayerEmitter
{
    public Type LayerType => typeof(Conv2D);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var conv = (Conv2D)layer;
        var weight = graph.AddParameter(index, conv.Weight);
        var bias = graph.AddParameter(index, conv.Bias);
        long k = conv.KernelSize, s = conv.Stride, p = conv.Padding;
        var output = graph.AddNode(
            "Conv",
            [graph.Current, weight, bias],
            OnnxGraphBuilder.Attribute("kernel_shape", k, k),
            OnnxGraphBuilder.Attribute("strides", s, s),
            OnnxGraphBuilder.Attribute("pads", p, p, p, p),
            OnnxGraphBuilder.Attribute("dilations", 1L, 1L),
            OnnxGraphBuilder.Attribute("group", 1L));
        graph.SetCurrent(output, OnnxGraphBuilder.BatchOf(conv.OutputShape));
    }
}
