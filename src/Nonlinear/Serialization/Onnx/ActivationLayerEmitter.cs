using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>An activation layer → the operators of its activation (see <see cref="OnnxActivations"/>).</summary>
internal sealed class ActivationLayerEmitter : ILayerEmitter
{
    public Type LayerType => typeof(ActivationLayer);

    public string? Unsupported(Layer layer) => OnnxActivations.Unsupported(((ActivationLayer)layer).Activation);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index) => OnnxActivations.Emit(graph, ((ActivationLayer)layer).Activation);
}
