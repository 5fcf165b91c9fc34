using System.Globalization;
using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "Fix this network": a broken model spec for a stated task on the playground's 2-D data (layers without
/// activations, softmax between dense layers, sigmoid outputs for exclusive classes, a deep sigmoid stack, ReLU units
/// that die at a large step). The learner edits the spec (and, where the exercise offers them, the loss or the
/// learning rate). The answer passes when the advisor is silent (no warning, no error) on the network for its task and
/// loss and on the diagnostics of its training, and the trained network reaches the stated test accuracy. A spec that
/// does not parse is a wrong try with the parser's words; one larger than the caps is refused (400).
/// </summary>
internal sealed class FixNetworkKind : IExerciseKind
{
    /// <summary>The longest spec accepted, in characters.</summary>
    public const int MaxSpecLength = 400;

    /// <summary>The most layers (tokens) in a spec.</summary>
    public const int MaxLayers = 40;

    /// <summary>The most dense layers in a spec.</summary>
    public const int MaxDenseLayers = 12;

    /// <summary>The most units in one dense layer.</summary>
    public const int MaxUnits = 32;

    private static readonly IReadOnlyList<ChoiceOption> LossOptions =
    [
        new("mse", "mse: mean squared error on the raw outputs (no output activation)"),
        new("bce_logits", "bce_logits: a sigmoid on each output, binary cross-entropy per output"),
        new("cross_entropy", "cross_entropy: softmax over the outputs, cross-entropy with the class"),
    ];

    private readonly TrainingCheckGate _gate;

    /// <summary>The kind, training through <paramref name="gate"/>.</summary>
    public FixNetworkKind(TrainingCheckGate gate)
    {
        _gate = gate ?? throw new ArgumentNullException(nameof(gate));
    }

    /// <inheritdoc/>
    public string Kind => "fix-network";

    /// <inheritdoc/>
    public Exercise Generate(ExerciseDefinition definition, ulong seed)
    {
        var broken = BrokenNetwork.From(definition);
        string task = broken.Task == TaskKind.Binary
            ? "two classes: the model ends in <code>dense:1</code>, one logit, and is trained with binary cross-entropy on it (<code>bce_logits</code>, which applies the sigmoid itself)"
            : $"{broken.Data.Classes} mutually exclusive classes (each point belongs to exactly one)";
        string loss = broken.ChooseLoss ? $" It is trained with the loss <code>{broken.Loss}</code>; choose the loss below as well (the output's activation comes with it)." : "";
        string rate = broken.LearningRates.Count > 0
            ? $"{OptimizerName(broken.Optimizer)} at learning rate {TrainingTutor.Number(broken.LearningRate)} (you may choose another below)"
            : $"{OptimizerName(broken.Optimizer)} at learning rate {TrainingTutor.Number(broken.LearningRate)}";
        string prompt =
            $"<p>This network should classify {TrainingTutor.DataText(broken.Data.Dataset, broken.Data.Classes)}: {PlaygroundData.ClassificationSamples} points, {broken.Data.PercTrainData} % of them for training, inputs x₁ and x₂. The task has {task}.{loss}</p>"
            + $"<p><code>{TrainingTutor.Encode(broken.Spec)}</code></p>"
            + $"<p>Training: {rate}, batch size {broken.BatchSize}, {broken.Epochs} epochs, always from the same seed. Fix the spec so that the advisor raises no warning before or during training and the network reaches a <strong>test accuracy of at least {TrainingTutor.Number(broken.Target)}</strong> after {broken.Epochs} epochs.</p>"
            + $"<p>A spec is a list of layers separated by commas: <code>dense:&lt;units&gt;</code>, an activation (<code>relu</code>, <code>tanh</code>, <code>sigmoid</code>, <code>leaky_relu:0.1</code>, <code>softmax</code>, ...), <code>batchnorm</code>, <code>dropout:&lt;rate&gt;</code>; at most {MaxDenseLayers} dense layers of at most {MaxUnits} units.</p>";
        var fields = new List<AnswerField> { new("spec", "Model spec", "text", Preset: broken.Spec) };
        if (broken.ChooseLoss)
        {
            fields.Add(new AnswerField("loss", "Loss", "choice", Options: LossOptions, Preset: broken.Loss));
        }

        if (broken.LearningRates.Count > 0)
        {
            var options = broken.LearningRates.Select(r => new ChoiceOption(TrainingTutor.Number(r), TrainingTutor.Number(r))).ToList();
            fields.Add(new AnswerField("learningRate", $"{OptimizerName(broken.Optimizer)}'s learning rate", "choice", Options: options, Preset: TrainingTutor.Number(broken.LearningRate)));
        }

        return new Exercise(definition, seed, prompt, fields, broken);
    }

    /// <inheritdoc/>
    public async Task<Verdict> CheckAsync(Exercise exercise, IReadOnlyDictionary<string, JsonElement> answers, int attempt, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        var broken = (BrokenNetwork)exercise.Solution;
        string spec = TrainingTutor.ReadText(answers, "spec", MaxSpecLength, "a model spec such as dense:8,relu,dense:1").Trim();
        string loss = broken.ChooseLoss ? TrainingTutor.ReadChoice(answers, "loss", LossOptions) : broken.Loss;
        double learningRate = broken.LearningRates.Count > 0
            ? double.Parse(TrainingTutor.ReadChoice(answers, "learningRate", [.. broken.LearningRates.Select(r => new ChoiceOption(TrainingTutor.Number(r), ""))]), CultureInfo.InvariantCulture)
            : broken.LearningRate;

        IReadOnlyList<Layer> layers;
        try
        {
            layers = ModelSpec.Parse(spec);
        }
        catch (ModelSpecException e)
        {
            return Wrong(broken, attempt, "spec-syntax", $"<p>The spec does not parse. {TrainingTutor.Encode(e.Message)}</p>");
        }

        CheckSize(layers);
        if (Unusable(layers, broken) is { } problem)
        {
            return Wrong(broken, attempt, problem.Mistake, problem.Feedback);
        }

        var (network, run) = await _gate.RunAsync(token => Train(broken, spec, loss, learningRate, token), cancellation).ConfigureAwait(false);
        return Judge(broken, spec, loss, learningRate, network, run, attempt);
    }

    /// <summary>
    /// Builds <paramref name="spec"/> for the exercise's data with its seed and trains it for the whole budget (the
    /// diagnostics judge the whole run); a loss that cannot be computed on the task's targets is not trained (null run).
    /// </summary>
    internal static (PlaygroundNetwork Network, TrainingRun? Run) Train(BrokenNetwork broken, string spec, string loss, double learningRate, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(broken);
        var data = PlaygroundSplit.Generate(broken.Data, broken.DataSeed);
        var network = PlaygroundNetwork.Build(
            spec, data.Train, broken.DataSeed, Loss.Parse(loss), PlaygroundNetwork.OptimizerOf(broken.Optimizer, learningRate), null, new TrainingDiagnostics());
        var run = broken.Trains(loss)
            ? TrainingRun.Train(network, data, broken.BatchSize, broken.DataSeed, broken.Epochs, broken.Target, stopAtTarget: false, cancellation)
            : null;
        return (network, run);
    }

    /// <summary>Refuses (400) a spec beyond the caps: it is not checked and does not count as a try.</summary>
    private static void CheckSize(IReadOnlyList<Layer> layers)
    {
        var dense = layers.OfType<Dense>().ToList();
        if (layers.Count > MaxLayers || dense.Count > MaxDenseLayers || dense.Any(d => d.Units > MaxUnits))
        {
            throw WebRequestException.BadRequest(
                $"This spec is larger than the exercise trains: it has {layers.Count} layers, {dense.Count} of them dense, the widest with {(dense.Count == 0 ? 0 : dense.Max(d => d.Units))} units; "
                + $"the caps are {MaxLayers} layers, {MaxDenseLayers} dense layers and {MaxUnits} units per layer. A few layers of 8-16 units are plenty for these points.");
        }
    }

    /// <summary>A spec that parses but cannot be a model for these points: a wrong try that says why.</summary>
    private static (string Mistake, string Feedback)? Unusable(IReadOnlyList<Layer> layers, BrokenNetwork broken)
    {
        if (layers.FirstOrDefault(l => l is not (Dense or ActivationLayer or Dropout or BatchNorm or PRelu)) is { } other)
        {
            return ("spec-layer", $"<p><code>{TrainingTutor.Encode(other.Spec)}</code> works on images (a grid of pixels with channels); each of these points is just two numbers, x₁ and x₂. Use dense layers, activations, batchnorm and dropout.</p>");
        }

        if (layers.OfType<Dense>().LastOrDefault() is not { } last)
        {
            return ("no-dense", "<p>The spec has no dense layer, so nothing in it has weights to learn, and nothing produces the outputs. A model here ends with a dense layer of the task's outputs.</p>");
        }

        if (last.Units != broken.Outputs)
        {
            string needs = broken.Task == TaskKind.Binary
                ? "one output: the logit of class 1 (the loss applies the sigmoid)"
                : $"{broken.Outputs} outputs, one logit per class";
            return ("output-width", $"<p>The last dense layer, <code>{TrainingTutor.Encode(last.Spec)}</code>, gives {last.Units} output{(last.Units == 1 ? "" : "s")}; this task needs {needs}. End the model with <code>dense:{broken.Outputs}</code>.</p>");
        }

        return null;
    }

    private static Verdict Judge(BrokenNetwork broken, string spec, string loss, double learningRate, PlaygroundNetwork network, TrainingRun? run, int attempt)
    {
        // The advisor numbers layers by their position in the spec, as the learner wrote them: no renumbering.
        var before = network.Advice.Select(a => TrainingTutor.Advice(a, "before training", t => t)).ToList();
        var during = run is null ? [] : run.RuntimeAdvice.Select(a => TrainingTutor.Advice(a, "during training", t => t)).ToList();
        bool reached = run is { Diverged: null, Stopped: false } && TrainingRun.Reaches(run.TestAccuracy, broken.Target);
        // Silent means no warning and no error; notes (info, e.g. a few units dying in a deep ReLU stack) are listed but
        // do not fail a network that learns.
        var warnedBefore = before.Where(a => a.Severity != "info").ToList();
        var warnedDuring = during.Where(a => a.Severity != "info").ToList();
        bool correct = warnedBefore.Count == 0 && warnedDuring.Count == 0 && reached;
        var report = new TrainingReport(
            run?.Epochs ?? 0, broken.Epochs, TrainingTutor.Finite(run?.TrainAccuracy ?? double.NaN), TrainingTutor.Finite(run?.TestAccuracy ?? double.NaN), broken.Target, [], [.. before, .. during]);
        bool given = spec == broken.Spec && loss == broken.Loss && learningRate == broken.LearningRate;
        string measured = run switch
        {
            null => $"It was not trained: {loss} cannot be computed on these targets (one class index per point).",
            { Stopped: true } => $"Training stopped at the server's time limit after {run.Epochs} of {broken.Epochs} epochs.",
            { Diverged: { } where } => $"Training diverged in epoch {run.Epochs}: {TrainingTutor.Encode(where)}",
            _ => $"After {run.Epochs} epochs the test accuracy is {TrainingTutor.Accuracy(run.TestAccuracy)} (target {TrainingTutor.Number(broken.Target)}).",
        };

        string? mistake;
        string feedback;
        if (correct)
        {
            mistake = null;
            string notes = before.Count + during.Count == 0 ? "finds nothing" : "raises no warning (only notes, listed below the verdict)";
            feedback = $"<p>Right: the advisor {notes} before or during training, and {Lower(measured)}</p>";
        }
        else if (warnedBefore.Count > 0)
        {
            var first = Likely(broken, warnedBefore);
            mistake = first[0].Code;
            string opening = given ? "This is the network as given." : $"The advisor still finds {Count(warnedBefore.Count, "problem")} before training.";
            feedback = $"<p>{opening}</p>" + string.Concat(first.Take(2).Select(TrainingTutor.Paragraph)) + $"<p>{measured}</p>";
        }
        else if (warnedDuring.Count > 0)
        {
            var first = Likely(broken, warnedDuring);
            mistake = first[0].Code;
            string opening = given ? "This is the network as given: the spec itself looks fine to the advisor, but its training does not." : "The advisor finds nothing in the spec, but the diagnostics of its training show a problem.";
            feedback = $"<p>{opening}</p>" + string.Concat(first.Take(2).Select(TrainingTutor.Paragraph)) + $"<p>{measured}</p>";
        }
        else if (before.Count + during.Count > 0)
        {
            // No warning, but the target is missed: the advisor's notes (e.g. units dying slowly) say why.
            var notes = Likely(broken, [.. during, .. before]);
            mistake = notes[0].Code;
            string opening = given ? "This is the network as given: the advisor raises no warning, but it does not reach the target." : "The advisor raises no warning, but the network does not reach the target.";
            feedback = $"<p>{opening} {measured} The advisor's notes say why:</p>" + string.Concat(notes.Take(2).Select(TrainingTutor.Paragraph));
        }
        else
        {
            mistake = "not-trained";
            feedback = $"<p>The advisor finds nothing wrong, but the network does not learn the task well enough yet. {measured} Give it more units or another hidden layer with a ReLU-family activation.</p>";
        }

        return new Verdict(correct, Fields(broken, correct, loss), mistake, feedback)
        {
            Hint = correct ? null : TrainingTutor.Hint(broken.Hints, attempt),
            Solution = TrainingTutor.Solution(correct, attempt, Worked(broken)),
            See = broken.See,
            Training = report,
        };
    }

    /// <summary>
    /// The findings with the one this exercise is about first (sigmoid outputs for exclusive classes also end the model
    /// in an activation before a fused loss; the lesson is the first).
    /// </summary>
    private static List<TrainingAdvice> Likely(BrokenNetwork broken, IReadOnlyList<TrainingAdvice> advice)
    {
        var codes = broken.Broken switch
        {
            "collapsed" => [AdviceCodes.LinearCollapse],
            "softmax-hidden" => [AdviceCodes.HiddenSoftmax],
            "sigmoid-exclusive" => [AdviceCodes.SigmoidMulticlass],
            "deep-sigmoid" => [AdviceCodes.DeepSaturating, AdviceCodes.VanishingGradients],
            "dying" => new[] { AdviceCodes.DeadUnits, AdviceCodes.DeadUnitsGrowing },
            _ => [],
        };
        return [.. advice.OrderBy(a => codes.Contains(a.Code) ? 0 : 1)];
    }

    private static Verdict Wrong(BrokenNetwork broken, int attempt, string mistake, string feedback) =>
        new(false, new Dictionary<string, bool> { ["spec"] = false }, mistake, feedback)
        {
            Hint = TrainingTutor.Hint(broken.Hints, attempt),
            Solution = TrainingTutor.Solution(false, attempt, Worked(broken)),
            See = broken.See,
            Training = new TrainingReport(0, broken.Epochs, null, null, broken.Target, [], []),
        };

    /// <summary>The spec is judged with the whole answer; the loss on its own where the exercise offers one (the rate cannot be judged alone).</summary>
    private static Dictionary<string, bool> Fields(BrokenNetwork broken, bool correct, string loss)
    {
        var fields = new Dictionary<string, bool> { ["spec"] = correct };
        if (broken.ChooseLoss)
        {
            fields["loss"] = loss == broken.SolutionLoss;
        }

        return fields;
    }

    private static string Worked(BrokenNetwork broken)
    {
        string loss = broken.ChooseLoss ? $" with the loss <code>{broken.SolutionLoss}</code>" : "";
        string rate = broken.LearningRates.Count > 0 ? $" at learning rate {TrainingTutor.Number(broken.SolutionLearningRate)}" : "";
        return $"<p>One network that passes: <code>{TrainingTutor.Encode(broken.SolutionSpec)}</code>{loss}{rate}.</p>" + (broken.Why.Length == 0 ? "" : $"<p>{broken.Why}</p>");
    }

    private static string OptimizerName(string optimizer) => optimizer switch { "adam" => "Adam", "momentum" => "SGD with momentum 0.9", _ => "SGD" };

    private static string Count(int n, string noun) => $"{n} {noun}{(n == 1 ? "" : "s")}";

    private static string Lower(string sentence) => sentence.Length == 0 ? sentence : char.ToLowerInvariant(sentence[0]) + sentence[1..];
}
