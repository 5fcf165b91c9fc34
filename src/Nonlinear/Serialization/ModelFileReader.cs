using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Serialization;

/// <summary>
/// Reads and validates a model file. The order matters: lengths are checked against the file before anything is
/// allocated, the whole header is checked against the architecture before tensor memory exists, and the weights
/// are read last, straight into the model's parameters.
/// </summary>
internal static class ModelFileReader
{
    /// <summary>
    /// The largest sinusoidal position table [T, D] a file may make the reader build: 4M values (48 MiB while it is
    /// computed in float64), e.g. 4096 steps of 1024 dimensions. The table is not stored in the file, so the file's
    /// size cannot bound it.
    /// </summary>
    internal const long MaxPositionTable = 1L << 22;

    private sealed record HeaderTensor(string Name, int[] Shape, long Elements, long Begin, long End)
    {
        public string ShapeText => $"[{string.Join(", ", Shape)}]";
    }

    public static SavedModel Read(Stream stream, string name) => ModelFileIO.Read(name, () => ReadCore(stream, name));

    private static SavedModel ReadCore(Stream stream, string name)
    {
        ModelFileException Fail(string problem) => new(name, problem);

        long start = stream.Position;
        long available = stream.Length - start;
        if (available == 0)
        {
            throw Fail("the file is empty");
        }

        if (available < 8)
        {
            throw Fail($"truncated: the file has {available} bytes; a model file starts with an 8-byte header length");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared < 2)
        {
            throw Fail($"the header length is {declared} bytes, too short for a JSON object; the file is corrupt or not a model file");
        }

        if (declared > ModelFileFormat.MaxHeaderBytes)
        {
            throw Fail($"the header length is {declared} bytes, over the {ModelFileFormat.MaxHeaderBytes / (1024 * 1024)} MiB limit; the file is corrupt or not a model file");
        }

        if ((long)declared > available - 8)
        {
            throw Fail($"truncated: the header says {declared} bytes of JSON but the file has {available - 8} bytes after the length prefix");
        }

        int headerLength = (int)declared;
        long dataStart = start + 8 + headerLength;
        long dataLength = available - 8 - headerLength;
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Fail($"the header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Fail($"the header is a JSON {Kind(root)}, not an object; not a model file");
            }

            JsonElement? metadataElement = null;
            var entries = new List<(string Name, JsonElement Value)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var key = PropertyName(property, name);
                if (!seen.Add(key))
                {
                    throw Fail($"the header names '{ModelFileFormat.Shorten(key)}' twice");
                }

                if (key == ModelFileFormat.MetadataKey)
                {
                    metadataElement = property.Value;
                }
                else
                {
                    entries.Add((key, property.Value));
                }
            }

            if (metadataElement is not { } metadataJson)
            {
                throw Fail("not a Nonlinear model file (no __metadata__.format)");
            }

            var metadata = ReadStringMap(metadataJson, name);
            return Build(stream, name, metadata, entries, dataStart, dataLength);
        }
    }

    private static SavedModel Build(
        Stream stream, string name, Dictionary<string, string> meta, List<(string Name, JsonElement Value)> entries, long dataStart, long dataLength)
    {
        ModelFileException Fail(string problem) => new(name, problem);

        if (!meta.TryGetValue(ModelFileFormat.FormatKey, out var format))
        {
            throw Fail("not a Nonlinear model file (no __metadata__.format)");
        }

        if (format != ModelFileFormat.FormatName)
        {
            throw Fail($"not a Nonlinear model file (__metadata__.format is '{ModelFileFormat.Shorten(format)}', expected '{ModelFileFormat.FormatName}')");
        }

        if (!meta.TryGetValue(ModelFileFormat.VersionKey, out var version))
        {
            throw Fail("__metadata__ has no format_version");
        }

        if (version != ModelFileFormat.Version)
        {
            throw Fail($"unsupported format version '{ModelFileFormat.Shorten(version)}'; this library reads version {ModelFileFormat.Version}");
        }

        string Required(string key) => meta.TryGetValue(key, out var value) ? value : throw Fail($"__metadata__ has no '{key}'");

        var spec = Required(ModelFileFormat.ArchitectureKey);
        var inputText = Required(ModelFileFormat.InputShapeKey);
        var taskText = Required(ModelFileFormat.TaskKey);
        var outputActivation = Required(ModelFileFormat.OutputActivationKey);
        var loss = Required(ModelFileFormat.LossKey);
        if (!ModelFileFormat.TryParseShape(inputText, out var inputShape, out var shapeError))
        {
            throw Fail($"__metadata__.input_shape {shapeError}");
        }

        if (!ModelFileFormat.TryParseTask(taskText, out var task))
        {
            throw Fail($"__metadata__.task '{ModelFileFormat.Shorten(taskText)}' is not regression, binary, multiclass or sequence");
        }

        IReadOnlyList<string>? classNames = meta.TryGetValue(ModelFileFormat.ClassNamesKey, out var classText) ? ParseClassNames(classText, name) : null;

        Sequential model;
        try
        {
            model = Sequential.Parse(spec);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw Fail($"the architecture '{ModelFileFormat.Shorten(spec)}' is not a valid model spec: {e.Message}");
        }

        // Every tensor entry, checked on its own and then together, before any tensor memory exists.
        var tensors = new Dictionary<string, HeaderTensor>(StringComparer.Ordinal);
        foreach (var (tensorName, value) in entries)
        {
            tensors.Add(tensorName, ReadTensorEntry(tensorName, value, dataLength, name));
        }

        CheckCoverage(tensors.Values, dataLength, name);

        // Building allocates the parameters; make sure the file holds at least as many weights as the
        // architecture asks for, so a corrupted "dense:99999999" cannot make us allocate gigabytes.
        long stored = dataLength / 4;
        long needed = MinimumParameterCount(model.Layers, inputShape, spec, name);
        if (needed > stored)
        {
            throw Fail($"the architecture '{ModelFileFormat.Shorten(spec)}' on input {inputShape} needs at least {needed} weights; the file holds {stored}");
        }

        try
        {
            model.Build(inputShape, seed: 0);
        }
        catch (ArgumentException e)
        {
            throw Fail($"the architecture '{ModelFileFormat.Shorten(spec)}' cannot take input {inputShape}: {e.Message}");
        }

        var expected = new List<(string Name, TensorShape Shape)>();
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            expected.Add((model.ParameterNames[i], model.Parameters[i].Value.Shape));
        }

        for (int i = 0; i < model.State.Count; i++)
        {
            expected.Add((model.StateNames[i], model.State[i].Value.Shape));
        }

        bool hasMean = tensors.ContainsKey(ModelFileFormat.MeanTensor), hasStd = tensors.ContainsKey(ModelFileFormat.StdTensor);
        if (hasMean != hasStd)
        {
            throw Fail($"tensor '{(hasMean ? ModelFileFormat.StdTensor : ModelFileFormat.MeanTensor)}' is missing; normalisation needs both the mean and the standard deviation");
        }

        // Normalisation constants: one per input feature, or one per channel of an input [C, ...].
        int normalizationCount = inputShape.Length;
        if (hasMean)
        {
            var meanShape = tensors[ModelFileFormat.MeanTensor].Shape;
            if (meanShape.Length == 1 && Normalization.Fits(meanShape[0], inputShape))
            {
                normalizationCount = meanShape[0];
            }
            else if (inputShape.Rank >= 2)
            {
                throw Fail($"tensor '{ModelFileFormat.MeanTensor}' has shape {tensors[ModelFileFormat.MeanTensor].ShapeText}; input {inputShape} needs [{inputShape.Length}] (per feature) or [{inputShape[0]}] (per channel)");
            }

            expected.Add((ModelFileFormat.MeanTensor, new TensorShape(normalizationCount)));
            expected.Add((ModelFileFormat.StdTensor, new TensorShape(normalizationCount)));
        }

        foreach (var (tensorName, shape) in expected)
        {
            if (!tensors.TryGetValue(tensorName, out var entry))
            {
                throw Fail($"tensor '{tensorName}' is missing; the architecture '{ModelFileFormat.Shorten(spec)}' needs {shape}");
            }

            if (!entry.Shape.AsSpan().SequenceEqual(shape.ToArray()))
            {
                throw Fail($"tensor '{tensorName}' has shape {entry.ShapeText}; the architecture needs {shape}");
            }
        }

        if (tensors.Count != expected.Count)
        {
            var extra = tensors.Keys.First(k => !expected.Exists(e => e.Name == k));
            throw Fail($"unexpected tensor '{ModelFileFormat.Shorten(extra)}': the architecture has no such parameter or state (it has {string.Join(", ", expected.Select(e => e.Name))})");
        }

        for (int i = 0; i < model.Parameters.Count; i++)
        {
            ReadFloats(stream, dataStart, tensors[model.ParameterNames[i]], model.Parameters[i].Value.Span, name);
        }

        for (int i = 0; i < model.State.Count; i++)
        {
            ReadFloats(stream, dataStart, tensors[model.StateNames[i]], model.State[i].Value.Span, name);
        }

        CheckVariances(model, name);

        float[]? mean = null, std = null;
        if (hasMean)
        {
            mean = new float[normalizationCount];
            std = new float[normalizationCount];
            ReadFloats(stream, dataStart, tensors[ModelFileFormat.MeanTensor], mean, name);
            ReadFloats(stream, dataStart, tensors[ModelFileFormat.StdTensor], std, name);
        }

        var extras = meta.Where(kv => !ModelFileFormat.ReservedKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var metadata = new ModelMetadata
        {
            Task = task,
            OutputActivation = outputActivation,
            Loss = loss,
            ClassNames = classNames,
            NormalizationMean = mean,
            NormalizationStd = std,
            Extra = extras.Count == 0 ? null : extras,
        };
        if (ModelFileFormat.Problem(metadata, model.InputShape, model.OutputShape) is { } problem)
        {
            throw Fail($"the metadata does not fit the model: {problem}");
        }

        return new SavedModel(model, metadata);
    }

    private static HeaderTensor ReadTensorEntry(string tensorName, JsonElement value, long dataLength, string name)
    {
        string quoted = $"'{ModelFileFormat.Shorten(tensorName)}'";
        ModelFileException Fail(string problem) => new(name, $"tensor {quoted} {problem}");

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"is a JSON {Kind(value)}; expected {{\"dtype\", \"shape\", \"data_offsets\"}}");
        }

        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var property in value.EnumerateObject())
        {
            var key = PropertyName(property, name);
            ref JsonElement? slot = ref dtype;
            switch (key)
            {
                case "dtype":
                    break;
                case "shape":
                    slot = ref shape;
                    break;
                case "data_offsets":
                    slot = ref offsets;
                    break;
                default:
                    throw Fail($"has an unknown field '{ModelFileFormat.Shorten(key)}'; expected dtype, shape and data_offsets");
            }

            if (slot is not null)
            {
                throw Fail($"gives '{key}' twice");
            }

            slot = property.Value;
        }

        if (dtype is not { } dtypeElement || shape is not { } shapeElement || offsets is not { } offsetsElement)
        {
            throw Fail("needs dtype, shape and data_offsets");
        }

        var dtypeText = dtypeElement.ValueKind == JsonValueKind.String ? StringValue(dtypeElement, name) : null;
        if (dtypeText != ModelFileFormat.Dtype)
        {
            throw Fail($"has dtype {(dtypeText is null ? "of JSON kind " + Kind(dtypeElement) : "'" + ModelFileFormat.Shorten(dtypeText) + "'")}; this format stores {ModelFileFormat.Dtype} only");
        }

        if (shapeElement.ValueKind != JsonValueKind.Array || shapeElement.GetArrayLength() > ModelFileFormat.MaxRank)
        {
            throw Fail($"needs a shape: an array of at most {ModelFileFormat.MaxRank} non-negative integers");
        }

        var dims = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        int index = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out dims[index]) || dims[index] < 0)
            {
                throw Fail($"has a shape dimension that is not a non-negative integer ({ModelFileFormat.Shorten(d.GetRawText())})");
            }

            // Each factor is at most int.MaxValue and the running product stays at most Array.MaxLength, so the
            // multiplication cannot overflow a long.
            elements *= dims[index];
            if (elements > Array.MaxLength)
            {
                throw Fail("has more elements than an array can hold");
            }

            index++;
        }

        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
        {
            throw Fail("needs data_offsets: an array of two integers [begin, end]");
        }

        var begin = offsetsElement[0];
        var end = offsetsElement[1];
        if (begin.ValueKind != JsonValueKind.Number || end.ValueKind != JsonValueKind.Number
            || !begin.TryGetUInt64(out ulong b) || !end.TryGetUInt64(out ulong e))
        {
            throw Fail($"has data_offsets that are not two non-negative integers ({ModelFileFormat.Shorten(offsetsElement.GetRawText())})");
        }

        if (b > e)
        {
            throw Fail($"has data_offsets [{b}, {e}] that end before they begin");
        }

        if (e > (ulong)dataLength)
        {
            throw Fail($"has data_offsets [{b}, {e}] beyond the data section, which has {dataLength} bytes (truncated?)");
        }

        // Both offsets are now at most dataLength, a long; elements is at most Array.MaxLength, so 4 * elements fits.
        long bytes = (long)(e - b);
        if (bytes != 4 * elements)
        {
            throw Fail($"has shape [{string.Join(", ", dims)}] ({elements} floats, {4 * elements} bytes) but data_offsets [{b}, {e}] span {bytes} bytes");
        }

        return new HeaderTensor(tensorName, dims, elements, (long)b, (long)e);
    }

    /// <summary>safetensors' rule: the tensors tile the data section exactly, no gap, no overlap, nothing after.</summary>
    private static void CheckCoverage(IEnumerable<HeaderTensor> tensors, long dataLength, string name)
    {
        long position = 0;
        HeaderTensor? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin > position)
            {
                throw new ModelFileException(name, $"bytes {position}..{t.Begin} of the data section belong to no tensor (a gap before '{ModelFileFormat.Shorten(t.Name)}')");
            }

            if (t.Begin < position)
            {
                throw new ModelFileException(name, $"tensors '{ModelFileFormat.Shorten(previous!.Name)}' and '{ModelFileFormat.Shorten(t.Name)}' overlap in the data section");
            }

            position = t.End;
            previous = t;
        }

        if (position != dataLength)
        {
            throw new ModelFileException(name, $"the data section has {dataLength} bytes but the tensors cover {position}; {dataLength - position} bytes at the end belong to no tensor");
        }
    }

    /// <summary>A running variance below zero would make evaluation take the square root of a negative number.</summary>
    private static void CheckVariances(Sequential model, string name)
    {
        for (int i = 0; i < model.Layers.Count; i++)
        {
            if (model.Layers[i] is BatchNorm norm)
            {
                var variance = norm.RunningVariance.Span;
                for (int c = 0; c < variance.Length; c++)
                {
                    if (variance[c] < 0)
                    {
                        throw new ModelFileException(
                            name,
                            $"tensor '{i.ToString(CultureInfo.InvariantCulture)}.running_var' element {c.ToString(CultureInfo.InvariantCulture)} is {ModelFileFormat.Describe(variance[c])}; a variance cannot be negative");
                    }
                }
            }
        }
    }

    /// <summary>
    /// A lower bound on the floats the file must hold for these layers (parameters and state), computed from the
    /// shapes alone, without allocating. Known layers are counted exactly and their output shapes followed; at the
    /// first layer of a kind this reader does not know, or a shape a layer would reject, the count stops (Build
    /// reports the problem, and what follows cannot be predicted), which keeps it a lower bound. Building also
    /// allocates what the file does not hold (a sinusoidal position table [T, D]); a per-sample shape beyond an
    /// array or a table beyond <see cref="MaxPositionTable"/> values is refused here, before Build allocates it.
    /// </summary>
    private static long MinimumParameterCount(IReadOnlyList<Layer> layers, TensorShape input, string spec, string name)
    {
        long total = 0;
        long[] shape = input.Select(d => (long)d).ToArray();
        foreach (var layer in layers)
        {
            long elements = shape.Aggregate(1L, (a, b) => a * b);
            switch (layer)
            {
                case Dense dense:
                    if (shape.Length is not (1 or 2))
                    {
                        return total;
                    }

                    // Flat [F] -> [units], or per step [T, F] -> [T, units]: the weights depend on F only.
                    total += (shape[^1] + 1) * dense.Units;
                    shape = shape.Length == 1 ? [dense.Units] : [shape[0], dense.Units];
                    break;
                case Conv2D conv:
                    if (shape.Length != 3)
                    {
                        return total;
                    }

                    long k = conv.KernelSize;
                    long outH = (shape[1] + 2L * conv.Padding - k) / conv.Stride + 1, outW = (shape[2] + 2L * conv.Padding - k) / conv.Stride + 1;
                    if (shape[1] + 2L * conv.Padding < k || shape[2] + 2L * conv.Padding < k)
                    {
                        return total;
                    }

                    total += (shape[0] * k * k + 1) * conv.Filters;
                    shape = [conv.Filters, outH, outW];
                    break;
                case MaxPool2D pool:
                    if (shape.Length != 3 || shape[1] < pool.Size || shape[2] < pool.Size)
                    {
                        return total;
                    }

                    shape = [shape[0], (shape[1] - pool.Size) / pool.Stride + 1, (shape[2] - pool.Size) / pool.Stride + 1];
                    break;
                case Flatten:
                    shape = [elements];
                    break;
                case BatchNorm:
                    if (shape.Length == 0)
                    {
                        return total;
                    }

                    total += 4 * shape[0]; // weight, bias, running_mean, running_var
                    break;
                case PRelu prelu:
                    total += prelu.PerChannel ? (shape.Length > 0 ? shape[0] : 0) : 1;
                    break;
                case RecurrentLayer recurrent:
                    if (shape.Length != 2)
                    {
                        return total;
                    }

                    // weight_ih [G*H, F], weight_hh [G*H, H], bias_ih and bias_hh [G*H]
                    long gh = (long)recurrent.Gates * recurrent.HiddenSize;
                    total += gh * (shape[1] + recurrent.HiddenSize + 2);
                    shape = recurrent.ReturnSequences ? [shape[0], recurrent.HiddenSize] : [recurrent.HiddenSize];
                    break;
                case Embedding embedding:
                    if (shape.Length != 1)
                    {
                        return total;
                    }

                    total += (long)embedding.VocabularySize * embedding.Dimension;   // weight [V, D]
                    shape = [shape[0], embedding.Dimension];
                    break;
                case LayerNorm when shape.Length is 1 or 2:
                    total += 2 * shape[^1];   // weight, bias [D]
                    break;
                case MultiHeadAttention when shape.Length == 2:
                    total += AttentionParameters(shape[1]);
                    break;
                case TransformerEncoderBlock block when shape.Length == 2:
                    // attention, norm1 and norm2 [D] twice each, linear1 [ff, D] + [ff], linear2 [D, ff] + [D]
                    total += AttentionParameters(shape[1]) + (4 * shape[1]) + ((shape[1] + 1) * block.FeedForward) + ((block.FeedForward + 1) * shape[1]);
                    break;
                case PositionalEncoding positions when shape.Length == 2:
                    if (positions.Kind == PositionalEncodingKind.Learned)
                    {
                        total += shape[0] * shape[1];   // weight [T, D]
                    }
                    else if (shape[0] * shape[1] > MaxPositionTable)
                    {
                        throw new ModelFileException(name, $"the architecture '{ModelFileFormat.Shorten(spec)}' on input {input} needs a sinusoidal position table [{shape[0]}, {shape[1]}], more than the {MaxPositionTable} values this reader builds; the file is corrupt or the input shape is forged");
                    }

                    break;
                case SequencePool when shape.Length == 2:
                    shape = [shape[1]];
                    break;
                case ActivationLayer or Dropout:
                    break;
                default:
                    return total;
            }

            // Already more than any file can hold: stop before the arithmetic could overflow.
            if (total > int.MaxValue)
            {
                return total;
            }

            // A per-sample shape no array can hold: no model can run on it, and layers that size tables by it would
            // overflow their arithmetic.
            if (shape.Aggregate(1.0, (a, b) => a * b) > Array.MaxLength)
            {
                throw new ModelFileException(name, $"the architecture '{ModelFileFormat.Shorten(spec)}' on input {input} makes a per-sample shape [{string.Join(", ", shape)}] after '{ModelFileFormat.Shorten(layer.Spec)}', more values than an array can hold");
            }
        }

        return total;
    }

    /// <summary>in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D].</summary>
    private static long AttentionParameters(long d) => (4 * d * d) + (4 * d);

    private static void ReadFloats(Stream stream, long dataStart, HeaderTensor tensor, Span<float> destination, string name)
    {
        stream.Seek(dataStart + tensor.Begin, SeekOrigin.Begin);
        stream.ReadExactly(MemoryMarshal.AsBytes(destination));
        if (!BitConverter.IsLittleEndian)
        {
            var raw = MemoryMarshal.Cast<float, int>(destination);
            BinaryPrimitives.ReverseEndianness(raw, raw);
        }

        for (int i = 0; i < destination.Length; i++)
        {
            if (!float.IsFinite(destination[i]))
            {
                throw new ModelFileException(
                    name,
                    $"tensor '{tensor.Name}' element {i.ToString(CultureInfo.InvariantCulture)} is {ModelFileFormat.Describe(destination[i])}; a model with non-finite weights is corrupt or diverged");
            }
        }
    }

    private static Dictionary<string, string> ReadStringMap(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFileException(name, $"__metadata__ is a JSON {Kind(element)}; it must be an object of strings");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var key = PropertyName(property, name);
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new ModelFileException(name, $"__metadata__.{ModelFileFormat.Shorten(key)} is a JSON {Kind(property.Value)}; metadata values must be strings");
            }

            if (!map.TryAdd(key, StringValue(property.Value, name)))
            {
                throw new ModelFileException(name, $"__metadata__ names '{ModelFileFormat.Shorten(key)}' twice");
            }
        }

        return map;
    }

    private static string[] ParseClassNames(string text, string name)
    {
        ModelFileException Fail() => new(name, $"__metadata__.class_names '{ModelFileFormat.Shorten(text)}' is not a JSON array of strings");
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw Fail();
            }

            var names = new string[root.GetArrayLength()];
            int i = 0;
            foreach (var item in root.EnumerateArray())
            {
                names[i++] = item.ValueKind == JsonValueKind.String ? StringValue(item, name) : throw Fail();
            }

            return names;
        }
        catch (JsonException e)
        {
            throw new ModelFileException(name, $"__metadata__.class_names '{ModelFileFormat.Shorten(text)}' is not valid JSON ({e.Message})", e);
        }
    }

    // JsonDocument accepts escapes such as a lone "\ud800" that cannot become a .NET string; GetString then
    // throws InvalidOperationException, which must not escape as such.
    private static string StringValue(JsonElement element, string name)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFileException(name, $"the header holds a string that is not valid Unicode ({e.Message})", e);
        }
    }

    private static string PropertyName(JsonProperty property, string name)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFileException(name, $"the header holds a key that is not valid Unicode ({e.Message})", e);
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
