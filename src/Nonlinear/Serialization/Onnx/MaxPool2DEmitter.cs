using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>pool → MaxPool with kernel [k, k], strides [s, s], no padding, floor output size (ceil_mode 0), as ours.</summary>
internal sealed class MaxPool2DEmitter : ILayerEmitter
{
    public Type LayerType => typeof(MaxPool2D);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var pool = (MaxPool2D)layer;
        long k = pool.Size, s = pool.Stride;
        var output = graph.AddNode(
            "MaxPool",
            [graph.Current],
            OnnxGraphBuilder.Attribute("kernel_shape", k, k),
            OnnxGraphBuilder.Attribute("strides", s, s),
            OnnxGraphBuilder.Attribute("pads", 0L, 0L, 0L, 0L),
            OnnxGraphBuilder.Attribute("ceil_mode", 0L));
        graph.SetCurrent(output, OnnxGraphBuilder.BatchOf(pool.OutputShape));
    }
}
