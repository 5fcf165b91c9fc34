using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The network of a playground experiment, built and ready to train: the model with its seeded weights, the loss
/// of the task, the optimizer, the trainer (with regularization and diagnostics) and the advisor's findings before
/// training. The live playground tab and Learn's training exercises build it the same way, so an exercise checked on
/// the server trains exactly what the learner trained in the playground.
/// </summary>
internal sealed class PlaygroundNetwork
{
    private PlaygroundNetwork(string spec, TensorShape inputShape, Sequential model, Loss loss, Optimizer optimizer, Trainer trainer, TrainingDiagnostics diagnostics, IReadOnlyList<Advice> advice)
    {
        Spec = spec;
        InputShape = inputShape;
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        Trainer = trainer;
        Diagnostics = diagnostics;
        Advice = advice;
    }

    /// <summary>The model spec the network was built from.</summary>
    public string Spec { get; }

    /// <summary>The per-sample input shape (the number of input features).</summary>
    public TensorShape InputShape { get; }

    /// <summary>The trained model.</summary>
    public Sequential Model { get; }

    /// <summary>The loss (the task's fused loss in the playground).</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer; its learning rate may be changed between epochs.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The trainer of <see cref="Model"/>, with <see cref="Diagnostics"/> attached.</summary>
    public Trainer Trainer { get; }

    /// <summary>The diagnostics attached to <see cref="Trainer"/>.</summary>
    public TrainingDiagnostics Diagnostics { get; }

    /// <summary>The advisor's static findings on the model, its task and loss (before any training).</summary>
    public IReadOnlyList<Advice> Advice { get; }

    /// <summary>
    /// The network of a validated <paramref name="config"/> for <paramref name="train"/>: its spec
    /// (<see cref="PlaygroundSession.SpecOf(PlaygroundConfig, int)"/>), weights from the config's seed (all zero with
    /// initZero), the task's loss, the config's optimizer and regularization.
    /// </summary>
    public static PlaygroundNetwork Build(PlaygroundConfig config, Dataset train, TrainingDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        int outputs = train.Task == TaskKind.Multiclass ? train.ClassCount : 1;
        var optimizer = OptimizerOf(config.Optimizer, config.LearningRate);
        var regularization = config.Regularization switch
        {
            "L1" => new Regularization(RegularizationKind.L1, config.RegularizationRate),
            "L2" => new Regularization(RegularizationKind.L2, config.RegularizationRate),
            _ => null,
        };
        return Build(PlaygroundSession.SpecOf(config, outputs), train, PlaygroundData.SeedOf(config.Seed), TaskDefaults.Loss(train.Task), optimizer, regularization, diagnostics, config.InitZero);
    }

    /// <summary>
    /// A network of any <paramref name="spec"/> for <paramref name="train"/>, built with <paramref name="seed"/> and
    /// trained with <paramref name="loss"/> and <paramref name="optimizer"/>; the advisor judges it against the
    /// data's task and that loss.
    /// </summary>
    /// <exception cref="ModelSpecException">The spec does not parse.</exception>
    /// <exception cref="ArgumentException">The layers do not fit the data's shape.</exception>
    public static PlaygroundNetwork Build(
        string spec, Dataset train, int seed, Loss loss, Optimizer optimizer, Regularization? regularization, TrainingDiagnostics diagnostics, bool initZero = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var shape = new TensorShape(train.FeatureShape.Length);
        var model = Sequential.Parse(spec);
        model.Build(shape, seed);
        if (initZero)
        {
            foreach (var layer in model.Layers.OfType<Dense>())
            {
                layer.Weight.Value.Span.Clear();
            }
        }

        var trainer = new Trainer(model, loss, optimizer) { Diagnostics = diagnostics, Regularization = regularization };
        var advice = Advisor.Check(model, new AdvisorContext
        {
            Task = train.Task,
            Loss = loss.Name,
            OutputActivation = TaskDefaults.OutputActivation(loss),
            InputShape = shape,
        });
        return new PlaygroundNetwork(spec, shape, model, loss, optimizer, trainer, diagnostics, advice);
    }

    /// <summary>The playground's optimizer by name: "momentum" (SGD with momentum 0.9), "adam", else plain SGD.</summary>
    public static Optimizer OptimizerOf(string name, double learningRate) => name switch
    {
        "momentum" => new Sgd(learningRate, momentum: 0.9),
        "adam" => new Adam(learningRate),
        _ => new Sgd(learningRate),
    };

    /// <summary>
    /// A model of the same spec for evaluation (weights copied in with <see cref="PlaygroundSession.CopyWeights"/>):
    /// each copy keeps one batch size, so no layer of the trained model reallocates its buffers.
    /// </summary>
    public Sequential Copy()
    {
        var copy = Sequential.Parse(Spec);
        copy.Build(InputShape, seed: 0);
        return copy;
    }
}
