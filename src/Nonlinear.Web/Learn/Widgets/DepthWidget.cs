using Nonlinear.Activations;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The depth widget: a deep, narrow network built by the engine (hidden dense layers of <see cref="Width"/> units,
/// each followed by the activation, then dense:1 with binary cross-entropy), one forward and backward pass on a
/// seeded batch (the library's <see cref="VanishingGradientExperiment"/> data, measured with
/// <see cref="GradientFlow"/>), and per layer the weight-gradient norm and the mean |f′| of its units.
/// </summary>
internal static class DepthWidget
{
    public const int Width = 64;
    public const int Samples = 256;

    public static IReadOnlyList<string> Inits { get; } = ["xavier", "he", "normal"];

    public static object Answer(DepthWidgetRequest body)
    {
        var activation = WidgetInput.Elementwise(body.Activation, "activation", "sigmoid", "its derivative is not one number per unit");
        int depth = WidgetInput.Count(body.Layers, "layers", 2, 20, 10);
        string init = WidgetInput.Choice(body.Init, "init", Inits, "xavier");
        double sigma = WidgetInput.Between(body.Sigma, "sigma", 0.001, 10, 1);
        int seed = WidgetInput.Count(body.Seed, "seed", 0, 1_000_000, 1);

        var layers = new List<Layer>();
        for (int i = 0; i < depth; i++)
        {
            layers.Add(new Dense(Width, init == "he" ? Initializer.He : Initializer.Glorot));
            layers.Add(new ActivationLayer(activation));
        }

        layers.Add(new Dense(1));
        var model = new Sequential(layers);
        var data = VanishingGradientExperiment.Data(Samples, Width, seed);
        model.Build(data.FeatureShape, seed);
        if (init == "normal")
        {
            var random = new Random(seed);
            for (int i = 0; i < depth; i++)
            {
                Normal(((Dense)model.Layers[2 * i]).Weight.Value.Span, sigma, random);
            }
        }

        var flow = GradientFlow.Measure(model, data.Features, data.Targets, new BinaryCrossEntropyWithLogits());
        var result = flow.Layers.Select((g, i) => new
        {
            layer = i + 1,
            spec = g.Spec,
            output = i == depth,
            gradientNorm = g.Norm,
            derivativeMean = i < depth ? MeanDerivative(model, 2 * i + 1) : (double?)null,
        }).ToArray();

        return new
        {
            activation = activation.Spec,
            layers = depth,
            init,
            sigma = init == "normal" ? sigma : (double?)null,
            width = Width,
            samples = Samples,
            seed,
            spec = model.Spec,
            gradients = result,
            ratio = flow.Ratio,
            loss = flow.Loss,
        };
    }

    /// <summary>The mean of |f′(z)| over every unit and sample of activation layer <paramref name="index"/>, from its last forward pass.</summary>
    private static double MeanDerivative(Sequential model, int index)
    {
        var layer = (ActivationLayer)model.Layers[index];
        var x = model.Layers[index - 1].LastOutput!;
        var y = layer.LastOutput!;
        var ones = new Tensor(x.Shape);
        ones.Fill(1);
        var dx = new Tensor(x.Shape);
        layer.Activation.Backward(x, y, ones, dx);
        double sum = 0;
        foreach (float d in dx.Span)
        {
            sum += Math.Abs(d);
        }

        return sum / dx.Length;
    }

    /// <summary>Normal(0, σ) weights by Box-Muller from the seeded generator: the "normal(σ)" initialisation of older tutorials.</summary>
    private static void Normal(Span<float> weights, double sigma, Random random)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            weights[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }
}
