using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// A named, non-trainable tensor that a layer keeps between batches and that belongs in a saved model, such as
/// batch normalisation's running statistics. Unlike a <see cref="Parameter"/> it has no gradient, and optimizers
/// never update it: the layer does, during training forward passes.
/// </summary>
public sealed class StateTensor
{
    /// <summary>Wraps <paramref name="value"/> under <paramref name="name"/> (unique within its layer, e.g. "running_mean").</summary>
    public StateTensor(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
    }

    /// <summary>The layer's own name for it, e.g. "running_mean"; models prefix the layer index ("3.running_mean").</summary>
    public string Name { get; }

    /// <summary>The current values (updated in place by the layer).</summary>
    public Tensor Value { get; }

    /// <summary>"running_mean [16]".</summary>
    public override string ToString() => $"{Name} {Value.Shape}";
}
