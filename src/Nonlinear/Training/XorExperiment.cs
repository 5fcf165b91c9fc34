using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;

namespace Nonlinear.Training;

/// <summary>
/// The founding experiment: XOR's four points. A model without a hidden non-linearity draws one line and can get
/// at most 3 of the 4 right (no line has (0,1) and (1,0) on one side and (0,0) and (1,1) on the other: for any
/// affine f, f(0,1) + f(1,0) = f(0,0) + f(1,1)). A small hidden layer with a non-linear activation gets all 4.
/// </summary>
public static class XorExperiment
{
    /// <summary>The activations the experiment compares by default.</summary>
    public static IReadOnlyList<string> DefaultActivations { get; } = ["sigmoid", "tanh", "relu", "leaky_relu"];

    /// <summary>
    /// Trains the linear model (dense:1) and, for each activation, dense:<paramref name="hidden"/>,activation,dense:1
    /// on the four points (full batch, Adam) and reports accuracy, epochs to 100% and the final loss.
    /// </summary>
    public static IReadOnlyList<XorResult> Run(IEnumerable<string> activations, int hidden = 8, int epochs = 500, double learningRate = 0.05, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(activations);
        var results = new List<XorResult> { Train("none", "dense:1", epochs, learningRate, seed) };
        foreach (var activation in activations)
        {
            results.Add(Train(activation, $"dense:{hidden},{activation},dense:1", epochs, learningRate, seed));
        }

        return results;
    }

    private static XorResult Train(string activation, string spec, int epochs, double learningRate, int seed)
    {
        var xor = SyntheticData.Xor();
        var model = Sequential.Parse(spec);
        model.Build(xor.FeatureShape, seed);
        var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), new Adam(learningRate));
        int? first = null;
        trainer.EpochEnded += e =>
        {
            if (first is null && e.Accuracy == 1.0)
            {
                first = e.Epoch;
            }
        };
        trainer.Fit(xor, epochs, batchSize: 4, seed);
        var final = trainer.Evaluate(xor);
        return new XorResult(activation, spec, (int)Math.Round(final.Accuracy * 4), first, final.Loss);
    }
}
