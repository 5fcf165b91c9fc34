using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Gradient flow: the L2 norm of each layer's weight gradient, from the output back to the input. Each layer
/// multiplies the gradient it passes back by its activation's derivative and its weights; when those factors are
/// mostly below 1 (sigmoid's derivative is at most 0.25) the first layers get almost nothing and stop learning.
/// </summary>
public static class GradientFlow
{
    /// <summary>
    /// One forward pass (training mode) and one backward pass of <paramref name="model"/> on the batch
    /// (<paramref name="x"/>, <paramref name="y"/>), without an optimizer step: the weight-gradient norm of every
    /// layer that has weights and the first/last ratio.
    /// </summary>
    /// <remarks>
    /// Overwrites the model's parameter gradients (and, like a training step, updates batch-normalisation running
    /// statistics); the weights are unchanged.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    public static GradientFlowResult Measure(Sequential model, Tensor x, Tensor y, Loss loss)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(loss);
        if (!model.IsBuilt)
        {
            throw new InvalidOperationException("Build the model (model.Build(inputShape, seed)) before measuring its gradients.");
        }

        model.ZeroGradients();
        var output = model.Forward(x, training: true);
        var gradient = new Tensor(output.Shape);
        double value = loss.Compute(output, y, gradient);
        model.BackwardParameters(gradient);
        var layers = new List<LayerGradientNorm>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            if (WeightOf(model.Layers[i]) is { } weight)
            {
                layers.Add(new LayerGradientNorm(i, model.Layers[i].Spec, TensorPrimitives.Norm<float>(weight.Gradient.Span)));
            }
        }

        return new GradientFlowResult(layers, layers.Count < 2 ? double.NaN : Ratio(layers[0].Norm, layers[^1].Norm), value);
    }

    /// <summary>The gradient-flow ratio first / last (IEEE division: NaN for 0/0, infinity for x/0).</summary>
    public static double Ratio(double first, double last) => first / last;

    /// <summary>The layer's parameter named "weight" (dense, conv, batch norm), or null.</summary>
    internal static Parameter? WeightOf(Layer layer)
    {
        foreach (var p in layer.Parameters)
        {
            if (p.Name == "weight")
            {
                return p;
            }
        }

        return null;
    }
}
