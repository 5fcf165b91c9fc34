using System.Globalization;
using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Builds the imported <see cref="SavedModel"/>: the layers with their weights, and the metadata, inferred from the
/// graph's end (Softmax or LogSoftmax → multiclass with cross-entropy, a Sigmoid on one output → binary, otherwise
/// regression, or multiclass on logits when the file names as many classes as there are outputs) unless the file
/// carries the <c>nonlinear.*</c> properties that Nonlinear's exporter writes, which win.
/// </summary>
internal static class ImportMetadata
{
    public const string SourceKey = "imported_from";

    public static SavedModel Build(ImportWalker walker, TensorShape inputShape, IReadOnlyDictionary<string, string> props, string source)
    {
        var layers = walker.Layers;
        var outputShape = walker.OutputShape;
        int outputs = outputShape.Length;
        TaskKind task;
        string activation, loss;
        if (walker.Final is not null)
        {
            (task, activation, loss) = (TaskKind.Multiclass, "softmax", "cross_entropy");
        }
        else if (layers.Count > 0 && layers[^1].Spec == "sigmoid" && outputs == 1)
        {
            layers.RemoveAt(layers.Count - 1);
            (task, activation, loss) = (TaskKind.Binary, "sigmoid", "bce_logits");
        }
        else if (OnnxImport.ClassNames(props, out _) is { } named && named.Count == outputs && outputs > 1 && outputShape.Rank == 1)
        {
            (task, activation, loss) = (TaskKind.Multiclass, "softmax", "cross_entropy");
        }
        else
        {
            (task, activation, loss) = (TaskKind.Regression, "identity", "mse");
        }

        var model = BuildModel(layers, inputShape);
        if (props.TryGetValue("nonlinear.architecture", out var architecture) && Rebuild(architecture, model) is { } exact)
        {
            model = exact;
        }

        if (props.TryGetValue("nonlinear.task", out var taskText))
        {
            task = ModelFileFormat.TryParseTask(taskText, out var parsed) ? parsed
                : throw new ImportException($"metadata nonlinear.task '{ImportException.Shorten(taskText)}' is not a task (binary, multiclass, regression, sequence)");
        }

        activation = props.GetValueOrDefault("nonlinear.output_activation", activation);
        loss = props.GetValueOrDefault("nonlinear.loss", loss);

        var names = OnnxImport.ClassNames(props, out var key);
        int expected = task == TaskKind.Binary ? 2 : outputs;
        if (names is not null && (task == TaskKind.Regression || names.Count != expected))
        {
            if (key == "nonlinear.class_names")
            {
                throw new ImportException($"metadata nonlinear.class_names has {names.Count} names; the {task.ToString().ToLowerInvariant()} model needs {expected}");
            }

            names = null;
        }

        var (mean, std) = (walker.Mean, walker.Std);
        if (mean is null && Floats(props, "nonlinear.normalization_mean") is { } m && Floats(props, "nonlinear.normalization_std") is { } s)
        {
            // Only when the graph does not apply it itself would the file need it applied outside; a graph from
            // OnnxExport always does, so this is a file whose normalisation was recorded but not built in.
            (mean, std) = (m, s);
        }

        var metadata = new ModelMetadata
        {
            Task = task,
            OutputActivation = activation,
            Loss = loss,
            ClassNames = names,
            NormalizationMean = mean,
            NormalizationStd = std,
            Extra = Extra(props, source),
        };
        if (ModelFileFormat.Problem(metadata, model.InputShape, model.OutputShape) is { } problem)
        {
            throw new ImportException($"the imported model's metadata does not fit it: {problem}");
        }

        return new SavedModel(model, metadata);
    }

    private static Sequential BuildModel(List<ImportedLayer> layers, TensorShape inputShape)
    {
        string spec = layers.Count == 0 ? "identity" : string.Join(",", layers.Select(l => l.Spec));
        var model = Sequential.Parse(spec);
        try
        {
            model.Build(inputShape, seed: 0);
        }
        catch (ArgumentException e)
        {
            throw new ImportException($"the imported layers '{ImportException.Shorten(spec)}' do not build on input {inputShape}: {e.Message}", e);
        }

        for (int i = 0; i < layers.Count; i++)
        {
            var layer = model.Layers[i];
            Copy(layers[i].Parameters, layer.Parameters.Select(p => p.Value).ToList(), layers[i]);
            Copy(layers[i].State, layer.State.Select(t => t.Value).ToList(), layers[i]);
        }

        return model;
    }

    private static void Copy(IReadOnlyList<float[]> from, List<Tensor> to, ImportedLayer layer)
    {
        if (from.Count != 0 && from.Count != to.Count)
        {
            throw new ImportException($"{layer.Source}: {layer.Spec} has {to.Count} weight tensors; {from.Count} were read");
        }

        for (int i = 0; i < from.Count; i++)
        {
            if (from[i].Length != to[i].Length)
            {
                throw new ImportException($"{layer.Source}: {layer.Spec} needs {to[i].Length} values in tensor {i}; {from[i].Length} were read");
            }

            for (int j = 0; j < from[i].Length; j++)
            {
                if (!float.IsFinite(from[i][j]))
                {
                    throw new ImportException($"{layer.Source}: weight {j} of tensor {i} is not finite");
                }
            }

            from[i].CopyTo(to[i].Span);
        }
    }

    /// <summary>
    /// The exporter's own architecture (with dropout rates, initializers and spellings the graph cannot carry),
    /// when it builds a model with exactly the imported parameters and state; the imported values are copied in.
    /// </summary>
    private static Sequential? Rebuild(string architecture, Sequential imported)
    {
        Sequential model;
        try
        {
            model = Sequential.Parse(architecture);
            model.Build(imported.InputShape, seed: 0);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return null;
        }

        if (model.OutputShape != imported.OutputShape || model.Parameters.Count != imported.Parameters.Count || model.State.Count != imported.State.Count)
        {
            return null;
        }

        for (int i = 0; i < model.Parameters.Count; i++)
        {
            if (model.Parameters[i].Value.Shape != imported.Parameters[i].Value.Shape)
            {
                return null;
            }
        }

        for (int i = 0; i < model.State.Count; i++)
        {
            if (model.State[i].Value.Shape != imported.State[i].Value.Shape)
            {
                return null;
            }
        }

        for (int i = 0; i < model.Parameters.Count; i++)
        {
            imported.Parameters[i].Value.Span.CopyTo(model.Parameters[i].Value.Span);
        }

        for (int i = 0; i < model.State.Count; i++)
        {
            imported.State[i].Value.Span.CopyTo(model.State[i].Value.Span);
        }

        return model;
    }

    /// <summary>The exporter's free-form settings (nonlinear.extra.&lt;key&gt;) and where the model came from.</summary>
    private static Dictionary<string, string> Extra(IReadOnlyDictionary<string, string> props, string source)
    {
        const string Prefix = "nonlinear.extra.";
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in props)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length
                && !ModelFileFormat.ReservedKeys.Contains(key[Prefix.Length..]) && key[Prefix.Length..] != SourceKey)
            {
                extra[key[Prefix.Length..]] = value;
            }
        }

        extra[SourceKey] = source;
        return extra;
    }

    private static float[]? Floats(IReadOnlyDictionary<string, string> props, string key)
    {
        if (!props.TryGetValue(key, out var text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<float[]>(text);
        }
        catch (JsonException)
        {
            throw new ImportException($"metadata {key} is not a JSON array of numbers");
        }
    }
}
