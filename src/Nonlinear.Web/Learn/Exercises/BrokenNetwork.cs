using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// A fix-this-network exercise as course.json states it: the broken model spec, the task and the data it is for, how
/// it is trained (optimizer, learning rate, batch size, epochs, seed), the accuracy it must reach, which other settings
/// the learner may change (the loss, the learning rate), and a fix that passes.
/// </summary>
/// <param name="Broken">What is wrong with it: collapsed, softmax-hidden, sigmoid-exclusive, deep-sigmoid or dying.</param>
/// <param name="Data">The data's playground settings (dataset, classes, noise, split, seed, inputs x and y).</param>
/// <param name="Task">Binary (one output, bce_logits) or multiclass (one output per class).</param>
/// <param name="Target">The test accuracy to reach after <paramref name="Epochs"/> epochs.</param>
/// <param name="Epochs">Epochs trained (all of them: the diagnostics judge the whole run).</param>
/// <param name="Optimizer">The playground optimizer name (sgd, momentum, adam).</param>
/// <param name="LearningRate">The learning rate as given (the preset of the learning-rate choice where there is one).</param>
/// <param name="LearningRates">The learning rates the learner may choose from, or empty when it is fixed.</param>
/// <param name="BatchSize">The mini-batch size.</param>
/// <param name="Spec">The broken spec (the text field's preset).</param>
/// <param name="Loss">The loss as given (the preset of the loss choice where there is one).</param>
/// <param name="ChooseLoss">Whether the learner chooses the loss (the output's activation comes with it).</param>
/// <param name="SolutionSpec">A spec that passes (the tests train it).</param>
/// <param name="SolutionLoss">Its loss.</param>
/// <param name="SolutionLearningRate">Its learning rate.</param>
/// <param name="Why">Why the fix works (trusted HTML from course.json).</param>
/// <param name="Hints">Hint 1 and hint 2 (trusted HTML).</param>
/// <param name="See">Where the idea is shown live.</param>
internal sealed record BrokenNetwork(
    string Broken, PlaygroundConfig Data, TaskKind Task, double Target, int Epochs, string Optimizer, double LearningRate, IReadOnlyList<double> LearningRates,
    int BatchSize, string Spec, string Loss, bool ChooseLoss, string SolutionSpec, string SolutionLoss, double SolutionLearningRate, string Why,
    IReadOnlyList<string> Hints, SeeAlso See)
{
    /// <summary>The kinds of broken network the tutor knows.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["collapsed", "softmax-hidden", "sigmoid-exclusive", "deep-sigmoid", "dying"];

    /// <summary>The network of <paramref name="definition"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter is missing or wrong (a course bug; the tests generate every exercise).</exception>
    public static BrokenNetwork From(ExerciseDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string broken = TrainingTutor.Required(definition, "broken");
        string dataset = TrainingTutor.Required(definition, "dataset");
        int classes = TrainingTutor.Integer(definition, "classes", 2);
        var data = new PlaygroundConfig
        {
            Dataset = dataset,
            Classes = classes,
            Noise = TrainingTutor.Integer(definition, "noise", 0),
            PercTrainData = TrainingTutor.Integer(definition, "percTrainData", 50),
            Seed = TrainingTutor.Required(definition, "seed"),
            Features = ["x", "y"],
            Layers = [],
        };
        try
        {
            data = PlaygroundConfigValidator.Validate(data, new PlaygroundLimits());
        }
        catch (WebRequestException e)
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: the data settings are not valid: {e.Message}", e);
        }

        string optimizer = definition.Text("optimizer", "adam");
        double learningRate = definition.Number("learningRate", 0.01);
        var rates = RatesOf(definition);
        double target = definition.Number("accuracy", double.NaN);
        int epochs = TrainingTutor.Integer(definition, "epochs", 0);
        int batchSize = TrainingTutor.Integer(definition, "batchSize", 10);
        string spec = TrainingTutor.Required(definition, "preset");
        string solution = TrainingTutor.Required(definition, "solution");
        var task = classes == 2 ? TaskKind.Binary : TaskKind.Multiclass;
        string loss = Losses.Loss.Parse(definition.Text("loss", Training.TaskDefaults.Loss(task).Name)).Name;
        string solutionLoss = Losses.Loss.Parse(definition.Text("solutionLoss", loss)).Name;
        if (!Kinds.Contains(broken) || dataset == "csv" || !PlaygroundConfigValidator.Optimizers.Contains(optimizer)
            || !(learningRate is > 0 and <= 10) || !(target is > 0 and <= 1) || epochs is < 1 or > LearnGoal.MaxEpochs || batchSize is < 1 or > 30
            || (rates.Count > 0 && !rates.Contains(learningRate)))
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: broken must be one of {string.Join(", ", Kinds)}; a generated dataset; optimizer sgd, momentum or adam; learning rate in (0, 10] (one of learningRates if given); accuracy in (0, 1]; epochs 1-{LearnGoal.MaxEpochs}; batch size 1-30.");
        }

        ModelSpec.Parse(spec);
        ModelSpec.Parse(solution);
        double solutionRate = definition.Number("solutionLearningRate", learningRate);
        return new BrokenNetwork(
            broken, data, task, target, epochs, optimizer, learningRate, rates, batchSize, spec, loss,
            definition.Parameters?.ContainsKey("loss") == true, solution, solutionLoss, solutionRate, definition.Text("why", ""),
            TrainingTutor.Texts(definition, "hints"), TrainingTutor.See(definition));
    }

    /// <summary>Outputs the model must end with: 1 (a logit) for two classes, one per class otherwise.</summary>
    public int Outputs => Task == TaskKind.Binary ? 1 : Data.Classes;

    /// <summary>The data seed (the playground's seed of the text).</summary>
    public int DataSeed => PlaygroundData.SeedOf(Data.Seed);

    /// <summary>Whether <paramref name="loss"/> can be computed on this task's targets (one 0/1 per point, or one class index per point).</summary>
    public bool Trains(string loss) => Task == TaskKind.Binary ? loss is "bce_logits" or "mse" : loss == "cross_entropy";

    private static List<double> RatesOf(ExerciseDefinition definition)
    {
        if (definition.Parameters is null || !definition.Parameters.TryGetValue("learningRates", out var value))
        {
            return [];
        }

        return value.ValueKind == System.Text.Json.JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == System.Text.Json.JsonValueKind.Number)
            ? [.. value.EnumerateArray().Select(e => e.GetDouble())]
            : throw new InvalidOperationException($"Exercise {definition.Id}: learningRates must be a list of numbers.");
    }
}
