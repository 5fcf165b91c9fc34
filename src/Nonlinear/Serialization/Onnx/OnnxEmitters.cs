using Nonlinear.Layers;
using Nonlinear.Serialization.Onnx.Sequences;

namespace Nonlinear.Serialization.Onnx;

/// <summary>The layer emitters, keyed by exact layer type: the dense and image layers here, the sequence layers in <see cref="SequenceEmitters"/>.</summary>
internal static class OnnxEmitters
{
    private static readonly Dictionary<Type, ILayerEmitter> ByType = Build();

    /// <summary>Every registered emitter.</summary>
    public static IEnumerable<ILayerEmitter> All => ByType.Values;

    /// <summary>The emitter of <paramref name="layer"/>'s type, or null when no emitter handles it.</summary>
    public static ILayerEmitter? For(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return ByType.GetValueOrDefault(layer.GetType());
    }

    private static Dictionary<Type, ILayerEmitter> Build()
    {
        ILayerEmitter[] core =
        [
            new DenseEmitter(),
            new Conv2DEmitter(),
            new MaxPool2DEmitter(),
            new BatchNormEmitter(),
            new FlattenEmitter(),
            new DropoutEmitter(),
            new PReluEmitter(),
            new ActivationLayerEmitter(),
        ];
        var byType = new Dictionary<Type, ILayerEmitter>();
        foreach (var emitter in core.Concat(SequenceEmitters.All))
        {
            if (!byType.TryAdd(emitter.LayerType, emitter))
            {
                throw new InvalidOperationException($"Two ONNX emitters handle {emitter.LayerType.Name}.");
            }
        }

        return byType;
    }
}
