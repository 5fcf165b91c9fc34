using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Reads an ONNX model of an MLP or a CNN, as <c>torch.onnx.export</c> writes them (or <c>OnnxExport</c>), into a
/// Nonlinear <see cref="SavedModel"/>: the layers, their weights in Nonlinear's layout, and metadata (task, loss,
/// output activation, class names, input normalisation). docs/onnx.md lists the operators and patterns it reads.
/// </summary>
/// <remarks>
/// The file is parsed with OnnxSharp (the ONNX protobuf classes over Google.Protobuf) from at most
/// <see cref="MaxFileBytes"/>; every tensor's shape is checked against its stored bytes and against size caps before
/// its values are decoded. Anything that cannot be imported (a file that is not ONNX, an operator or shape Nonlinear
/// has no layer for) is one <see cref="ModelFileException"/> whose message names the node and its operator, e.g.
/// "model.onnx: node 'Conv_3' (op Conv): group=2 is not supported; Nonlinear imports groups of 1".
/// </remarks>
/// <example><code>
/// var saved = OnnxImport.Load("fashion.onnx");
/// ModelFile.Save("fashion.nlm", saved.Model, saved.Metadata);
/// var probabilities = saved.Predict(images);
/// </code></example>
public static class OnnxImport
{
    /// <summary>The largest file read (256 MiB): far beyond the models Nonlinear trains.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>Metadata keys that <c>OnnxExport</c> writes and the importer reads back.</summary>
    private const string Prefix = "nonlinear.";

    private static readonly string[] ClassNameKeys = [Prefix + "class_names", "class_names", "classes", "labels"];

    private static readonly HashSet<string> ShapeHelpers = new(StringComparer.Ordinal)
    {
        "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast",
    };

    private static readonly HashSet<string> Structural = new(StringComparer.Ordinal)
    {
        "Gemm", "MatMul", "Conv", "MaxPool", "BatchNormalization", "Flatten", "Reshape", "Dropout", "Identity", "PRelu",
        "Softmax", "LogSoftmax",
    };

    /// <summary>Operators that only move data around; an unsupported one of these is reported only if nothing more telling is.</summary>
    private static readonly HashSet<string> Plumbing = new(StringComparer.Ordinal)
    {
        "Transpose", "Slice", "Expand", "Tile", "Split", "Pad", "ConstantOfShape", "Range", "Where", "Equal",
    };

    /// <summary>Reads the ONNX model at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, not ONNX, or uses an operator or shape Nonlinear cannot import; the message names the node.</exception>
    public static SavedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = ModelFileIO.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads an ONNX model from <paramref name="stream"/> (to its end).</summary>
    /// <param name="stream">The bytes of a .onnx file.</param>
    /// <param name="name">What error messages call the source (default "&lt;stream&gt;").</param>
    /// <exception cref="ModelFileException">The bytes are not ONNX, or use an operator or shape Nonlinear cannot import; the message names the node.</exception>
    public static SavedModel Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        name ??= "<stream>";
        var bytes = ReadAll(stream, name);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFileException(name, $"not an ONNX model, or a truncated one (the protobuf does not parse: {e.Message})", e);
        }

        try
        {
            return Import(model);
        }
        catch (ImportException e)
        {
            throw new ModelFileException(name, e.Message, e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or FormatException or NotSupportedException)
        {
            // A graph malformed in a way no check above anticipated: still one clear error, never a crash.
            throw new ModelFileException(name, $"cannot import: {e.Message}", e);
        }
    }

    private static byte[] ReadAll(Stream stream, string name) => ModelFileIO.Read(name, () =>
    {
        if (stream.CanSeek && stream.Length - stream.Position > MaxFileBytes)
        {
            throw new ModelFileException(name, $"the file has {stream.Length - stream.Position} bytes; Nonlinear imports ONNX files of at most {MaxFileBytes} bytes");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > MaxFileBytes)
            {
                throw new ModelFileException(name, $"the stream has more than {MaxFileBytes} bytes; Nonlinear imports ONNX files of at most that");
            }

            buffer.Write(chunk, 0, n);
        }

        if (buffer.Length == 0)
        {
            throw new ModelFileException(name, "the file is empty: not an ONNX model");
        }

        return buffer.ToArray();
    });

    private static SavedModel Import(ModelProto model)
    {
        if (model.Graph is null || model.IrVersion <= 0 || model.Graph.Node.Count == 0)
        {
            throw new ImportException("not an ONNX model: it has no ir_version or no graph with nodes");
        }

        var graph = new ImportGraph(model.Graph);
        CheckOperators(model.Graph);
        var (input, inputShape) = Input(graph);
        if (model.Graph.Output.Count != 1)
        {
            throw new ImportException($"the graph has {model.Graph.Output.Count} outputs; Nonlinear imports models with one output");
        }

        var walker = new ImportWalker(graph, input, inputShape);
        walker.Walk();
        foreach (var node in model.Graph.Node)
        {
            if (!graph.Used.Contains(node) && node.OpType != "Constant")
            {
                throw new ImportException(node, "it is not on the chain of layers from the input to the output; Nonlinear imports one chain (no branches or skip connections)");
            }
        }

        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            props.TryAdd(entry.Key, entry.Value);
        }

        return ImportMetadata.Build(walker, inputShape, props, Source(model));
    }

    private static string Source(ModelProto model)
    {
        string producer = string.Join(" ", new[] { model.ProducerName, model.ProducerVersion }.Where(s => s.Length > 0));
        long opset = model.OpsetImport.Where(o => o.Domain.Length == 0 || o.Domain == "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        return $"onnx, {(producer.Length > 0 ? ImportException.Shorten(producer) + ", " : "")}opset {opset.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Reports the first operator Nonlinear has no import for, preferring a telling one (LSTM) to plumbing (Transpose).</summary>
    private static void CheckOperators(GraphProto graph)
    {
        NodeProto? first = null;
        foreach (var node in graph.Node)
        {
            bool standard = node.Domain.Length == 0 || node.Domain == "ai.onnx";
            if (standard && (Structural.Contains(node.OpType) || ShapeHelpers.Contains(node.OpType) || ImportActivations.Elementwise.Contains(node.OpType)))
            {
                continue;
            }

            if (!standard || !Plumbing.Contains(node.OpType))
            {
                throw ImportActivations.Unsupported(node);
            }

            first ??= node;
        }

        if (first is not null)
        {
            throw ImportActivations.Unsupported(first);
        }
    }

    private static (string Name, TensorShape Shape) Input(ImportGraph graph)
    {
        var inputs = graph.Graph.Input.Where(i => !graph.IsInitializer(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new ImportException($"the graph has {inputs.Count} inputs (besides its weights); Nonlinear imports models with one input");
        }

        var input = inputs[0];
        string what = $"input '{ImportException.Shorten(input.Name)}'";
        var tensor = input.Type?.TensorType ?? throw new ImportException($"{what} is not a tensor");
        if (tensor.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw new ImportException($"{what} has element type {ImportGraph.TypeName(tensor.ElemType)}; Nonlinear imports float32 inputs (MLPs and CNNs)");
        }

        var dims = tensor.Shape?.Dim;
        if (dims is null || dims.Count < 2 || dims.Count > 4)
        {
            throw new ImportException($"{what} has {(dims is null ? "no shape" : $"rank {dims.Count}")}; Nonlinear imports [N, features] or [N, C, H, W]");
        }

        var shape = new int[dims.Count - 1];
        long length = 1;
        for (int i = 1; i < dims.Count; i++)
        {
            var d = dims[i];
            if (d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue < 1 || d.DimValue > ImportGraph.MaxDimension)
            {
                throw new ImportException($"{what} dimension {i} is {(d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? $"symbolic ('{ImportException.Shorten(d.DimParam)}')" : d.DimValue.ToString(CultureInfo.InvariantCulture))}; only the batch dimension may be symbolic, the others must be fixed positive sizes");
            }

            shape[i - 1] = (int)d.DimValue;
            length *= d.DimValue;
            if (length > ImportGraph.MaxElements)
            {
                throw new ImportException($"{what} has more than {ImportGraph.MaxElements} values per sample");
            }
        }

        return (input.Name, new TensorShape(shape));
    }

    /// <summary>Class names from the metadata: a JSON array of strings, or comma-separated names; null when absent or malformed.</summary>
    internal static IReadOnlyList<string>? ClassNames(IReadOnlyDictionary<string, string> props, out string? key)
    {
        foreach (var k in ClassNameKeys)
        {
            if (!props.TryGetValue(k, out var text))
            {
                continue;
            }

            key = k;
            try
            {
                if (text.TrimStart().StartsWith('['))
                {
                    var names = JsonSerializer.Deserialize<List<string>>(text);
                    return names is { Count: > 0 } && names.All(n => n is not null) ? names : null;
                }
            }
            catch (JsonException)
            {
                return null;
            }

            return text.Split(',').Select(s => s.Trim()).ToList();
        }

        key = null;
        return null;
    }
}
