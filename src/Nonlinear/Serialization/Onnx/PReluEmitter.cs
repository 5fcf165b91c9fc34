using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// prelu → PRelu(x, slope): one shared slope [1], or one per channel stored [C, 1, ...] (one 1 per remaining
/// per-sample dimension) so that it broadcasts over [N, C, ...].
/// </summary>
internal sealed class PReluEmitter : ILayerEmitter
{
    public Type LayerType => typeof(PRelu);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var prelu = (PRelu)layer;
        int rank = prelu.InputShape.Rank;
        long[] dims = prelu.PerChannel
            ? [prelu.InputShape[0], .. Enumerable.Repeat(1L, rank - 1)]
            : [1L];
        var slope = graph.AddParameter(index, prelu.Slope, dims);
        graph.Apply("PRelu", [slope]);
    }
}
