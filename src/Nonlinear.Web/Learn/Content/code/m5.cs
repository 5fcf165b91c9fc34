// <show>
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 5's code panel: a unit whose input is negative on every sample is dead with ReLU, alive with Leaky ReLU.</summary>
public static class DeadUnit
{
    /// <summary>Prints the unit's weights, the inputs, and per activation its outputs and weight and bias gradients.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // Four samples and one unit z = w·x + b whose large negative bias
        // makes z < 0 on every one of them.
        var x = Tensor.FromArray([1f, 2f, -1f, 0.5f, 2f, -2f, 0f, 1f], 4, 2);
        float[] w = [0.5f, -0.5f];
        float b = -5f;
        output.WriteLine($"x = {string.Join(" ", x.Span.ToArray())}");
        output.WriteLine($"w = {w[0]} {w[1]}  b = {b}");

        foreach (string activation in new[] { "relu", "leaky_relu:0.1" })
        {
            var model = Sequential.Parse($"dense:1,{activation}");
            model.Build(new TensorShape(2), seed: 1);
            var unit = (Dense)model.Layers[0];
            w.CopyTo(unit.Weight.Value.Span);
            unit.Bias.Value[0] = b;

            Tensor a = model.Forward(x, training: true);
            var upstream = new Tensor(4, 1);
            upstream.Fill(1f);       // dLoss/da = 1 on each sample: what reaches w and b?
            model.ZeroGradients();
            model.Backward(upstream);

            output.WriteLine($"{activation}: a = {string.Join(" ", a.Span.ToArray())}");
            float[] dw = unit.Weight.Gradient.Span.ToArray();
            float db = unit.Bias.Gradient.Span[0];
            output.WriteLine($"{activation}: dw = {string.Join(" ", dw)}  db = {db}");
        }

        // ReLU: every gradient is 0, so no gradient step can ever move w or b:
        // the unit is dead. Leaky ReLU: the slope alpha = 0.1 for z < 0 lets a
        // gradient through, so the unit can come back.
        // </show>
    }
}
