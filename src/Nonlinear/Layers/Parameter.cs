using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// A trainable tensor and the gradient of the loss with respect to it (same shape). Layers own their
/// parameters and accumulate into <see cref="Gradient"/> during backward; optimizers read the gradient and update
/// <see cref="Value"/> in place.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter over <paramref name="value"/> with a zero gradient of the same shape.</summary>
    public Parameter(string name, Tensor value, bool decays = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape);
        Decays = decays;
    }

    /// <summary>
    /// An alias of <paramref name="inner"/> under another name, sharing its value and gradient tensors: a block
    /// layer exposes its sub-layers' parameters as "norm1.weight", "self_attn.in_proj_weight", ...
    /// </summary>
    internal Parameter(string name, Parameter inner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(inner);
        Name = name;
        Value = inner.Value;
        Gradient = inner.Gradient;
        Decays = inner.Decays;
    }

    /// <summary>A name unique within its model, e.g. "0.weight" (layer index, then the layer's own name).</summary>
    public string Name { get; }

    /// <summary>The current values.</summary>
    public Tensor Value { get; }

    /// <summary>dLoss/dValue, accumulated by backward passes until <see cref="ZeroGradient"/>.</summary>
    public Tensor Gradient { get; }

    /// <summary>Whether weight decay applies (true for weights; false for biases and similar offsets).</summary>
    public bool Decays { get; }

    /// <summary>Number of scalars.</summary>
    public int Length => Value.Length;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Gradient.Span.Clear();

    /// <summary>"0.weight [16, 2]".</summary>
    public override string ToString() => $"{Name} {Value.Shape}";
}
