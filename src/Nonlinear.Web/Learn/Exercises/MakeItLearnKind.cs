using System.Globalization;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "Make it learn": the learner configures an embedded playground that starts from a network that cannot reach the
/// target, and submits its link. The server reads the link, puts the exercise's data back (dataset, noise, split,
/// seed, inputs; and the activation where the exercise is about one) and says which settings it replaced, checks the
/// configuration against the server's caps, and re-trains it with the playground's own code from the exercise's seed
/// for up to N epochs; the answer is right when the test accuracy reaches the target. The tutor names the likely
/// reason when it does not (a linear network, too few units, a diverging or crawling learning rate, units that died or
/// saturated as the diagnostics saw them, ...).
/// </summary>
internal sealed class MakeItLearnKind : IExerciseKind
{
    /// <summary>The longest playground link accepted (a canonical link of the largest network is about 700 characters).</summary>
    public const int MaxHashLength = 4000;

    private readonly TrainingCheckGate _gate;
    private readonly PlaygroundLimits _limits;

    /// <summary>The kind, training through <paramref name="gate"/> within <paramref name="limits"/> (the playground's caps).</summary>
    public MakeItLearnKind(TrainingCheckGate gate, PlaygroundLimits limits)
    {
        _gate = gate ?? throw new ArgumentNullException(nameof(gate));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
    }

    /// <inheritdoc/>
    public string Kind => "make-it-learn";

    /// <inheritdoc/>
    public Exercise Generate(ExerciseDefinition definition, ulong seed)
    {
        var goal = LearnGoal.From(definition);
        string fixedData = $"noise {goal.Noise} %, {goal.PercTrainData} % of the {PlaygroundData.ClassificationSamples} points for training and the rest for testing, inputs {LearnGoal.Inputs(goal.Features)}, seed '{TrainingTutor.Encode(goal.Seed)}'";
        string activation = goal.Activation is { } a
            ? $" The hidden activation stays <code>{TrainingTutor.Encode(a)}</code>: this exercise is about what a {TrainingTutor.Encode(a)} network can do."
            : "";
        string prompt =
            $"<p>Make the network learn {TrainingTutor.DataText(goal.Dataset, goal.Classes)}: reach a <strong>test accuracy of at least {TrainingTutor.Number(goal.Target)} within {goal.Epochs} epochs</strong>.</p>"
            + $"<p>The playground below starts from a network that does not get there ({TrainingTutor.Encode(Summary(goal.Preset))}). Change the network (activation, hidden layers and neurons, learning rate, optimizer, batch size, regularization), watch it train, then submit it. The server re-trains your configuration from the same seed for up to {goal.Epochs} epochs, stops at the first epoch that reaches the target, and measures the accuracy on the test points.</p>"
            + $"<p>The data stays as given: {fixedData}. Other values are replaced, and the answer says which.{activation}</p>";
        var field = new AnswerField("hash", "Your playground", "playground", Preset: PlaygroundState.Format(goal.Preset));
        return new Exercise(definition, seed, prompt, [field], goal);
    }

    /// <inheritdoc/>
    public async Task<Verdict> CheckAsync(Exercise exercise, IReadOnlyDictionary<string, JsonElement> answers, int attempt, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        var goal = (LearnGoal)exercise.Solution;
        var (config, overridden) = goal.Enforce(ReadConfig(answers));
        config = PlaygroundConfigValidator.Validate(config, _limits);
        var (network, run) = await _gate.RunAsync(token => Train(goal, config, token), cancellation).ConfigureAwait(false);
        return Judge(goal, config, overridden, network, run, attempt);
    }

    /// <summary>Trains <paramref name="config"/> (the goal's data already in it) as the playground would, up to the goal's budget.</summary>
    internal static (PlaygroundNetwork Network, TrainingRun Run) Train(LearnGoal goal, PlaygroundConfig config, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(goal);
        ArgumentNullException.ThrowIfNull(config);
        int dataSeed = PlaygroundData.SeedOf(config.Seed);
        var data = PlaygroundSplit.Generate(config, dataSeed);
        var network = PlaygroundNetwork.Build(config, data.Train, new TrainingDiagnostics());
        return (network, TrainingRun.Train(network, data, config.BatchSize, dataSeed, goal.Epochs, goal.Target, stopAtTarget: true, cancellation));
    }

    /// <summary>The playground link the learner sent, read as the playground reads it; a 400 when it is not one.</summary>
    private PlaygroundConfig ReadConfig(IReadOnlyDictionary<string, JsonElement> answers)
    {
        string hash = TrainingTutor.ReadText(answers, "hash", MaxHashLength, "the playground's link (its hash)").Trim();
        int at = hash.IndexOf('#', StringComparison.Ordinal);
        hash = at >= 0 ? hash[(at + 1)..] : hash;
        if (hash.Length == 0)
        {
            throw WebRequestException.BadRequest("'hash' is empty: send the playground's settings (the link's part after '#').");
        }

        var parsed = PlaygroundState.Parse(hash, _limits);
        if (parsed.Warnings.Count > 0)
        {
            // A playground's own link reads without a warning; anything else is not the learner's configuration, and
            // training the defaults in its place would judge something they did not send.
            throw WebRequestException.BadRequest(
                $"'hash' is not a playground configuration this server can train: {string.Join(" ", parsed.Warnings.Take(3))} Submit the link of the playground above as it is.");
        }

        return parsed.Config;
    }

    private static Verdict Judge(LearnGoal goal, PlaygroundConfig config, IReadOnlyList<string> overridden, PlaygroundNetwork network, TrainingRun run, int attempt)
    {
        var layers = network.Model.Layers;
        Func<string, string> renumber = text => PageAdvice.Renumber(text, m => HiddenLayerOf(layers, m), OutputLayer(layers));
        var advice = network.Advice.Select(a => TrainingTutor.Advice(a, "before training", renumber))
            .Concat(run.RuntimeAdvice.Select(a => TrainingTutor.Advice(a, "during training", renumber)))
            .ToList();
        var report = new TrainingReport(run.Epochs, run.MaxEpochs, TrainingTutor.Finite(run.TrainAccuracy), TrainingTutor.Finite(run.TestAccuracy), goal.Target, overridden, advice);
        bool correct = run.ReachedAt is not null;
        string target = $"target {TrainingTutor.Number(goal.Target)} within {goal.Epochs}";
        string measured = run switch
        {
            { Diverged: not null } => $"Training diverged in epoch {run.Epochs} ({target})",
            { Epochs: 0 } => $"No epoch was trained ({target})",
            _ => $"Test accuracy {TrainingTutor.Accuracy(run.TestAccuracy)} after {run.Epochs} epoch{(run.Epochs == 1 ? "" : "s")} ({target})",
        };
        string replaced = overridden.Count == 0 ? "" : $"<p>The exercise replaced: {TrainingTutor.Encode(string.Join("; ", overridden))}.</p>";
        string? mistake = null;
        string feedback;
        if (correct)
        {
            feedback = $"<p>Right: {measured}. Your network ({TrainingTutor.Encode(Summary(config))}) learned {TrainingTutor.DataName(goal.Dataset)}.</p>";
        }
        else
        {
            (mistake, string why) = Diagnose(goal, config, run, advice);
            feedback = $"<p>{measured}: {why}</p>";
        }

        return new Verdict(correct, new Dictionary<string, bool> { ["hash"] = correct }, mistake, feedback + replaced)
        {
            Hint = correct ? null : TrainingTutor.Hint(goal.Hints, attempt),
            Solution = TrainingTutor.Solution(correct, attempt, Worked(goal)),
            See = goal.See,
            Training = report,
        };
    }

    /// <summary>The likely reason the target was missed, most specific first: (mistake code, HTML sentence).</summary>
    private static (string Mistake, string Why) Diagnose(LearnGoal goal, PlaygroundConfig config, TrainingRun run, IReadOnlyList<TrainingAdvice> advice)
    {
        string lr = TrainingTutor.Number(config.LearningRate);
        if (run.Stopped)
        {
            return ("time-limit", $"training stopped at the server's time limit after {run.Epochs} of {run.MaxEpochs} epochs. A larger batch size makes fewer, cheaper updates per epoch; fewer neurons make each one cheaper.");
        }

        if (run.Diverged is not null)
        {
            return ("diverged", $"the loss became NaN or infinite ({TrainingTutor.Encode(run.Diverged)}). With learning rate {lr} the steps overshoot and the weights blow up; lower it (0.03 is the playground's default; Adam's usual rate is 0.001-0.01).");
        }

        if (config.InitZero && config.Layers.Count > 0)
        {
            return ("init-zero", "every weight started at 0 (initZero), so all units of a layer compute the same thing, get the same gradient and stay identical: the layer acts like a single unit. Turn initZero off so the seed draws different starting weights.");
        }

        var hidden = config.Layers.Select(l => ActivationRegistry.Parse(l.Activation ?? config.Activation)).ToList();
        if (config.Layers.Count == 0)
        {
            return ("no-hidden-layer", $"with no hidden layer the network is a single neuron: its boundary is a straight line, and {TrainingTutor.WhyNotStraight(goal.Dataset)}. Add hidden layers with a non-linear activation.");
        }

        if (hidden.All(a => a.Info.Family == ActivationFamily.Linear))
        {
            string name = TrainingTutor.Encode(hidden[0].Spec == "identity" ? "linear" : hidden[0].Spec);
            return ("linear-network", $"with activation {name} every layer is one linear map, so the whole network is one linear map of the inputs and its boundary is a straight line; {TrainingTutor.WhyNotStraight(goal.Dataset)}. Choose a non-linear activation (tanh or ReLU).");
        }

        if (config.Layers[0].Units < goal.MinUnits)
        {
            return ("too-few-units", $"the first hidden layer has {config.Layers[0].Units} unit{(config.Layers[0].Units == 1 ? "" : "s")}: each one adds one straight line to the boundary, and {goal.MinUnitsWhy} Give it at least {goal.MinUnits}.");
        }

        if (config.Regularization != "none" && config.RegularizationRate >= 0.01 && !TrainingRun.Reaches(run.TrainAccuracy, goal.Target))
        {
            return ("too-much-regularization", $"{config.Regularization} regularization at rate {TrainingTutor.Number(config.RegularizationRate)} pulls every weight towards 0 harder than the data pulls it away, so even the training accuracy stays at {TrainingTutor.Accuracy(run.TrainAccuracy)}. Lower the rate (0.001-0.003) or turn it off.");
        }

        var during = advice.Where(a => a.Stage == "during training").OrderBy(a => a.Severity switch { "error" => 0, "warning" => 1, _ => 2 });
        if (during.FirstOrDefault() is { } runtime)
        {
            return (runtime.Code, $"during training the advisor saw this: {TrainingTutor.Encode(runtime.Message)} {TrainingTutor.Encode(runtime.Reason)} {TrainingTutor.Encode(runtime.Fix)}");
        }

        bool slow = config.Optimizer == "adam" ? config.LearningRate < 0.0005 : config.LearningRate < 0.005;
        if (slow && !TrainingRun.Reaches(run.TrainAccuracy, goal.Target))
        {
            return ("learning-rate-too-small", $"even the training accuracy is only {TrainingTutor.Accuracy(run.TrainAccuracy)}: with learning rate {lr} each step moves the weights very little, and {goal.Epochs} epochs are not enough. Raise it (0.03-0.1 for SGD, 0.01 for Adam).");
        }

        if (TrainingRun.Reaches(run.TrainAccuracy, goal.Target))
        {
            return ("overfitting", $"the training accuracy is {TrainingTutor.Accuracy(run.TrainAccuracy)} but the test points are not classified as well: the boundary fits the training points' details. Fewer neurons, a little L2 regularization or dropout make it smoother.");
        }

        return ("not-yet", $"the training accuracy is {TrainingTutor.Accuracy(run.TrainAccuracy)} too, so the network has not found the shape yet. More neurons or another layer give it more pieces to bend the boundary with; tanh or ReLU, a larger learning rate or Adam get there in fewer epochs.");
    }

    /// <summary>The worked solution: the reference configuration in words and as a playground link.</summary>
    private static string Worked(LearnGoal goal)
    {
        string hash = PlaygroundState.Format(goal.Reference);
        return $"<p>One configuration that reaches test accuracy {TrainingTutor.Number(goal.Target)} within {goal.Epochs} epochs with this seed: {TrainingTutor.Encode(Summary(goal.Reference))}.</p>"
            + $"<p><a href=\"/#{TrainingTutor.Encode(hash)}\" data-playground=\"{TrainingTutor.Encode(hash)}\">Open it in the playground</a>.</p>";
    }

    /// <summary>A configuration's network in words: "activation tanh, hidden layers 4-2, learning rate 0.03, SGD, batch size 10".</summary>
    internal static string Summary(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string activation = config.Activation == "identity" ? "linear" : config.Activation;
        var own = config.Layers.Select((l, i) => (l, i)).Where(x => x.l.Activation is not null && x.l.Activation != config.Activation)
            .Select(x => $"layer {x.i + 1}: {x.l.Activation}").ToList();
        string shape = config.Layers.Count == 0 ? "no hidden layers" : "hidden layers " + string.Join("-", config.Layers.Select(l => l.Units.ToString(CultureInfo.InvariantCulture)));
        string optimizer = config.Optimizer switch { "adam" => "Adam", "momentum" => "SGD with momentum", _ => "SGD" };
        string regularization = config.Regularization == "none" ? "" : $", {config.Regularization} {TrainingTutor.Number(config.RegularizationRate)}";
        return $"activation {activation}{(own.Count == 0 ? "" : $" ({string.Join(", ", own)})")}, {shape}, learning rate {TrainingTutor.Number(config.LearningRate)}, {optimizer}, batch size {config.BatchSize}{regularization}";
    }

    /// <summary>The 0-based hidden layer holding the advisor's 1-based model layer, or null for the output layer.</summary>
    private static int? HiddenLayerOf(IReadOnlyList<Layer> layers, int modelLayer)
    {
        int dense = -1;
        for (int i = 0; i < Math.Min(modelLayer, layers.Count); i++)
        {
            if (layers[i] is Dense)
            {
                dense++;
            }
        }

        int hiddenCount = layers.Count(l => l is Dense) - 1;
        return dense >= 0 && dense < hiddenCount ? dense : null;
    }

    private static int OutputLayer(IReadOnlyList<Layer> layers)
    {
        int last = layers.Count - 1;
        while (last > 0 && layers[last] is not Dense)
        {
            last--;
        }

        return last + 1;
    }
}
