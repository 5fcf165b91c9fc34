using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Nonlinear.Activations;
using Nonlinear.Data;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Writes a saved model as an ONNX model that ONNX Runtime runs: one input <c>input</c> [N, ...input shape]
/// (float32, symbolic batch N), the saved input normalisation as Sub and Div nodes, the layers, then the model's
/// output activation, so that the one output <c>output</c> equals <see cref="SavedModel.Predict(Nonlinear.Tensors.Tensor)"/> (probabilities
/// for a softmax or sigmoid model). The architecture, task, class names, output activation, loss and
/// normalisation go into the model's metadata_props ("nonlinear.*").
/// </summary>
/// <remarks>
/// Layers: dense → Gemm (MatMul + Add on sequences), conv → Conv, pool → MaxPool, batchnorm →
/// BatchNormalization (running statistics), flatten → Flatten, dropout → nothing, prelu → PRelu, and every catalog
/// activation → its ONNX operator or an exact composition (docs/onnx.md has the table and the measured errors).
/// Initializers carry the model's parameter names ("0.weight", "1.running_mean") and our layouts.
/// </remarks>
/// <example><code>
/// var saved = ModelFile.Load("model.nlm");
/// OnnxExport.Save("model.onnx", saved);
/// </code></example>
public static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="path"/>, atomically (a temporary file in the same folder, then a rename).</summary>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX form (the message names it and why).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The opset is outside <see cref="OnnxExportOptions.MinimumOpset"/>..<see cref="OnnxExportOptions.MaximumOpset"/>.</exception>
    /// <exception cref="ModelFileException">The file cannot be written (missing directory, permissions, disk full); an old file there is untouched.</exception>
    public static void Save(string path, SavedModel model, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var proto = Build(model, options ?? new OnnxExportOptions());
        var full = AtomicFile.FullPath(path);
        AtomicFile.Write(full, path, proto.WriteTo);
    }

    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="stream"/> at its current position (not atomic).</summary>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX form (the message names it and why).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The opset is out of range.</exception>
    public static void Save(Stream stream, SavedModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Build(model, options ?? new OnnxExportOptions()).WriteTo(stream);
    }

    /// <summary>The ONNX model of <paramref name="saved"/>, not yet serialised.</summary>
    internal static ModelProto Build(SavedModel saved, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options),
                options.Opset,
                $"ONNX export writes opsets {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}; {options.Opset} was asked for.");
        }

        var model = saved.Model;
        if (!model.IsBuilt)
        {
            throw new ArgumentException("The model is not built.", nameof(saved));
        }

        var layers = model.Layers;
        var emitters = new ILayerEmitter[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            var emitter = OnnxEmitters.For(layers[i])
                ?? throw new NotSupportedException($"Layer {i + 1} ('{layers[i].Spec}', {layers[i].GetType().Name}) cannot be exported to ONNX yet: there is no ONNX emitter for it.");
            if (emitter.Unsupported(layers[i]) is { } why)
            {
                throw new NotSupportedException($"Layer {i + 1} ('{layers[i].Spec}') cannot be exported to ONNX: {why}.");
            }

            emitters[i] = emitter;
        }

        var outputActivation = ActivationRegistry.Parse(saved.Metadata.OutputActivation);
        if (OnnxActivations.Unsupported(outputActivation) is { } outputWhy)
        {
            throw new NotSupportedException($"The output activation cannot be exported: {outputWhy}.");
        }

        var graph = new OnnxGraphBuilder(options.Opset);
        var (inputType, inputShape) = emitters[0].Input(layers[0]);
        if (saved.Metadata.NormalizationMean is not null && inputType == TensorProto.Types.DataType.Float)
        {
            // The normalisation constants have the sample's shape (or [C, 1, ...]): they fix a sequence's T too.
            inputShape = OnnxGraphBuilder.BatchOf(model.InputShape);
        }

        graph.Scope = "input";
        graph.AddInput(inputType, inputShape);
        EmitNormalization(graph, saved);
        for (int i = 0; i < layers.Count; i++)
        {
            graph.Scope = $"{i}.{ScopeName(layers[i].Spec)}";
            emitters[i].Emit(graph, layers[i], i);
        }

        graph.Scope = $"output.{ScopeName(outputActivation.Spec)}";
        OnnxActivations.Emit(graph, outputActivation);
        graph.FinishOutput();

        var proto = new ModelProto
        {
            IrVersion = IrVersion(options.Opset),
            ProducerName = options.ProducerName,
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "",
            Graph = graph.Graph,
        };
        if (options.Description is { } description)
        {
            proto.DocString = description;
        }

        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in Metadata(saved))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return proto;
    }

    /// <summary>The metadata_props of an export of <paramref name="saved"/>, in writing order.</summary>
    internal static IReadOnlyList<(string Key, string Value)> Metadata(SavedModel saved)
    {
        var m = saved.Metadata;
        var list = new List<(string, string)>
        {
            (OnnxMetadataKeys.Architecture, saved.Model.Spec),
            (OnnxMetadataKeys.InputShape, JsonSerializer.Serialize(saved.Model.InputShape.ToArray())),
            (OnnxMetadataKeys.Task, ModelFileFormat.TaskName(m.Task)),
            (OnnxMetadataKeys.OutputActivation, m.OutputActivation),
            (OnnxMetadataKeys.Loss, m.Loss),
        };
        if (m.ClassNames is { } names)
        {
            list.Add((OnnxMetadataKeys.ClassNames, Json(w => Array(w, names, (j, s) => j.WriteStringValue(s)))));
        }

        if (m.NormalizationMean is { } mean && m.NormalizationStd is { } std)
        {
            list.Add((OnnxMetadataKeys.NormalizationMean, Json(w => Array(w, mean, (j, v) => j.WriteNumberValue(v)))));
            list.Add((OnnxMetadataKeys.NormalizationStd, Json(w => Array(w, std, (j, v) => j.WriteNumberValue(v)))));
        }

        foreach (var (key, value) in (m.Extra ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            list.Add((OnnxMetadataKeys.ExtraPrefix + key, value));
        }

        return list;
    }

    // (x - mean) / std, each rounded once in float as Normalization.Apply: per feature the constants have the
    // sample's shape; per channel [C, 1, ...] to broadcast over [N, C, ...].
    private static void EmitNormalization(OnnxGraphBuilder graph, SavedModel saved)
    {
        if (saved.Metadata.NormalizationMean is not { } mean || saved.Metadata.NormalizationStd is not { } std)
        {
            return;
        }

        if (graph.CurrentType != TensorProto.Types.DataType.Float)
        {
            throw new NotSupportedException($"The model's input is {graph.CurrentType}, but a saved normalisation needs float inputs.");
        }

        var sample = saved.Model.InputShape;
        var norm = new Normalization(mean, std);
        if (!norm.Fits(sample))
        {
            throw new ArgumentException($"The saved normalisation has {norm.Count} constants, which fit neither the {sample.Length} features nor the channels of input {sample}.", nameof(saved));
        }

        long[] dims = norm.Count == sample.Length
            ? [.. sample.Select(d => (long)d)]
            : [sample[0], .. Enumerable.Repeat(1L, sample.Rank - 1)];
        var meanName = graph.AddInitializer("normalization.mean", [.. mean], dims);
        var stdName = graph.AddInitializer("normalization.std", [.. std], dims);
        graph.Apply("Sub", [meanName]);
        graph.Apply("Div", [stdName]);
    }

    // IR version 8 up to opset 18, 9 for 19-20, 10 for 21 (onnx/helper.py's VERSION_TABLE).
    private static long IrVersion(int opset) => opset switch
    {
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    private static string ScopeName(string spec) => spec.Replace('/', '_');

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, ModelFileFormat.JsonOptions))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Array<T>(Utf8JsonWriter writer, IReadOnlyList<T> items, Action<Utf8JsonWriter, T> item)
    {
        writer.WriteStartArray();
        foreach (var x in items)
        {
            item(writer, x);
        }

        writer.WriteEndArray();
    }
}
