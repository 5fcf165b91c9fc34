using Nonlinear.Layers;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Writes the ONNX nodes of one kind of layer (see <see cref="OnnxEmitters"/> for the registry). An emitter reads
/// the builder's current value (<see cref="OnnxGraphBuilder.Current"/>, shaped <see cref="OnnxGraphBuilder.CurrentShape"/>,
/// batch first), adds the layer's initializers and nodes, and leaves the layer's output as the current value with
/// its shape (OnnxGraphBuilder.SetCurrent).
/// </summary>
internal interface ILayerEmitter
{
    /// <summary>The exact layer type this emitter handles.</summary>
    Type LayerType { get; }

    /// <summary>
    /// The reason the layer cannot be exported (it names the layer and why), or null when it can. Checked for every
    /// layer before any node is written, so an export fails before doing work.
    /// </summary>
    string? Unsupported(Layer layer) => null;

    /// <summary>
    /// The graph input when <paramref name="layer"/> is the model's first layer: its element type and shape, batch
    /// first. The default is float32 [N, ...input shape]; sequence layers override it (token ids: int64 [N, T]).
    /// </summary>
    (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer)
        => (TensorProto.Types.DataType.Float, [OnnxDim.Batch, .. layer.InputShape.Select(d => OnnxDim.Fixed(d))]);

    /// <summary>
    /// Adds the nodes of <paramref name="layer"/>, model layer number <paramref name="index"/> (its parameters are
    /// named "&lt;index&gt;.&lt;name&gt;" in the model, and their initializers take those names).
    /// </summary>
    void Emit(OnnxGraphBuilder graph, Layer layer, int index);
}
