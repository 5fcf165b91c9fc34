// <show>
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 1's code panel: two dense layers with no activation between them are one dense layer.</summary>
public static class TwoLinearLayers
{
    /// <summary>Prints W1, b1, W2, b2, the single W′ and b′ they equal, and the largest difference on a few inputs.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // The lesson's example: 2 inputs -> 2 hidden units -> 1 output, no activation between.
        var model = Sequential.Parse("dense:2,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var first = (Dense)model.Layers[0];
        var second = (Dense)model.Layers[1];
        float[] w1 = [1, 2, 0, 1], b1 = [1, -1];   // W1 [2, 2], row by row
        float[] w2 = [3, -1], b2 = [0.5f];         // W2 [1, 2]
        w1.CopyTo(first.Weight.Value.Span);
        b1.CopyTo(first.Bias.Value.Span);
        w2.CopyTo(second.Weight.Value.Span);
        b2.CopyTo(second.Bias.Value.Span);

        // The one layer they equal: W' = W2·W1 and b' = W2·b1 + b2.
        double[] w = [w2[0] * w1[0] + w2[1] * w1[2], w2[0] * w1[1] + w2[1] * w1[3]];
        double b = w2[0] * b1[0] + w2[1] * b1[1] + b2[0];
        output.WriteLine($"W1 = {string.Join(" ", w1)}");
        output.WriteLine($"b1 = {string.Join(" ", b1)}");
        output.WriteLine($"W2 = {string.Join(" ", w2)}");
        output.WriteLine($"b2 = {b2[0]}");
        output.WriteLine($"W' = {w[0]} {w[1]}");
        output.WriteLine($"b' = {b}");

        // The network and the single layer agree on any input.
        var x = Tensor.FromArray([1f, 1f, 0.5f, -2f, -3f, 4f, 10f, 0.25f], 4, 2);
        Tensor y = model.Forward(x);
        double largest = 0;
        for (int n = 0; n < 4; n++)
        {
            double single = w[0] * x[n, 0] + w[1] * x[n, 1] + b;
            output.WriteLine($"x = {x[n, 0]} {x[n, 1]}  network = {y[n, 0]}  " +
                $"W'x + b' = {single}");
            largest = Math.Max(largest, Math.Abs(y[n, 0] - single));
        }

        output.WriteLine($"largest difference = {largest}");

        // The library finds the same map: LinearCollapse multiplies the stack out.
        AffineMap map = LinearCollapse.Collapse(model)!;
        output.WriteLine($"LinearCollapse W' = {map.Weight[0, 0]} {map.Weight[0, 1]}");
        output.WriteLine($"LinearCollapse b' = {map.Bias[0]}");
        // </show>
    }
}
