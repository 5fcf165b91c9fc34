namespace Nonlinear.Activations;

/// <summary>Which saved tensor an activation's backward pass reads.</summary>
public enum BackwardSource
{
    /// <summary>The derivative is computed from the input x (e.g. GELU, sigmoid: exact even where the output has saturated).</summary>
    Input,

    /// <summary>The derivative is computed from the output y (e.g. ReLU, softmax): the forward pass may then run in place.</summary>
    Output,
}
