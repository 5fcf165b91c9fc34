using System.Globalization;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Images;

/// <summary>The networks an image session offers, and the check of its settings (every problem a 400 naming the field).</summary>
public static class ImageModels
{
    /// <summary>
    /// The model names and their specs with "{a}" for the hidden activation: the CLI's <c>--model mlp</c> and
    /// <c>--model cnn</c> (README), then the output layer for the ten classes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Specs { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mlp"] = "flatten,dense:256,{a},dense:128,{a},dense:10",
        ["cnn"] = "conv:32x3,{a},pool:2,conv:64x3,{a},pool:2,flatten,dense:128,{a},dense:10",
    };

    /// <summary>Batch sizes allowed, 1 to this.</summary>
    public const int MaxBatchSize = 256;

    /// <summary>The model spec of <paramref name="config"/> (validated).</summary>
    public static string SpecOf(ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Specs[config.Model].Replace("{a}", config.Activation, StringComparison.Ordinal);
    }

    /// <summary>The config with names in canonical form, or a <see cref="WebRequestException"/> (400) naming the first problem.</summary>
    public static ImageConfig Validate(ImageConfig? config)
    {
        if (config is null)
        {
            throw WebRequestException.BadRequest("The body must be an image config (a JSON object).");
        }

        string model = (config.Model ?? "").Trim().ToLowerInvariant();
        if (!Specs.ContainsKey(model))
        {
            throw WebRequestException.BadRequest($"model '{config.Model}' is unknown; valid: {string.Join(", ", Specs.Keys)}.");
        }

        string activation = PlaygroundConfigValidator.CheckActivation(config.Activation, "activation");
        string optimizer = (config.Optimizer ?? "").Trim().ToLowerInvariant();
        if (!PlaygroundConfigValidator.Optimizers.Contains(optimizer))
        {
            throw WebRequestException.BadRequest($"optimizer '{config.Optimizer}' is unknown; valid: {string.Join(", ", PlaygroundConfigValidator.Optimizers)}.");
        }

        if (!(config.LearningRate > 0 && config.LearningRate <= 10))
        {
            throw WebRequestException.BadRequest($"learningRate = {config.LearningRate.ToString(CultureInfo.InvariantCulture)} is out of range: expected a number in (0, 10].");
        }

        if (config.BatchSize is < 1 or > MaxBatchSize)
        {
            throw WebRequestException.BadRequest($"batchSize = {config.BatchSize} is out of range: expected 1-{MaxBatchSize}.");
        }

        return config with { Model = model, Activation = activation, Optimizer = optimizer };
    }
}
