using Nonlinear.Layers.Recurrent;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// The emitters of the sequence layers, each in its own file in this folder; <see cref="OnnxEmitters"/> includes
/// them. Dense on sequences [N, T, F] is the core DenseEmitter's MatMul + Add.
/// </summary>
internal static class SequenceEmitters
{
    /// <summary>One emitter per sequence layer type.</summary>
    public static IReadOnlyList<ILayerEmitter> All { get; } =
    [
        new EmbeddingEmitter(),
        new RecurrentEmitter(typeof(Rnn)),
        new RecurrentEmitter(typeof(Lstm)),
        new RecurrentEmitter(typeof(Gru)),
        new LayerNormEmitter(),
        new MultiHeadAttentionEmitter(),
        new TransformerEncoderBlockEmitter(),
        new PositionalEncodingEmitter(),
        new SequencePoolEmitter(),
    ];
}
