using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// An ONNX graph indexed for the importer: who produces and who consumes each value, the constants (initializers
/// and Constant nodes, validated before they are decoded), and typed attribute access.
/// </summary>
internal sealed class ImportGraph
{
    /// <summary>At most 16 Mi elements (64 MB of float32) in any one tensor and in all of them together.</summary>
    public const long MaxElements = 16L << 20;

    /// <summary>Dimensions are positive and at most this (2^24): anything larger is a forged or foreign file.</summary>
    public const long MaxDimension = 1L << 24;

    /// <summary>Tensors in the models Nonlinear imports are at most rank 4; 8 leaves room.</summary>
    public const int MaxRank = 8;

    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImportTensor> _decoded = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, int> _order = new(ReferenceEqualityComparer.Instance);
    private long _decodedElements;

    public ImportGraph(GraphProto graph)
    {
        Graph = graph;
        long declared = 0;
        foreach (var tensor in graph.Initializer)
        {
            declared += CheckTensor(tensor, null, $"initializer '{ImportException.Shorten(tensor.Name)}'");
            if (declared > MaxElements)
            {
                throw new ImportException($"the initializers hold more than {MaxElements} values in all; Nonlinear imports models of at most 64 MB of weights");
            }

            _initializers.TryAdd(tensor.Name, tensor);
        }

        for (int i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            _order[node] = i;
            foreach (var output in node.Output)
            {
                if (output.Length > 0 && !_producers.TryAdd(output, node))
                {
                    throw new ImportException(node, $"its output '{ImportException.Shorten(output)}' is also produced by another node (not a valid ONNX graph)");
                }
            }

            foreach (var input in node.Input)
            {
                if (input.Length == 0)
                {
                    continue;
                }

                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }

                // Nodes are added in order, so a node reading a value twice (Mul(x, x)) is the last one listed.
                if (list.Count == 0 || !ReferenceEquals(list[^1], node))
                {
                    list.Add(node);
                }
            }
        }
    }

    public GraphProto Graph { get; }

    /// <summary>Nodes the importer has accounted for (walked, or read as constants).</summary>
    public HashSet<NodeProto> Used { get; } = new(ReferenceEqualityComparer.Instance);

    public int Order(NodeProto node) => _order[node];

    public bool IsInitializer(string name) => _initializers.ContainsKey(name);

    public NodeProto? Producer(string name) => _producers.GetValueOrDefault(name);

    /// <summary>The nodes that read <paramref name="name"/>, in graph order.</summary>
    public IReadOnlyList<NodeProto> Consumers(string name) => _consumers.TryGetValue(name, out var list) ? list : [];

    public bool IsGraphOutput(string name) => Graph.Output.Any(o => o.Name == name);

    /// <summary>Whether <paramref name="name"/> is read by a node or is a graph output.</summary>
    public bool IsUsed(string name) => name.Length > 0 && (Consumers(name).Count > 0 || IsGraphOutput(name));

    /// <summary>Whether <paramref name="name"/> is a constant: an initializer or the output of a Constant node.</summary>
    public bool IsConstant(string name)
        => name.Length > 0 && (_initializers.ContainsKey(name) || Producer(name) is { OpType: "Constant" });

    /// <summary>The constant called <paramref name="name"/>, decoded (validated first), or null when it is not a constant.</summary>
    public ImportTensor? Constant(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        if (_decoded.TryGetValue(name, out var done))
        {
            return done;
        }

        ImportTensor? result = null;
        if (_initializers.TryGetValue(name, out var tensor))
        {
            result = Decode(tensor, null, $"initializer '{ImportException.Shorten(name)}'");
        }
        else if (Producer(name) is { OpType: "Constant" } node)
        {
            Used.Add(node);
            result = ConstantNode(node);
        }

        if (result is not null)
        {
            _decodedElements += result.Length;
            if (_decodedElements > 2 * MaxElements)
            {
                throw new ImportException($"the constants hold more than {2 * MaxElements} values in all");
            }

            _decoded[name] = result;
        }

        return result;
    }

    /// <summary>A float constant the node needs as input <paramref name="index"/>, or an error naming the node.</summary>
    public ImportTensor FloatInput(NodeProto node, int index, string what)
    {
        if (index >= node.Input.Count || node.Input[index].Length == 0)
        {
            throw new ImportException(node, $"the {what} is missing");
        }

        var tensor = Constant(node.Input[index]);
        if (tensor?.Floats is null)
        {
            throw new ImportException(node, $"the {what} ('{ImportException.Shorten(node.Input[index])}') must be a float constant (an initializer); Nonlinear imports graphs whose weights are stored in the file");
        }

        return tensor;
    }

    public AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    public static long Int(NodeProto node, string name, long fallback)
    {
        var a = node.Attribute.FirstOrDefault(x => x.Name == name);
        return a is null ? fallback : a.Type == AttributeProto.Types.AttributeType.Int ? a.I
            : throw new ImportException(node, $"attribute {name} must be an integer");
    }

    public static float Float(NodeProto node, string name, float fallback)
    {
        var a = node.Attribute.FirstOrDefault(x => x.Name == name);
        return a is null ? fallback : a.Type == AttributeProto.Types.AttributeType.Float ? a.F
            : throw new ImportException(node, $"attribute {name} must be a float");
    }

    public static long[]? Ints(NodeProto node, string name)
    {
        var a = node.Attribute.FirstOrDefault(x => x.Name == name);
        if (a is null)
        {
            return null;
        }

        if (a.Type != AttributeProto.Types.AttributeType.Ints || a.Ints.Count > MaxRank * 2)
        {
            throw new ImportException(node, $"attribute {name} must be a short list of integers");
        }

        return [.. a.Ints];
    }

    public static string? Text(NodeProto node, string name)
    {
        var a = node.Attribute.FirstOrDefault(x => x.Name == name);
        return a is null ? null : a.Type == AttributeProto.Types.AttributeType.String ? a.S.ToStringUtf8()
            : throw new ImportException(node, $"attribute {name} must be a string");
    }

    private static ImportTensor ConstantNode(NodeProto node)
    {
        if (node.Attribute.Count != 1)
        {
            throw new ImportException(node, "a Constant node needs exactly one value attribute");
        }

        var a = node.Attribute[0];
        switch (a.Name)
        {
            case "value" when a.Type == AttributeProto.Types.AttributeType.Tensor && a.T is not null:
                CheckTensor(a.T, node, "its value");
                return Decode(a.T, node, "its value");
            case "value_float" when a.Type == AttributeProto.Types.AttributeType.Float:
                return new ImportTensor([], [a.F], null);
            case "value_floats" when a.Type == AttributeProto.Types.AttributeType.Floats:
                return new ImportTensor([a.Floats.Count], [.. a.Floats], null);
            case "value_int" when a.Type == AttributeProto.Types.AttributeType.Int:
                return new ImportTensor([], null, [a.I]);
            case "value_ints" when a.Type == AttributeProto.Types.AttributeType.Ints:
                return new ImportTensor([a.Ints.Count], null, [.. a.Ints]);
            default:
                throw new ImportException(node, $"a Constant with attribute '{ImportException.Shorten(a.Name)}' is not supported (value, value_float(s), value_int(s) are)");
        }
    }

    /// <summary>Checks dims, type and stored length against each other before anything is allocated; returns the element count.</summary>
    private static long CheckTensor(TensorProto tensor, NodeProto? node, string what)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.ExternalData.Count > 0)
        {
            throw new ImportException(node, $"{what} keeps its data in an external file; Nonlinear imports self-contained .onnx files (save with the weights inside)");
        }

        if (tensor.Dims.Count > MaxRank)
        {
            throw new ImportException(node, $"{what} has rank {tensor.Dims.Count}; at most {MaxRank} is supported");
        }

        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0 || d > MaxDimension)
            {
                throw new ImportException(node, $"{what} has dimension {d}; dimensions must be between 0 and {MaxDimension}");
            }

            count *= d;
            if (count > MaxElements)
            {
                throw new ImportException(node, $"{what} has more than {MaxElements} elements; Nonlinear imports tensors of at most 64 MB");
            }
        }

        int size = ElementSize(tensor.DataType, node, what);
        long stored = tensor.RawData.Length > 0 ? tensor.RawData.Length : tensor.DataType switch
        {
            (int)TensorProto.Types.DataType.Float => tensor.FloatData.Count * 4L,
            (int)TensorProto.Types.DataType.Double => tensor.DoubleData.Count * 8L,
            (int)TensorProto.Types.DataType.Int64 => tensor.Int64Data.Count * 8L,
            _ => tensor.Int32Data.Count * 4L,
        };
        if (stored != count * size)
        {
            throw new ImportException(node, $"{what} has shape [{string.Join(", ", tensor.Dims)}] ({count} values, {count * size} bytes) but stores {stored} bytes (truncated or corrupted)");
        }

        return count;
    }

    private static int ElementSize(int dataType, NodeProto? node, string what) => dataType switch
    {
        (int)TensorProto.Types.DataType.Float => 4,
        (int)TensorProto.Types.DataType.Double => 8,
        (int)TensorProto.Types.DataType.Int64 => 8,
        (int)TensorProto.Types.DataType.Int32 => 4,
        _ => throw new ImportException(node, $"{what} has data type {TypeName(dataType)}; Nonlinear imports float32 weights (and int64 shapes)"),
    };

    public static string TypeName(int dataType)
        => Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : dataType.ToString(CultureInfo.InvariantCulture);

    private static ImportTensor Decode(TensorProto tensor, NodeProto? node, string what)
    {
        long count = CheckTensor(tensor, node, what);
        int n = (int)count;
        long[] dims = [.. tensor.Dims];
        var raw = tensor.RawData.Length > 0 ? tensor.RawData.Span : ReadOnlySpan<byte>.Empty;
        bool hasRaw = tensor.RawData.Length > 0 || n == 0;
        switch (tensor.DataType)
        {
            case (int)TensorProto.Types.DataType.Float:
            {
                var values = new float[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = hasRaw ? BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]) : tensor.FloatData[i];
                }

                return new ImportTensor(dims, values, null);
            }

            case (int)TensorProto.Types.DataType.Double:
            {
                var values = new float[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = (float)(hasRaw ? BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]) : tensor.DoubleData[i]);
                }

                return new ImportTensor(dims, values, null);
            }

            case (int)TensorProto.Types.DataType.Int64:
            {
                var values = new long[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = hasRaw ? BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]) : tensor.Int64Data[i];
                }

                return new ImportTensor(dims, null, values);
            }

            default:
            {
                var values = new long[n];
                for (int i = 0; i < n; i++)
                {
                    values[i] = hasRaw ? BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]) : tensor.Int32Data[i];
                }

                return new ImportTensor(dims, null, values);
            }
        }
    }
}
