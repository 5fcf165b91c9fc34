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
        // Two dense layers and no activation between them: 2 inputs -> 3 -> 2 outputs.
        var model = Sequential.Parse("dense:3,dense:2");
        model.Build(new TensorShape(2), seed: 1);
        var first = (Dense)model.Layers[0];
        var second = (Dense)model.Layers[1];
        float[] bias1 = [0.5f, -1f, 0.25f], bias2 = [2f, -0.5f];
        bias1.CopyTo(first.Bias.Value.Span);
        bias2.CopyTo(second.Bias.Value.Span);
        Tensor w1 = first.Weight.Value, w2 = second.Weight.Value;   // W1 [3, 2], W2 [2, 3]

        // The one layer they equal: W' = W2·W1 and b' = W2·b1 + b2.
        var w = new double[2, 2];
        var b = new double[2];
        for (int i = 0; i < 2; i++)
        {
            b[i] = bias2[i];
            for (int k = 0; k < 3; k++)
            {
                b[i] += w2[i, k] * bias1[k];
                for (int j = 0; j < 2; j++)
                {
                    w[i, j] += w2[i, k] * w1[k, j];
                }
            }
        }

        output.WriteLine($"W1 = {string.Join(" ", w1.Span.ToArray())}");
        output.WriteLine($"b1 = {string.Join(" ", bias1)}");
        output.WriteLine($"W2 = {string.Join(" ", w2.Span.ToArray())}");
        output.WriteLine($"b2 = {string.Join(" ", bias2)}");
        output.WriteLine($"W' = {w[0, 0]} {w[0, 1]} {w[1, 0]} {w[1, 1]}");
        output.WriteLine($"b' = {b[0]} {b[1]}");

        // The network and the single layer agree on any input.
        var x = Tensor.FromArray([1f, -2f, 0.5f, 3f, -4f, -1f], 3, 2);
        Tensor y = model.Forward(x);
        double largest = 0;
        for (int n = 0; n < 3; n++)
        {
            for (int i = 0; i < 2; i++)
            {
                double single = w[i, 0] * x[n, 0] + w[i, 1] * x[n, 1] + b[i];
                largest = Math.Max(largest, Math.Abs(y[n, i] - single));
            }
        }

        output.WriteLine($"largest |network(x) - (W'x + b')| = {largest}");

        // The library finds the same map: LinearCollapse multiplies the stack out.
        AffineMap map = LinearCollapse.Collapse(model)!;
        output.WriteLine($"LinearCollapse W' = {map.Weight[0, 0]} {map.Weight[0, 1]} {map.Weight[1, 0]} {map.Weight[1, 1]}");
        output.WriteLine($"LinearCollapse b' = {map.Bias[0]} {map.Bias[1]}");
        // </show>
    }
}
