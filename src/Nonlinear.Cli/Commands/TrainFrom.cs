using System.CommandLine;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>train --from model.nlm</c>: fine-tuning. Training starts from the file's architecture and weights (a model
/// imported from ONNX, or one Nonlinear trained) instead of a fresh model, keeps the file's input normalisation, and
/// uses its loss and output activation unless --loss is given.
/// </summary>
internal static class TrainFrom
{
    public static Option<string?> CreateOption() => new("--from")
    {
        Description = "Fine-tune: start from this model file's architecture, weights and normalisation (e.g. one made by 'nonlinear import') instead of a new model",
    };

    /// <summary>The model to start from, or null; refuses options that would describe another model.</summary>
    public static SavedModel? Load(string? path, string? modelName)
    {
        if (path is null)
        {
            return null;
        }

        if (modelName is not null)
        {
            throw new CliUsageException("--from starts from a saved model; --model describes a new one: give one of them.");
        }

        return ModelFile.Load(path);
    }

    /// <summary>The saved normalisation (not refitted: the weights were trained on it).</summary>
    public static Normalization? Normalization(SavedModel start)
        => start.Metadata.NormalizationMean is { } mean && start.Metadata.NormalizationStd is { } std ? new Normalization([.. mean], [.. std]) : null;

    /// <summary>The loss: --loss when given, else the file's.</summary>
    public static Loss Loss(SavedModel start, string? given) => Nonlinear.Losses.Loss.Parse(given ?? start.Metadata.Loss);

    /// <summary>Checks that the data fits the saved model: sample shape, task and number of outputs.</summary>
    public static void Check(SavedModel start, Dataset train)
    {
        var model = start.Model;
        if (train.FeatureShape != model.InputShape)
        {
            throw new CliUsageException($"--from: the model takes samples of shape {model.InputShape}; the data '{train.Name}' has {train.FeatureShape}.");
        }

        if (train.Task != start.Metadata.Task)
        {
            throw new CliUsageException($"--from: the model was made for {start.Metadata.Task.ToString().ToLowerInvariant()}; the data '{train.Name}' is {train.Task.ToString().ToLowerInvariant()}.");
        }

        int outputs = TaskDefaults.Outputs(train);
        if (model.OutputShape != new TensorShape(outputs) && train.Task != TaskKind.Sequence)
        {
            throw new CliUsageException($"--from: the model has outputs {model.OutputShape}; the data '{train.Name}' needs {outputs}.");
        }
    }
}
