using System.Globalization;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Walks an ONNX graph from its input to its output, one chain of layers, and turns each recognised node (or pattern
/// of nodes) into a Nonlinear layer with its weights in our layout: Gemm and MatMul(+Add) → dense, Conv → conv,
/// MaxPool → pool, BatchNormalization → batchnorm, Flatten and flattening Reshapes → flatten, Dropout → dropout,
/// PRelu → prelu, elementwise runs → activations (see <see cref="ImportActivations"/>), and a Softmax, LogSoftmax or
/// Sigmoid at the very end → the model's output activation. A leading Sub and Div by per-feature or per-channel
/// constants become the input normalisation.
/// </summary>
internal sealed class ImportWalker
{
    private readonly ImportGraph _graph;
    private readonly Random _random = new(0);
    private TensorShape _shape;
    private string _value;

    public ImportWalker(ImportGraph graph, string input, TensorShape shape)
    {
        _graph = graph;
        _value = input;
        _shape = shape;
    }

    public List<ImportedLayer> Layers { get; } = [];

    /// <summary>"softmax", "log_softmax" or null: the operator that ended the graph and became the output activation.</summary>
    public string? Final { get; private set; }

    public float[]? Mean { get; private set; }

    public float[]? Std { get; private set; }

    /// <summary>The per-sample shape the graph's output has.</summary>
    public TensorShape OutputShape => _shape;

    public void Walk()
    {
        ReadNormalization();
        while (!_graph.IsGraphOutput(_value))
        {
            // Shape nodes are read when the Reshape they feed is (x.view(x.size(0), -1)).
            var consumers = _graph.Consumers(_value).Where(c => c.OpType != "Shape").ToList();
            if (consumers.Count == 0)
            {
                throw new ImportException($"value '{ImportException.Shorten(_value)}' is not used by any node and is not the graph's output");
            }

            var node = consumers[0];
            if (consumers.Count == 1 && Step(node))
            {
                _graph.Used.Add(node);
                continue;
            }

            var (spec, output, nodes) = ImportActivations.Match(_graph, _value);
            foreach (var n in nodes)
            {
                _graph.Used.Add(n);
            }

            if (spec != "identity")
            {
                Add(spec, [], [], nodes[0]);
            }

            _value = output;
        }
    }

    /// <summary>Handles a structural node; false when it is not one (then it may start an activation).</summary>
    private bool Step(NodeProto node)
    {
        if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx")
        {
            throw ImportActivations.Unsupported(node);
        }

        switch (node.OpType)
        {
            case "Gemm":
                Gemm(node);
                return true;
            case "MatMul":
                MatMul(node);
                return true;
            case "Conv":
                Conv(node);
                return true;
            case "MaxPool":
                MaxPool(node);
                return true;
            case "BatchNormalization":
                BatchNormalization(node);
                return true;
            case "Flatten":
                Flatten(node);
                return true;
            case "Reshape":
                Reshape(node);
                return true;
            case "Dropout":
                Dropout(node);
                return true;
            case "Identity":
                _value = Output(node);
                return true;
            case "PRelu":
                PRelu(node);
                return true;
            case "Softmax" or "LogSoftmax":
                Softmax(node);
                return true;
            default:
                if (!ImportActivations.Elementwise.Contains(node.OpType))
                {
                    throw ImportActivations.Unsupported(node);
                }

                return false;
        }
    }

    private void ReadNormalization()
    {
        var consumers = _graph.Consumers(_value);
        if (consumers.Count != 1 || consumers[0] is not { OpType: "Sub" } sub || sub.Input.Count != 2 || sub.Input[0] != _value
            || _graph.Constant(sub.Input[1]) is not { Floats: not null } meanTensor)
        {
            return;
        }

        var after = _graph.Consumers(Output(sub));
        if (after.Count != 1 || after[0] is not { OpType: "Div" } div || div.Input.Count != 2 || div.Input[0] != Output(sub)
            || _graph.Constant(div.Input[1]) is not { Floats: not null } stdTensor)
        {
            return;
        }

        var meanValues = NormalizationConstants(meanTensor);
        var stdValues = NormalizationConstants(stdTensor);
        if (meanValues is null || stdValues is null || meanValues.Length != stdValues.Length
            || stdValues.Any(v => !(v > 0) || !float.IsFinite(v)) || meanValues.Any(v => !float.IsFinite(v)))
        {
            return;
        }

        Mean = meanValues;
        Std = stdValues;
        _graph.Used.Add(sub);
        _graph.Used.Add(div);
        _value = Output(div);
    }

    /// <summary>
    /// The constants of a normalisation as <see cref="Data.Normalization"/> keeps them: one per feature (the sample's
    /// shape), or one per channel ([C, 1, 1] for images); a single value is repeated per channel. Null when it is neither.
    /// </summary>
    private float[]? NormalizationConstants(ImportTensor t)
    {
        var dims = t.Dims.SkipWhile((d, i) => d == 1 && t.Dims.Length - i > _shape.Rank).ToArray();
        if (t.Length == _shape.Length && dims.SequenceEqual(_shape.Select(d => (long)d)))
        {
            return (float[])t.Floats!.Clone();
        }

        if (t.Length == 1)
        {
            return Enumerable.Repeat(t.Floats![0], _shape[0]).ToArray();
        }

        return _shape.Rank >= 2 && Broadcasts(t, _shape[0]) ? (float[])t.Floats!.Clone() : null;
    }

    /// <summary>A per-channel constant for [C] or [C, H, W] samples: [C], [1, C], [C, 1, 1], [1, C, 1, 1] (or one value).</summary>
    private bool Broadcasts(ImportTensor t, int channels)
    {
        if (t.Length == 1)
        {
            return true;
        }

        if (t.Length != channels)
        {
            return false;
        }

        var dims = t.Dims.SkipWhile(d => d == 1 && t.Dims.Length > _shape.Rank).ToArray();
        return dims.Length <= _shape.Rank && dims[0] == channels && dims.Skip(1).All(d => d == 1)
            && dims.Length == _shape.Rank;
    }

    private static string Output(NodeProto node) => node.Output.Count > 0 && node.Output[0].Length > 0
        ? node.Output[0]
        : throw new ImportException(node, "the node has no output");

    private void RequireUnused(NodeProto node, int from, string what)
    {
        for (int i = from; i < node.Output.Count; i++)
        {
            if (_graph.IsUsed(node.Output[i]))
            {
                throw new ImportException(node, $"its {what} output is used; Nonlinear imports the inference form only");
            }
        }
    }

    private void Add(string spec, IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> state, NodeProto node)
    {
        var layer = ModelSpec.Parse(spec)[0];
        try
        {
            layer.Build(_shape, Initializer.Glorot, _random);
        }
        catch (ArgumentException e)
        {
            throw new ImportException(node, $"{spec} cannot take per-sample input {_shape}: {e.Message}");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (layer.Parameters[i].Length != parameters[i].Length)
            {
                throw new ImportException(node, $"{spec} on input {_shape} needs {layer.Parameters[i].Length} values for its {layer.Parameters[i].Name}; the file has {parameters[i].Length}");
            }
        }

        Layers.Add(new ImportedLayer(spec, parameters, state, ImportException.Describe(node)));
        _shape = layer.OutputShape;
    }

    private void RequireFlat(NodeProto node)
    {
        if (_shape.Rank != 1)
        {
            throw new ImportException(node, $"it multiplies a per-sample input of shape {_shape}; Nonlinear's dense layer takes flat vectors (flatten first)");
        }
    }

    private void Gemm(NodeProto node)
    {
        RequireFlat(node);
        if (ImportGraph.Int(node, "transA", 0) != 0)
        {
            throw new ImportException(node, "transA=1 is not supported (the input must be the first operand, untransposed)");
        }

        if (node.Input.Count < 2 || node.Input[0] != _value)
        {
            throw new ImportException(node, "the input must be the first operand A of A·B + C");
        }

        var b = _graph.FloatInput(node, 1, "weight B");
        bool transB = ImportGraph.Int(node, "transB", 0) != 0;
        float alpha = ImportGraph.Float(node, "alpha", 1), beta = ImportGraph.Float(node, "beta", 1);
        if (b.Rank != 2)
        {
            throw new ImportException(node, $"the weight has shape {b.ShapeText}; Gemm weights are matrices");
        }

        int rows = (int)b.Dims[0], cols = (int)b.Dims[1];
        int inputs = transB ? cols : rows, units = transB ? rows : cols;
        if (inputs != _shape[0])
        {
            throw new ImportException(node, $"the weight {b.ShapeText}{(transB ? " (transposed)" : "")} takes {inputs} inputs; the value reaching it has {_shape[0]}");
        }

        var weight = Weight(b.Floats!, rows, cols, transpose: !transB, alpha);
        var bias = new float[units];
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var c = _graph.FloatInput(node, 2, "bias C");
            if (c.Length != units && c.Length != 1)
            {
                throw new ImportException(node, $"the bias C has shape {c.ShapeText}; expected {units} values (one per output)");
            }

            for (int i = 0; i < units; i++)
            {
                bias[i] = beta * c.Floats![c.Length == 1 ? 0 : i];
            }
        }

        Add($"dense:{units}", [weight, bias], [], node);
        _value = Output(node);
    }

    private void MatMul(NodeProto node)
    {
        RequireFlat(node);
        if (node.Input.Count != 2 || node.Input[0] != _value)
        {
            throw new ImportException(node, "the input must be the first operand of MatMul(x, W)");
        }

        var w = _graph.FloatInput(node, 1, "weight");
        if (w.Rank != 2 || w.Dims[0] != _shape[0])
        {
            throw new ImportException(node, $"the weight has shape {w.ShapeText}; expected [{_shape[0]}, units] for inputs of {_shape[0]} features");
        }

        int inputs = (int)w.Dims[0], units = (int)w.Dims[1];
        var weight = Weight(w.Floats!, inputs, units, transpose: true, 1);
        var bias = new float[units];
        string output = Output(node);
        var consumers = _graph.Consumers(output);
        if (consumers.Count == 1 && consumers[0] is { OpType: "Add" } add && add.Input.Count == 2)
        {
            string other = add.Input[0] == output ? add.Input[1] : add.Input[0];
            if (_graph.Constant(other) is { Floats: { } c } tensor && (c.Length == units || (c.Length == 1 && units == 1)) && tensor.Dims.Take(Math.Max(0, tensor.Rank - 1)).All(d => d == 1))
            {
                c.CopyTo(bias, 0);
                _graph.Used.Add(add);
                output = Output(add);
            }
        }

        Add($"dense:{units}", [weight, bias], [], node);
        _value = output;
    }

    /// <summary>Our dense weight is [units, inputs] (PyTorch's Linear layout); a [rows, cols] matrix is transposed when it is [inputs, units].</summary>
    private static float[] Weight(float[] values, int rows, int cols, bool transpose, float scale)
    {
        var weight = new float[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                weight[transpose ? c * rows + r : r * cols + c] = scale * values[r * cols + c];
            }
        }

        return weight;
    }

    private void Conv(NodeProto node)
    {
        if (_shape.Rank != 3)
        {
            throw new ImportException(node, $"Nonlinear imports 2-D convolutions of images [C, H, W]; the value reaching it has per-sample shape {_shape}");
        }

        long group = ImportGraph.Int(node, "group", 1);
        if (group != 1)
        {
            throw new ImportException(node, $"group={group} is not supported; Nonlinear imports groups of 1");
        }

        if (node.Input[0] != _value)
        {
            throw new ImportException(node, "the input must be the first operand X of Conv(X, W, B)");
        }

        var w = _graph.FloatInput(node, 1, "weight W");
        if (w.Rank != 4 || w.Dims[1] != _shape[0])
        {
            throw new ImportException(node, $"the weight has shape {w.ShapeText}; expected [filters, {_shape[0]}, k, k]");
        }

        int filters = (int)w.Dims[0], kh = (int)w.Dims[2], kw = (int)w.Dims[3];
        if (kh != kw)
        {
            throw new ImportException(node, $"the {kh}x{kw} kernel is not square; Nonlinear imports k x k kernels");
        }

        if (ImportGraph.Ints(node, "kernel_shape") is { } ks && (ks.Length != 2 || ks[0] != kh || ks[1] != kw))
        {
            throw new ImportException(node, $"kernel_shape [{string.Join(", ", ks)}] does not match the weight {w.ShapeText}");
        }

        if (ImportGraph.Ints(node, "dilations") is { } dil && dil.Any(d => d != 1))
        {
            throw new ImportException(node, $"dilations [{string.Join(", ", dil)}] are not supported; Nonlinear imports dilation 1");
        }

        int stride = Stride(node);
        int padding = Padding(node, kh, stride);
        var bias = new float[filters];
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            var b = _graph.FloatInput(node, 2, "bias B");
            if (b.Length != filters)
            {
                throw new ImportException(node, $"the bias has shape {b.ShapeText}; expected {filters} values");
            }

            b.Floats!.CopyTo(bias, 0);
        }

        string spec = $"conv:{filters}x{kh}" + (stride != 1 ? $":s{stride}" : "") + (padding != 0 ? $":p{padding}" : "");
        Add(spec, [(float[])w.Floats!.Clone(), bias], [], node);
        _value = Output(node);
    }

    private static int Stride(NodeProto node)
    {
        var strides = ImportGraph.Ints(node, "strides") ?? [1, 1];
        if (strides.Length != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > 1024)
        {
            throw new ImportException(node, $"strides [{string.Join(", ", strides)}] are not supported; Nonlinear imports equal strides in both directions");
        }

        return (int)strides[0];
    }

    private static int Padding(NodeProto node, int k, int stride)
    {
        string autoPad = ImportGraph.Text(node, "auto_pad") ?? "NOTSET";
        switch (autoPad)
        {
            case "NOTSET" or "":
                var pads = ImportGraph.Ints(node, "pads") ?? [0, 0, 0, 0];
                if (pads.Length != 4 || pads.Any(p => p != pads[0]) || pads[0] < 0 || pads[0] > 1024)
                {
                    throw new ImportException(node, $"pads [{string.Join(", ", pads)}] are not supported; Nonlinear imports the same padding on all four sides");
                }

                return (int)pads[0];
            case "VALID":
                return 0;
            case "SAME_UPPER" or "SAME_LOWER" when stride == 1 && k % 2 == 1:
                return k / 2;
            default:
                throw new ImportException(node, $"auto_pad={ImportException.Shorten(autoPad)} is not supported here (SAME_* only with stride 1 and an odd kernel)");
        }
    }

    private void MaxPool(NodeProto node)
    {
        if (_shape.Rank != 3)
        {
            throw new ImportException(node, $"Nonlinear imports 2-D max pooling of images [C, H, W]; the value reaching it has per-sample shape {_shape}");
        }

        RequireUnused(node, 1, "Indices");
        var ks = ImportGraph.Ints(node, "kernel_shape");
        if (ks is null || ks.Length != 2 || ks[0] != ks[1] || ks[0] < 1 || ks[0] > 1024)
        {
            throw new ImportException(node, $"kernel_shape [{string.Join(", ", ks ?? [])}] is not supported; Nonlinear imports square windows");
        }

        if (ImportGraph.Ints(node, "dilations") is { } dil && dil.Any(d => d != 1))
        {
            throw new ImportException(node, $"dilations [{string.Join(", ", dil)}] are not supported");
        }

        int k = (int)ks[0], stride = Stride(node);
        if (Padding(node, k, stride) != 0 && ImportGraph.Text(node, "auto_pad") is null or "NOTSET")
        {
            throw new ImportException(node, "padded max pooling is not supported; Nonlinear pools without padding");
        }

        if (ImportGraph.Int(node, "ceil_mode", 0) != 0 && ((_shape[1] - k) % stride != 0 || (_shape[2] - k) % stride != 0))
        {
            throw new ImportException(node, "ceil_mode=1 is not supported when it changes the output size (Nonlinear floors)");
        }

        Add(stride == k ? $"pool:{k}" : $"pool:{k}:s{stride}", [], [], node);
        _value = Output(node);
    }

    private void BatchNormalization(NodeProto node)
    {
        RequireUnused(node, 1, "running-statistics");
        if (ImportGraph.Int(node, "training_mode", 0) != 0)
        {
            throw new ImportException(node, "training_mode=1 is not supported; export the model in eval mode");
        }

        int channels = _shape.Rank > 0 ? _shape[0] : 0;
        var tensors = new float[4][];
        string[] names = ["scale", "bias B", "running mean", "running variance"];
        for (int i = 0; i < 4; i++)
        {
            var t = _graph.FloatInput(node, i + 1, names[i]);
            if (t.Length != channels)
            {
                throw new ImportException(node, $"the {names[i]} has {t.Length} values; the input has {channels} channels");
            }

            tensors[i] = (float[])t.Floats!.Clone();
        }

        // Nonlinear's epsilon is fixed (1e-5, PyTorch's default); another epsilon is folded into the variance,
        // which gives the same inference outputs.
        float epsilon = ImportGraph.Float(node, "epsilon", 1e-5f);
        if (epsilon != BatchNorm.Epsilon)
        {
            for (int c = 0; c < channels; c++)
            {
                tensors[3][c] = (float)(tensors[3][c] + (double)epsilon - BatchNorm.Epsilon);
                if (!(tensors[3][c] >= 0))
                {
                    throw new ImportException(node, $"epsilon {epsilon.ToString("R", CultureInfo.InvariantCulture)} cannot be folded into channel {c}'s variance; Nonlinear uses 1e-5");
                }
            }
        }

        Add("batchnorm", [tensors[0], tensors[1]], [tensors[2], tensors[3]], node);
        _value = Output(node);
    }

    private void Flatten(NodeProto node)
    {
        long axis = ImportGraph.Int(node, "axis", 1);
        if (axis != 1 && axis != 1 - (_shape.Rank + 1))
        {
            throw new ImportException(node, $"axis={axis} is not supported; Nonlinear flattens each sample (axis 1)");
        }

        if (_shape.Rank > 1)
        {
            Add("flatten", [], [], node);
        }

        _value = Output(node);
    }

    private void Reshape(NodeProto node)
    {
        if (node.Input.Count != 2 || node.Input[0] != _value)
        {
            throw new ImportException(node, "expected Reshape(data, shape)");
        }

        var target = ShapeValues(node.Input[1], node)
            ?? throw new ImportException(node, "its target shape is not a constant (nor a Shape/Gather/Unsqueeze/Concat of the input's shape)");
        long length = _shape.Length;
        bool flattens = target.Length == 2
            && ((target[0] == BatchMarker && (target[1] == -1 || target[1] == length))
                || (target[0] == -1 && target[1] == length)
                || (target[0] == 0 && ImportGraph.Int(node, "allowzero", 0) == 0 && (target[1] == -1 || target[1] == length))
                || (target[0] > 0 && target[1] == -1)
                || (target[0] > 0 && target[1] == length));
        if (!flattens)
        {
            throw new ImportException(node, $"Reshape to [{string.Join(", ", target.Select(t => t == BatchMarker ? "N" : t.ToString(CultureInfo.InvariantCulture)))}] from per-sample {_shape} is not supported; Nonlinear imports reshapes that flatten each sample ([N, -1] or [-1, {length}])");
        }

        if (_shape.Rank > 1)
        {
            Add("flatten", [], [], node);
        }

        _value = Output(node);
    }

    /// <summary>Stands for the symbolic batch size in shape arithmetic.</summary>
    private const long BatchMarker = long.MinValue;

    /// <summary>
    /// The values of an int64 shape tensor: a constant, or what PyTorch writes for <c>x.view(x.size(0), -1)</c>
    /// with a symbolic batch: Shape(x) → Gather(0) → Unsqueeze → Concat with a constant. The batch size is
    /// <see cref="BatchMarker"/>. Null when it is something else.
    /// </summary>
    private long[]? ShapeValues(string name, NodeProto reader, int depth = 0)
    {
        if (depth > 16)
        {
            return null;
        }

        if (_graph.IsConstant(name))
        {
            return _graph.Constant(name)?.Integers;
        }

        var node = _graph.Producer(name);
        if (node is null || node.Output.Count != 1 || node.Input.Count == 0)
        {
            return null;
        }

        long[]? result = node.OpType switch
        {
            "Shape" when node.Input[0] == _value => ShapeOf(node),
            "Gather" when node.Input.Count == 2 && ImportGraph.Int(node, "axis", 0) == 0 => Gather(node, depth),
            "Unsqueeze" or "Squeeze" or "Cast" => ShapeValues(node.Input[0], reader, depth + 1),
            "Concat" when ImportGraph.Int(node, "axis", 0) == 0 => Concat(node, reader, depth),
            _ => null,
        };
        if (result is not null)
        {
            _graph.Used.Add(node);
        }

        return result;
    }

    private long[] ShapeOf(NodeProto node)
    {
        long[] full = [BatchMarker, .. _shape.Select(d => (long)d)];
        long rank = full.Length;
        long start = ImportGraph.Int(node, "start", 0), end = ImportGraph.Int(node, "end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        return full[(int)start..(int)Math.Max(start, end)];
    }

    private long[]? Gather(NodeProto node, int depth)
    {
        var data = ShapeValues(node.Input[0], node, depth + 1);
        var indices = node.Input.Count > 1 ? _graph.Constant(node.Input[1])?.Integers : null;
        if (data is null || indices is null || indices.Length > ImportGraph.MaxRank)
        {
            return null;
        }

        var result = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            long index = indices[i] < 0 ? indices[i] + data.Length : indices[i];
            if (index < 0 || index >= data.Length)
            {
                return null;
            }

            result[i] = data[index];
        }

        return result;
    }

    private long[]? Concat(NodeProto node, NodeProto reader, int depth)
    {
        var all = new List<long>();
        foreach (var input in node.Input)
        {
            if (ShapeValues(input, reader, depth + 1) is not { } part || all.Count + part.Length > ImportGraph.MaxRank)
            {
                return null;
            }

            all.AddRange(part);
        }

        return [.. all];
    }

    private void Dropout(NodeProto node)
    {
        RequireUnused(node, 1, "mask");
        double rate = node.Input.Count > 1 && node.Input[1].Length > 0
            ? _graph.Constant(node.Input[1])?.Scalar ?? 0.5
            : ImportGraph.Float(node, "ratio", 0.5f);
        if (node.Input.Count > 2 && node.Input[2].Length > 0 && _graph.Constant(node.Input[2]) is { } mode && mode.Scalar != 0)
        {
            throw new ImportException(node, "training_mode is true; export the model in eval mode");
        }

        if (rate > 0 && rate < 1)
        {
            Add($"dropout:{((float)rate).ToString("R", CultureInfo.InvariantCulture)}", [], [], node);
        }

        _value = Output(node);
    }

    private void PRelu(NodeProto node)
    {
        var slope = _graph.FloatInput(node, 1, "slope");
        if (slope.Length == 1)
        {
            Add("prelu", [(float[])slope.Floats!.Clone()], [], node);
        }
        else if (_shape.Rank > 0 && slope.Length == _shape[0] && Broadcasts(slope, _shape[0]))
        {
            Add("prelu:channel", [(float[])slope.Floats!.Clone()], [], node);
        }
        else
        {
            throw new ImportException(node, $"the slope has shape {slope.ShapeText}; Nonlinear imports one slope, or one per channel ([C] for features, [C, 1, 1] for images) — the input has per-sample shape {_shape}");
        }

        _value = Output(node);
    }

    private void Softmax(NodeProto node)
    {
        long axis = ImportGraph.Int(node, "axis", _shape.Rank == 1 ? 1 : -1);
        if (_shape.Rank != 1 || (axis != 1 && axis != -1))
        {
            throw new ImportException(node, $"axis={axis} on per-sample shape {_shape} is not supported; Nonlinear imports a softmax over the classes of [N, K]");
        }

        string name = node.OpType == "Softmax" ? "softmax" : "log_softmax";
        string output = Output(node);
        if (_graph.IsGraphOutput(output) && _graph.Consumers(output).Count == 0)
        {
            Final = name;
        }
        else
        {
            Add(name, [], [], node);
        }

        _value = output;
    }
}
