namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// The emitters of the sequence layers (embedding, recurrent, attention, ...), each in its own file in this folder;
/// <see cref="OnnxEmitters"/> includes them. Empty until those emitters land.
/// </summary>
internal static class SequenceEmitters
{
    /// <summary>One emitter per sequence layer type.</summary>
    public static IReadOnlyList<ILayerEmitter> All { get; } = [];
}
