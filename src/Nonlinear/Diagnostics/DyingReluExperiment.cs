using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Dying ReLU, measured: the same network trained with ReLU and with Leaky ReLU at a learning rate that is too high
/// (Adam, 0.3). A large step can push a ReLU unit's bias and weights so far that its input is negative for every
/// sample; its derivative is then 0 everywhere, no gradient reaches it again, and it stays dead. Leaky ReLU has
/// slope 0.01 below zero, so the same unit keeps a gradient: it is never dead, and the network keeps learning.
/// </summary>
public static class DyingReluExperiment
{
    /// <summary>
    /// Trains <c>dense:width,act,dense:width,act,dense:4</c> with act = relu and act = leaky_relu on
    /// <see cref="Data"/> (<paramref name="samples"/> points), Adam at <paramref name="learningRate"/>, batch 32,
    /// the same seeds for both; records the dead share per epoch (see <see cref="DyingReluRun.DeadShare"/>).
    /// </summary>
    public static IReadOnlyList<DyingReluRun> Run(int epochs = 8, double learningRate = 0.3, int width = 64, int samples = 1024, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(learningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        }

        return Run(Data(samples, seed), epochs, learningRate, width, seed);
    }

    /// <summary>
    /// The same experiment on any classification data (images are flattened first), e.g. the Fashion-MNIST pixels in
    /// [0, 1]: ReLU and Leaky ReLU networks of the same shape, the same seeds, Adam at <paramref name="learningRate"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The data is a regression task.</exception>
    public static IReadOnlyList<DyingReluRun> Run(Dataset data, int epochs, double learningRate, int width, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!(learningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        }

        if (data.Task == TaskKind.Regression)
        {
            throw new ArgumentException($"The dying-ReLU experiment trains a classifier; the data '{data.Name}' is a regression task.", nameof(data));
        }

        return [Train("relu", data, epochs, learningRate, width, seed), Train("leaky_relu", data, epochs, learningRate, width, seed)];
    }

    /// <summary>
    /// Blobs in [0, 1]^32 (4 classes; centres uniform in the cube, noise 0.25, clipped), positive like image pixels:
    /// every weight of a unit then gets a gradient of the same sign in a step, so one large step can push the unit's
    /// input below zero for every sample at once.
    /// </summary>
    public static Dataset Data(int samples, int seed)
    {
        const int features = 32, classes = 4;
        var rng = new Random(seed);
        var centres = new double[classes, features];
        for (int c = 0; c < classes; c++)
        {
            for (int f = 0; f < features; f++)
            {
                centres[c, f] = rng.NextDouble();
            }
        }

        var x = new Tensor(samples, features);
        var y = new Tensor(samples);
        for (int i = 0; i < samples; i++)
        {
            int label = i % classes;
            y.Span[i] = label;
            for (int f = 0; f < features; f++)
            {
                double noise = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x[i, f] = (float)Math.Clamp(centres[label, f] + (0.25 * noise), 0, 1);
            }
        }

        return new Dataset("positive-blobs", x, y, TaskKind.Multiclass, classes);
    }

    private static DyingReluRun Train(string activation, Dataset data, int epochs, double learningRate, int width, int seed)
    {
        string spec = $"{(data.FeatureShape.Rank > 1 ? "flatten," : "")}dense:{width},{activation},dense:{width},{activation},dense:{TaskDefaults.Outputs(data)}";
        var model = Sequential.Parse(spec);
        model.Build(data.FeatureShape, seed);
        var diagnostics = new TrainingDiagnostics();
        var trainer = new Trainer(model, TaskDefaults.Loss(data.Task), new Adam(learningRate)) { Diagnostics = diagnostics };
        var history = trainer.Fit(data, epochs, batchSize: 32, seed);
        var dead = diagnostics.History.Select(e => Share(model, e, l => double.IsNaN(l.DeadShare) ? 0 : l.DeadShare)).ToList();
        var negative = diagnostics.History.Select(e => Share(model, e, l => l.NegativeShare)).ToList();
        return new DyingReluRun(activation, spec, dead, negative, history.Epochs.Select(e => e.Loss).ToList(), history.Epochs.Select(e => e.Accuracy).ToList(), diagnostics.History);
    }

    /// <summary>
    /// A per-layer share (e.g. <see cref="LayerDiagnostics.DeadShare"/>) over all activation layers of
    /// <paramref name="model"/> in <paramref name="epoch"/>, weighted by their unit count; NaN without activation layers.
    /// </summary>
    public static double Share(Sequential model, EpochDiagnostics epoch, Func<LayerDiagnostics, double> share)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(share);
        double dead = 0;
        int units = 0;
        foreach (var layer in epoch.Layers)
        {
            if (model.Layers[layer.Index] is ActivationLayer a)
            {
                int n = a.OutputShape.Length;
                dead += share(layer) * n;
                units += n;
            }
        }

        return units == 0 ? double.NaN : dead / units;
    }
}
