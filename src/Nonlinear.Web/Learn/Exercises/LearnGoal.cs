using System.Globalization;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// A make-it-learn exercise as course.json states it: the data every answer is trained on (dataset, classes, noise,
/// training share, seed, inputs; and the hidden activation where the exercise is about one), the target test accuracy
/// within a budget of epochs, the starting playground and a reference configuration that reaches the target.
/// </summary>
/// <param name="Dataset">The classification dataset (xor, circle, spiral, ...).</param>
/// <param name="Classes">Classes of the dataset.</param>
/// <param name="Noise">Noise in percent.</param>
/// <param name="PercTrainData">Share of training points in percent.</param>
/// <param name="Seed">The playground seed: data and initial weights follow from it.</param>
/// <param name="Features">The input features.</param>
/// <param name="Activation">The hidden activation every layer must use, or null when the learner chooses.</param>
/// <param name="Target">The test accuracy to reach.</param>
/// <param name="Epochs">The budget N: training stops at the first epoch that reaches the target, or after N.</param>
/// <param name="MinUnits">Fewer units in the first hidden layer cannot draw the boundary (the tutor says so).</param>
/// <param name="MinUnitsWhy">Why, for the tutor (trusted HTML from course.json).</param>
/// <param name="Preset">The starting configuration (fails the target).</param>
/// <param name="Reference">A configuration that reaches the target (the worked solution; the tests train it).</param>
/// <param name="Hints">Hint 1 and hint 2 (trusted HTML).</param>
/// <param name="See">Where the idea is shown live.</param>
internal sealed record LearnGoal(
    string Dataset, int Classes, int Noise, int PercTrainData, string Seed, IReadOnlyList<string> Features, string? Activation,
    double Target, int Epochs, int MinUnits, string MinUnitsWhy, PlaygroundConfig Preset, PlaygroundConfig Reference, IReadOnlyList<string> Hints, SeeAlso See)
{
    /// <summary>The most epochs an exercise may ask for (a check must stay a few seconds of one core).</summary>
    public const int MaxEpochs = 1000;

    /// <summary>The goal of <paramref name="definition"/>.</summary>
    /// <exception cref="InvalidOperationException">A parameter is missing or wrong (a course bug; the tests generate every exercise).</exception>
    public static LearnGoal From(ExerciseDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string dataset = TrainingTutor.Required(definition, "dataset");
        if (!PlaygroundData.ClassificationNames.Contains(dataset))
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: dataset '{dataset}' is not a classification dataset of the playground.");
        }

        double target = definition.Number("accuracy", double.NaN);
        int epochs = TrainingTutor.Integer(definition, "epochs", 0);
        if (!(target is > 0 and <= 1) || epochs is < 1 or > MaxEpochs)
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: accuracy must be in (0, 1] and epochs in 1-{MaxEpochs}.");
        }

        string? activation = definition.Text("activation", "") is { Length: > 0 } a ? PlaygroundConfigValidator.CheckActivation(a, "activation") : null;
        var features = definition.Text("features", "x,y").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var goal = new LearnGoal(
            dataset,
            TrainingTutor.Integer(definition, "classes", 2),
            TrainingTutor.Integer(definition, "noise", 0),
            TrainingTutor.Integer(definition, "percTrainData", 50),
            TrainingTutor.Required(definition, "seed"),
            features,
            activation,
            target,
            epochs,
            TrainingTutor.Integer(definition, "minUnits", 1),
            definition.Text("minUnitsWhy", ""),
            new PlaygroundConfig(),
            new PlaygroundConfig(),
            TrainingTutor.Texts(definition, "hints"),
            TrainingTutor.See(definition));
        return goal with
        {
            Preset = goal.Course(definition, "preset"),
            Reference = goal.Course(definition, "solution"),
        };
    }

    /// <summary>
    /// The controls the exercise's playground hides: the data's (fixed by the exercise) and the activation when the
    /// exercise fixes it.
    /// </summary>
    public IReadOnlyList<string> HiddenControls =>
        ["problem", "dataset", "noise", "percTrainData", "classes", "regenerate", "features", .. Activation is null ? Array.Empty<string>() : ["activation"]];

    /// <summary>
    /// <paramref name="config"/> with the exercise's data (and activation) in place of the learner's, and one sentence
    /// per setting that changed, e.g. "noise 0 % (yours: 20 %)". Display settings are kept.
    /// </summary>
    public (PlaygroundConfig Config, IReadOnlyList<string> Overridden) Enforce(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var overridden = new List<string>();
        void Compare(string name, string ours, string theirs)
        {
            if (ours != theirs)
            {
                overridden.Add($"{name} {ours} (yours: {theirs})");
            }
        }

        Compare("problem", "classification", config.Problem);
        Compare("dataset", Dataset, config.Problem == "classification" && config.Dataset == "csv" ? "an uploaded table" : config.Dataset);
        Compare("classes", I(Classes), I(config.Classes));
        Compare("noise", $"{I(Noise)} %", $"{I(config.Noise)} %");
        Compare("training share", $"{I(PercTrainData)} %", $"{I(config.PercTrainData)} %");
        Compare("seed", $"'{Seed}'", $"'{config.Seed}'");
        Compare("inputs", Inputs(Features), Inputs(config.Features));
        var layers = config.Layers;
        string hiddenActivation = config.Activation;
        if (Activation is { } forced)
        {
            Compare("activation", forced, config.Activation);
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i].Activation is { } own && own != forced)
                {
                    overridden.Add($"hidden layer {I(i + 1)}'s activation {forced} (yours: {own})");
                }
            }

            hiddenActivation = forced;
            layers = [.. layers.Select(l => l with { Activation = null })];
        }

        var enforced = config with
        {
            Problem = "classification",
            Dataset = Dataset,
            Classes = Classes,
            Noise = Noise,
            PercTrainData = PercTrainData,
            Seed = Seed,
            Features = Features,
            Activation = hiddenActivation,
            Layers = layers,
            CsvId = null,
            CsvFeatures = null,
            Hidden = HiddenControls,
        };
        return (enforced, overridden);
    }

    /// <summary>The input features as the page names them, e.g. "x₁, x₂".</summary>
    public static string Inputs(IReadOnlyList<string> features) => string.Join(", ", features.Select(InputFeatures.Label));

    /// <summary>A course configuration (preset or solution): read, given the exercise's data, and valid for TF Playground's caps.</summary>
    private PlaygroundConfig Course(ExerciseDefinition definition, string name)
    {
        var parsed = PlaygroundState.Parse(TrainingTutor.Required(definition, name), new PlaygroundLimits());
        if (parsed.Warnings.Count > 0)
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: the {name} hash has problems: {string.Join(" ", parsed.Warnings)}");
        }

        try
        {
            return PlaygroundConfigValidator.Validate(Enforce(parsed.Config).Config, new PlaygroundLimits());
        }
        catch (WebRequestException e)
        {
            throw new InvalidOperationException($"Exercise {definition.Id}: the {name} hash is not a valid configuration: {e.Message}", e);
        }
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
