using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Vanishing gradients, measured: a deep, narrow network (20 hidden layers of 64 units by default) with each
/// activation and its fitting initialisation (Glorot for sigmoid and tanh, He for the ReLU family), one forward
/// and backward pass on a fixed seeded batch, and the weight-gradient norm of every layer. Backward, each layer
/// multiplies the gradient by its activation's derivative: sigmoid's is at most 0.25, so twenty of them leave the
/// first layers with a millionth of what the last one gets; ReLU's is 1 wherever a unit is active, and He
/// initialisation keeps the scale, so the gradient arrives whole.
/// </summary>
public static class VanishingGradientExperiment
{
    /// <summary>The activations compared by default.</summary>
    public static IReadOnlyList<string> DefaultActivations { get; } = ["sigmoid", "tanh", "relu", "leaky_relu"];

    /// <summary>
    /// Measures every activation on the same batch: <paramref name="samples"/> standard-normal points in
    /// <paramref name="width"/> dimensions labelled by the sign of a random projection (seeded; inputs as wide as
    /// the hidden layers, so that the first layer's gradient is comparable with the others), a network of <paramref name="depth"/> hidden dense layers of <paramref name="width"/> units, each
    /// followed by the activation, then dense:1 with binary cross-entropy; weights from <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="FormatException">An activation name is not in the catalog.</exception>
    public static IReadOnlyList<VanishingGradientResult> Run(IEnumerable<string> activations, int depth = 20, int width = 64, int samples = 256, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var data = Data(samples, width, seed);
        var results = new List<VanishingGradientResult>();
        foreach (var name in activations)
        {
            var activation = ActivationRegistry.Parse(name);
            string spec = string.Join(",", Enumerable.Repeat($"dense:{width},{activation.Spec}", depth)) + ",dense:1";
            var model = Sequential.Parse(spec);
            model.Build(data.FeatureShape, seed);
            var flow = GradientFlow.Measure(model, data.Features, data.Targets, new BinaryCrossEntropyWithLogits());
            results.Add(new VanishingGradientResult(activation.Spec, spec, Initialization.For(activation).ToString(), flow.Layers, flow.Ratio, flow.Loss));
        }

        return results;
    }

    /// <summary>Standard-normal inputs [samples, features]; binary targets: the sign of a random projection.</summary>
    public static Dataset Data(int samples, int features, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var direction = Enumerable.Range(0, features).Select(_ => Normal()).ToArray();
        var x = new Tensor(samples, features);
        var y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
        {
            double projection = 0;
            for (int f = 0; f < features; f++)
            {
                float v = (float)Normal();
                x[i, f] = v;
                projection += v * direction[f];
            }

            y.Span[i] = projection > 0 ? 1 : 0;
        }

        return new Dataset("random-projection", x, y, TaskKind.Binary);
    }
}
