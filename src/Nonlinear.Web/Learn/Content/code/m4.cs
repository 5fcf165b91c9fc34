// <show>
using Nonlinear.Activations;
using Nonlinear.Models;
using Nonlinear.Tensors;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 4's code panel: ReLU, its derivative (0 or 1; 0 at x = 0), and the sparse output of a ReLU layer.</summary>
public static class ReluSparse
{
    /// <summary>Prints x, relu(x) and relu′(x) per input, then the share of zero outputs of a He-initialised ReLU layer.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        var relu = ActivationRegistry.Parse("relu");
        float[] x = [-2, -1, -0.5f, 0, 0.5f, 1, 2];
        var y = new float[x.Length];
        var slope = new float[x.Length];
        float[] ones = [.. x.Select(_ => 1f)];

        relu.Forward(x, y);                  // max(0, x): one comparison, no exp
        relu.Backward(x, y, ones, slope);    // 0 for x <= 0 (0 at x = 0), 1 for x > 0

        for (int i = 0; i < x.Length; i++)
        {
            output.WriteLine($"x = {x[i]}  relu = {y[i]}  slope = {slope[i]}");
        }

        // Sparse: a ReLU layer (He initialisation) on random inputs
        // outputs exactly 0 for about half of its units.
        var layer = Sequential.Parse("dense:64,relu");
        layer.Build(new TensorShape(8), seed: 1);
        var random = new Random(2);
        var inputs = new Tensor(256, 8);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs.Span[i] = (float)(2 * random.NextDouble() - 1);
        }

        Tensor a = layer.Forward(inputs);
        int zeros = 0;
        foreach (float v in a.Span)
        {
            zeros += v == 0 ? 1 : 0;
        }

        double share = (double)zeros / a.Length;
        output.WriteLine($"zero outputs: {zeros} of {a.Length} = {share:F3}");
        // </show>
    }
}
