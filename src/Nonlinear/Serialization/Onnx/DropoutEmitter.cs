using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>dropout → nothing: at inference it passes its input through unchanged (it scales while training, inverted dropout).</summary>
internal sealed class DropoutEmitter : ILayerEmitter
{
    public Type LayerType => typeof(Dropout);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
    }
}
