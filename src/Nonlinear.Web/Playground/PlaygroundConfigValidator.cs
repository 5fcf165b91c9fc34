using Nonlinear.Activations;

namespace Nonlinear.Web.Playground;

/// <summary>Checks a config against the rules and the server's caps; every problem is a 400 whose message names the field.</summary>
public static class PlaygroundConfigValidator
{
    /// <summary>The optimizers the playground offers.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["sgd", "momentum", "adam"];

    /// <summary>The config with names in canonical case, or a <see cref="WebRequestException"/> (400) naming the first problem.</summary>
    public static PlaygroundConfig Validate(PlaygroundConfig? config, PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (config is null)
        {
            throw WebRequestException.BadRequest("The body must be a playground config (a JSON object).");
        }

        string problem = Lower(config.Problem, "problem");
        if (problem is not ("classification" or "regression"))
        {
            Fail($"problem '{config.Problem}' is not 'classification' or 'regression'.");
        }

        string dataset = Lower(config.Dataset, "dataset");
        if (!PlaygroundData.ClassificationNames.Contains(dataset) && dataset != "csv")
        {
            Fail($"dataset '{config.Dataset}' is unknown; valid: {string.Join(", ", PlaygroundData.ClassificationNames)}, csv.");
        }

        string regDataset = Lower(config.RegDataset, "regDataset");
        if (!PlaygroundData.RegressionNames.Contains(regDataset) && regDataset != "csv")
        {
            Fail($"regDataset '{config.RegDataset}' is unknown; valid: {string.Join(", ", PlaygroundData.RegressionNames)}, csv.");
        }

        Range(config.Classes, 2, 5, "classes");
        if (config.Classes > 2 && problem == "classification" && dataset is not ("spiral" or "gauss" or "csv"))
        {
            Fail($"classes = {config.Classes}: only the spiral and gauss datasets have more than two classes.");
        }

        Range(config.Noise, 0, 50, "noise (percent)");
        Range(config.PercTrainData, 10, 90, "percTrainData (percent)");
        Range(config.BatchSize, 1, 30, "batchSize");
        if (!(config.LearningRate > 0 && config.LearningRate <= 10))
        {
            Fail($"learningRate = {config.LearningRate} is out of range: expected a number in (0, 10].");
        }

        string activation = CheckActivation(config.Activation, "activation");
        if (config.Layers is null)
        {
            Fail("layers is missing: give a list of hidden layers (it may be empty).");
        }

        if (config.Layers!.Count > limits.MaxHiddenLayers)
        {
            Fail($"{config.Layers.Count} hidden layers is more than this server allows ({limits.MaxHiddenLayers}).");
        }

        var layers = new List<HiddenLayerConfig>(config.Layers.Count);
        for (int i = 0; i < config.Layers.Count; i++)
        {
            var layer = config.Layers[i] ?? throw WebRequestException.BadRequest($"layers[{i}] is null.");
            Range(layer.Units, 1, limits.MaxNeurons, $"layers[{i}].units");
            if (!(layer.Dropout >= 0 && layer.Dropout <= 0.9))
            {
                Fail($"layers[{i}].dropout = {layer.Dropout} is out of range: expected 0-0.9.");
            }

            layers.Add(layer with { Activation = layer.Activation is null ? null : CheckActivation(layer.Activation, $"layers[{i}].activation") });
        }

        string regularization = Lower(config.Regularization, "regularization") switch
        {
            "none" => "none",
            "l1" => "L1",
            "l2" => "L2",
            _ => throw WebRequestException.BadRequest($"regularization '{config.Regularization}' is not none, L1 or L2."),
        };
        if (!(config.RegularizationRate >= 0 && config.RegularizationRate <= 10))
        {
            Fail($"regularizationRate = {config.RegularizationRate} is out of range: expected 0-10.");
        }

        string optimizer = Lower(config.Optimizer, "optimizer");
        if (!Optimizers.Contains(optimizer))
        {
            Fail($"optimizer '{config.Optimizer}' is unknown; valid: {string.Join(", ", Optimizers)}.");
        }

        if (config.Features is null || config.Features.Count == 0)
        {
            Fail("features is empty: choose at least one input feature (x, y, xSquared, ...).");
        }

        foreach (var f in config.Features!)
        {
            if (f is null || !InputFeatures.Names.Contains(f))
            {
                Fail($"feature '{f}' is unknown; valid: {string.Join(", ", InputFeatures.Names)}.");
            }
        }

        if (config.Features.Distinct().Count() != config.Features.Count)
        {
            Fail("features lists a feature twice.");
        }

        if (config.Seed is null || config.Seed.Length > 64 || config.Seed.Trim().Length == 0 || !IsWellFormed(config.Seed))
        {
            Fail("seed must be a text of 1-64 characters (not only blanks).");
        }

        if (!(config.Speed == 0 || (config.Speed >= 0.25 && config.Speed <= 16)))
        {
            Fail($"speed = {config.Speed} is out of range: expected 0.25-16, or 0 for as fast as possible.");
        }

        if (config.Hidden is null || config.Hidden.Count > 64)
        {
            Fail("hidden must be a list of at most 64 control names.");
        }

        foreach (var h in config.Hidden!)
        {
            if (h is null || !PlaygroundState.HideableControls.Contains(h))
            {
                Fail($"hidden: '{h}' is not a control that can be hidden; valid: {string.Join(", ", PlaygroundState.HideableControls)}.");
            }
        }

        // Canonical order, and TF Playground's rule that a hidden input feature is not an input at all.
        var hidden = PlaygroundState.HideableControls.Where(config.Hidden.Contains).ToArray();
        var features = InputFeatures.Names.Where(f => config.Features.Contains(f) && !hidden.Contains(f)).ToArray();
        if (features.Length == 0)
        {
            Fail("features: every chosen input feature is hidden (hidden names it); keep at least one feature shown.");
        }

        if (config.CsvId is not null && !PlaygroundState.IsCsvId(config.CsvId))
        {
            Fail("csvId is not an upload id (1-64 letters, digits, '-' or '_'): upload a CSV file and use the id it answers.");
        }

        if (config.CsvFeatures is { } columns
            && (columns.Count != 2 || columns.Any(c => c is null || c.Trim().Length == 0 || c.Length > 200 || !IsWellFormed(c)) || columns[0] == columns[1]))
        {
            Fail("csvFeatures must name two different columns of the table (or be null: every column is an input, without the 2-D views).");
        }

        bool usesCsv = (problem == "classification" ? dataset : regDataset) == "csv";
        if (usesCsv && string.IsNullOrEmpty(config.CsvId))
        {
            Fail("The dataset is 'csv' but no table was uploaded (csvId is empty): upload a CSV file first.");
        }

        return config with
        {
            Problem = problem,
            Dataset = dataset,
            RegDataset = regDataset,
            Activation = activation,
            Layers = layers,
            Regularization = regularization,
            Optimizer = optimizer,
            Features = features,
            Hidden = hidden,
            CsvFeatures = config.CsvFeatures?.ToArray(),
        };
    }

    internal static string CheckActivation(string? spec, string field)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            Fail($"{field} is empty: name a catalog activation (relu, tanh, ...).");
        }

        if (!ActivationRegistry.TryParse(spec!, out var activation, out var error))
        {
            Fail($"{field}: {error}");
        }

        if (activation!.IsRowWise)
        {
            Fail($"{field} '{spec}' works on whole rows (softmax-like); a hidden layer of the playground takes an elementwise activation.");
        }

        return activation.Spec;
    }

    /// <summary>Whether <paramref name="text"/> is valid UTF-16 (no lone surrogate), so that it survives UTF-8 and a link.</summary>
    internal static bool IsWellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Lower(string? value, string field)
    {
        if (value is null)
        {
            Fail($"{field} is missing.");
        }

        return value!.Trim().ToLowerInvariant();
    }

    private static void Range(int value, int min, int max, string field)
    {
        if (value < min || value > max)
        {
            Fail($"{field} = {value} is out of range: expected {min}-{max}.");
        }
    }

    private static void Fail(string message) => throw WebRequestException.BadRequest(message);
}
