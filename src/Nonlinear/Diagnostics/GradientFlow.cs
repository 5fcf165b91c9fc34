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
            var weights = WeightsOf(model.Layers[i]);
            if (weights.Length > 0)
            {
                layers.Add(new LayerGradientNorm(i, model.Layers[i].Spec, GradientNorm(weights)));
            }
        }

        return new GradientFlowResult(layers, layers.Count < 2 ? double.NaN : Ratio(layers[0].Norm, layers[^1].Norm), value);
    }

    /// <summary>The gradient-flow ratio first / last (IEEE division: NaN for 0/0, infinity for x/0).</summary>
    public static double Ratio(double first, double last) => first / last;

    /// <summary>
    /// The layer's weight parameters, biases excluded: the one named "weight" (dense, conv, batch norm, embedding),
    /// or every parameter whose name contains "weight" (recurrent weight_ih and weight_hh; attention
    /// in_proj_weight and out_proj.weight; a transformer block's sub-layer weights). Empty when it has none.
    /// </summary>
    internal static Parameter[] WeightsOf(Layer layer)
    {
        int count = 0;
        foreach (var p in layer.Parameters)
        {
            if (IsWeight(p))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var weights = new Parameter[count];
        count = 0;
        foreach (var p in layer.Parameters)
        {
            if (IsWeight(p))
            {
                weights[count++] = p;
            }
        }

        return weights;
    }

    /// <summary>The L2 norm of the gradients of <paramref name="weights"/> taken together (NaN when empty).</summary>
    internal static double GradientNorm(Parameter[] weights)
    {
        if (weights.Length == 1)
        {
            return TensorPrimitives.Norm<float>(weights[0].Gradient.Span);
        }

        if (weights.Length == 0)
        {
            return double.NaN;
        }

        double squares = 0;
        foreach (var w in weights)
        {
            double norm = TensorPrimitives.Norm<float>(w.Gradient.Span);
            squares += norm * norm;
        }

        return Math.Sqrt(squares);
    }

    private static bool IsWeight(Parameter p) => p.Name.Contains("weight", StringComparison.Ordinal);
}
