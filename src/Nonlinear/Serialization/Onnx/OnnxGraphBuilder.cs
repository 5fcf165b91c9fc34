using System.Runtime.InteropServices;
using Google.Protobuf;
using Nonlinear.Layers;
using Nonlinear.Tensors;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Builds one ONNX graph: unique value, node and initializer names; float and int64 initializers from our
/// tensors; nodes with attributes; and the "current value" that each layer emitter reads and replaces, with its
/// shape (batch first, symbolic where the graph leaves a size open).
/// </summary>
/// <remarks>
/// Names: an initializer keeps the name it is given when free ("3.weight", the model's own parameter name), else
/// gets a numeric suffix. Nodes are named "&lt;scope&gt;/&lt;OpType&gt;" and their outputs
/// "&lt;scope&gt;/&lt;OpType&gt;_output", made unique the same way; the scope is the layer being emitted
/// ("3.dense", set by the exporter). The graph's input and output names ("input", "output") are reserved.
/// </remarks>
internal sealed class OnnxGraphBuilder
{
    /// <summary>The name of the graph's one input.</summary>
    public const string InputName = "input";

    /// <summary>The name of the graph's one output.</summary>
    public const string OutputName = "output";

    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { InputName, OutputName };
    private readonly Dictionary<int, string> _floatScalars = [];
    private readonly Dictionary<string, string> _int64Constants = new(StringComparer.Ordinal);

    /// <summary>An empty graph for operator set <paramref name="opset"/> of the default ONNX domain.</summary>
    public OnnxGraphBuilder(int opset, string graphName = "nonlinear")
    {
        Opset = opset;
        Graph = new GraphProto { Name = graphName };
    }

    /// <summary>The operator set version the nodes must conform to.</summary>
    public int Opset { get; }

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; }

    /// <summary>The prefix of node and value names, e.g. "3.dense" while layer 3 is emitted.</summary>
    public string Scope { get; set; } = "graph";

    /// <summary>The name of the current value: the output of everything emitted so far.</summary>
    public string Current { get; private set; } = "";

    /// <summary>The shape of <see cref="Current"/>, batch first.</summary>
    public IReadOnlyList<OnnxDim> CurrentShape { get; private set; } = [];

    /// <summary>The element type of <see cref="Current"/>.</summary>
    public TensorProto.Types.DataType CurrentType { get; private set; } = TensorProto.Types.DataType.Float;

    /// <summary>Makes <paramref name="name"/> the current value, of the given shape (and element type, float by default).</summary>
    public void SetCurrent(string name, IReadOnlyList<OnnxDim> shape, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shape);
        Current = name;
        CurrentShape = [.. shape];
        CurrentType = type;
    }

    /// <summary>Makes <paramref name="name"/> the current value, keeping the current shape and element type (elementwise ops).</summary>
    public void SetCurrent(string name) => SetCurrent(name, CurrentShape, CurrentType);

    /// <summary>[N, ...sample]: the batch dimension followed by a per-sample shape of fixed sizes.</summary>
    public static IReadOnlyList<OnnxDim> BatchOf(TensorShape sample) => [OnnxDim.Batch, .. sample.Select(d => OnnxDim.Fixed(d))];

    /// <summary>A name not used yet, <paramref name="hint"/> itself when free, else hint_1, hint_2, ...; reserves it.</summary>
    public string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hint);
        if (_names.Add(hint))
        {
            return hint;
        }

        for (int i = 1; ; i++)
        {
            var name = $"{hint}_{i}";
            if (_names.Add(name))
            {
                return name;
            }
        }
    }

    /// <summary>Declares the graph input <see cref="InputName"/> and makes it the current value.</summary>
    public string AddInput(TensorProto.Types.DataType type, IReadOnlyList<OnnxDim> shape)
    {
        Graph.Input.Add(ValueInfo(InputName, type, shape));
        SetCurrent(InputName, shape, type);
        return InputName;
    }

    /// <summary>
    /// Makes the current value the graph output <see cref="OutputName"/>: the last node's output is renamed when it
    /// is the current value (nothing later can read it), otherwise an Identity node copies it.
    /// </summary>
    public void FinishOutput()
    {
        var last = Graph.Node.Count > 0 ? Graph.Node[^1] : null;
        int slot = last is null ? -1 : last.Output.IndexOf(Current);
        if (last is not null && slot >= 0)
        {
            last.Output[slot] = OutputName;
        }
        else
        {
            Graph.Node.Add(new NodeProto { Name = UniqueName($"{Scope}/Identity"), OpType = "Identity", Input = { Current }, Output = { OutputName } });
        }

        Graph.Output.Add(ValueInfo(OutputName, CurrentType, CurrentShape));
        Current = OutputName;
    }

    /// <summary>A float initializer holding <paramref name="values"/> with dimensions <paramref name="dims"/> (empty: a scalar).</summary>
    public string AddInitializer(string hint, ReadOnlySpan<float> values, params ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"Initializer '{hint}': {values.Length} values do not fill dimensions [{string.Join(", ", dims.ToArray())}].", nameof(values));
        }

        var tensor = new TensorProto
        {
            Name = UniqueName(hint),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(LittleEndian(values)),
        };
        tensor.Dims.AddRange(dims.ToArray());
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float initializer with the values and the dimensions of <paramref name="tensor"/>.</summary>
    public string AddInitializer(string hint, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return AddInitializer(hint, tensor.Span, [.. tensor.Shape.Select(d => (long)d)]);
    }

    /// <summary>
    /// A float initializer named after a parameter of model layer <paramref name="index"/> ("3.weight"), holding its
    /// values in our layout, with <paramref name="dims"/> when given (same element count: e.g. [C, 1, 1] to broadcast)
    /// or else the parameter's own dimensions.
    /// </summary>
    public string AddParameter(int index, Parameter parameter, params ReadOnlySpan<long> dims)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return dims.IsEmpty
            ? AddInitializer($"{index}.{parameter.Name}", parameter.Value)
            : AddInitializer($"{index}.{parameter.Name}", parameter.Value.Span, dims);
    }

    /// <summary>A float initializer named after a state tensor of model layer <paramref name="index"/> ("1.running_mean").</summary>
    public string AddState(int index, StateTensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return AddInitializer($"{index}.{state.Name}", state.Value);
    }

    /// <summary>An int64 initializer holding <paramref name="values"/> with dimensions <paramref name="dims"/> (empty: a scalar).</summary>
    public string AddInt64Initializer(string hint, ReadOnlySpan<long> values, params ReadOnlySpan<long> dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
        }

        if (count != values.Length)
        {
            throw new ArgumentException($"Initializer '{hint}': {values.Length} values do not fill dimensions [{string.Join(", ", dims.ToArray())}].", nameof(values));
        }

        var tensor = new TensorProto { Name = UniqueName(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims.ToArray());
        tensor.Int64Data.AddRange(values.ToArray());
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float scalar initializer (shared by every node that uses the same value, bit for bit).</summary>
    public string Scalar(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        if (!_floatScalars.TryGetValue(bits, out var name))
        {
            name = AddInitializer($"const_{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", [value]);
            _floatScalars[bits] = name;
        }

        return name;
    }

    /// <summary>A 1-D int64 initializer (shared by every node that uses the same values), e.g. a shape or axes.</summary>
    public string Int64Vector(params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var key = string.Join(",", values);
        if (!_int64Constants.TryGetValue(key, out var name))
        {
            name = AddInt64Initializer($"const_i64_{key.Replace(',', '_').Replace('-', 'm')}", values, values.Length);
            _int64Constants[key] = name;
        }

        return name;
    }

    /// <summary>Adds a node of <paramref name="opType"/> reading <paramref name="inputs"/> (empty string: an omitted optional input); returns its one output.</summary>
    public string AddNode(string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
        => AddNode(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public IReadOnlyList<string> AddNode(string opType, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        var node = new NodeProto { Name = UniqueName($"{Scope}/{opType}"), OpType = opType };
        node.Input.AddRange(inputs);
        for (int i = 0; i < outputs; i++)
        {
            node.Output.Add(UniqueName(outputs == 1 ? $"{node.Name}_output" : $"{node.Name}_output{i}"));
        }

        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return [.. node.Output];
    }

    /// <summary>Applies an elementwise node to the current value (extra inputs after it) and makes its output current.</summary>
    public string Apply(string opType, IReadOnlyList<string> extraInputs, params AttributeProto[] attributes)
    {
        var output = AddNode(opType, [Current, .. extraInputs], attributes);
        SetCurrent(output);
        return output;
    }

    /// <summary>An int attribute.</summary>
    public static AttributeProto Attribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attribute(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A string attribute.</summary>
    public static AttributeProto Attribute(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An ints attribute.</summary>
    public static AttributeProto Attribute(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A floats attribute.</summary>
    public static AttributeProto Attribute(string name, params float[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>A value description (name, element type, shape) for graph inputs and outputs.</summary>
    public static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, IReadOnlyList<OnnxDim> shape)
    {
        var dims = new TensorShapeProto();
        foreach (var d in shape)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (d.IsFixed)
            {
                dim.DimValue = d.Size;
            }
            else if (d.Symbol is not null)
            {
                dim.DimParam = d.Symbol;
            }

            dims.Dim.Add(dim);
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = dims } },
        };
    }

    private static byte[] LittleEndian(ReadOnlySpan<float> values)
    {
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < bytes.Length; i += 4)
            {
                Array.Reverse(bytes, i, 4);
            }
        }

        return bytes;
    }
}
