// <show>
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Models;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 7's code panel: the gradient reaching each layer of a deep network shrinks with sigmoid, not with ReLU.</summary>
public static class GradientThroughDepth
{
    /// <summary>Prints the bound 0.25^10, then per activation the weight-gradient norm of each of 11 dense layers and the first/last ratio.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // Backprop multiplies one activation derivative per layer; sigmoid's is <= 0.25.
        output.WriteLine($"0.25^10 = {Math.Pow(0.25, 10)}");

        // Ten hidden layers of 64 units, one batch of 256 samples, one backward
        // pass: the size (L2 norm) of each layer's weight gradient.
        var data = VanishingGradientExperiment.Data(samples: 256, features: 64, seed: 1);
        var loss = new BinaryCrossEntropyWithLogits();
        foreach (string activation in new[] { "sigmoid", "relu" })
        {
            string hidden = string.Join(",", Enumerable.Repeat($"dense:64,{activation}", 10));
            var model = Sequential.Parse(hidden + ",dense:1");
            model.Build(data.FeatureShape, seed: 1);   // Glorot before sigmoid, He before relu
            var flow = GradientFlow.Measure(model, data.Features, data.Targets, loss);

            var norms = flow.Layers.Select(l => l.Norm.ToString("G3"));
            output.WriteLine($"{activation}: norms = {string.Join(" ", norms)}");
            output.WriteLine($"{activation}: first/last = {flow.Ratio:G3}");
        }

        // sigmoid: the first layer gets a tiny fraction of the last layer's
        // gradient (vanishing); relu keeps it.
        // </show>
    }
}
