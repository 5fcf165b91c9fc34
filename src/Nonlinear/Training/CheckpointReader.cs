using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Nonlinear.Serialization;

namespace Nonlinear.Training;

/// <summary>
/// Reads and validates a checkpoint. Order: lengths against the file, then the SHA-256 (streamed, 64 KiB at a
/// time), then the JSON header (at most 16 MiB and never more than the file holds), every field and every blob
/// range, then the embedded model through <see cref="ModelFile"/>'s reader, and only then the float arrays, each
/// checked against the model's tensor sizes and backed by bytes that are really in the file.
/// </summary>
internal static class CheckpointReader
{
    private const int Prefix = 16;
    private const int ChecksumBytes = 32;
    private const int MaxSettings = 4096;
    private const int MaxEpochs = 100_000_000;

    public static Checkpoint Read(Stream stream, string name) => ModelFileIO.Read(name, () => ReadCore(stream, name));

    private sealed record Range(string Name, long Offset, long Length);

    /// <summary>
    /// JsonDocument accepts bytes that are not UTF-8 and escapes such as a lone "\ud800" that cannot become a .NET
    /// string; reading them later throws InvalidOperationException. One pass over every key and string up front
    /// turns that into the checkpoint's own error.
    /// </summary>
    private static void CheckText(JsonElement element, string name)
    {
        try
        {
            Visit(element);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFileException(name, $"the header holds text that is not valid Unicode ({e.Message})", e);
        }

        static void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Visit(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Visit(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }

    private static Checkpoint ReadCore(Stream stream, string name)
    {
        ModelFileException Fail(string problem) => new(name, problem);

        long start = stream.Position;
        long available = stream.Length - start;
        if (available == 0)
        {
            throw Fail("the file is empty");
        }

        if (available < Prefix + 2 + ChecksumBytes)
        {
            throw Fail($"truncated: the file has {available} bytes; a checkpoint has at least {Prefix + 2 + ChecksumBytes} (magic, header length, header, checksum)");
        }

        Span<byte> prefix = stackalloc byte[Prefix];
        stream.ReadExactly(prefix);
        if (!prefix[..8].SequenceEqual(CheckpointWriter.Magic))
        {
            throw Fail(prefix[..6].SequenceEqual("NLCKPT"u8)
                ? $"checkpoint format '{System.Text.Encoding.ASCII.GetString(prefix[..8])}' is not supported (this version reads NLCKPT01)"
                : "not a Nonlinear checkpoint (it does not start with NLCKPT01)");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix[8..]);
        long dataStart = Prefix + (long)Math.Min(headerLength, (ulong)long.MaxValue / 2);
        if (headerLength < 2 || headerLength > Checkpoint.MaxHeaderBytes)
        {
            throw Fail($"the header length {headerLength} is outside 2..{Checkpoint.MaxHeaderBytes} bytes");
        }

        if (dataStart + ChecksumBytes > available)
        {
            throw Fail($"truncated: the header says {headerLength} bytes of JSON but the file has {available - Prefix - ChecksumBytes} bytes for the header and data");
        }

        // The checksum covers everything before it: a torn or damaged file stops here, before anything is parsed.
        stream.Position = start;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            byte[] chunk = new byte[1 << 16];
            long left = available - ChecksumBytes;
            while (left > 0)
            {
                int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, left));
                if (n <= 0)
                {
                    throw new EndOfStreamException();
                }

                hash.AppendData(chunk, 0, n);
                left -= n;
            }

            Span<byte> expected = stackalloc byte[ChecksumBytes];
            Span<byte> actual = stackalloc byte[ChecksumBytes];
            stream.ReadExactly(expected);
            hash.GetHashAndReset(actual);
            if (!expected.SequenceEqual(actual))
            {
                throw Fail("checksum mismatch: the file is damaged or was not written completely");
            }
        }

        stream.Position = start + Prefix;
        byte[] headerBytes = new byte[(int)headerLength];
        stream.ReadExactly(headerBytes);
        long dataLength = available - dataStart - ChecksumBytes;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Fail($"the header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            CheckText(document.RootElement, name);
            var root = Object(document.RootElement, "the header", Fail);
            string format = Text(root, "format", "the header", Fail);
            if (format != Checkpoint.FormatName)
            {
                throw Fail($"format is '{format}', not '{Checkpoint.FormatName}'");
            }

            long version = Integer(root, "version", "the header", 0, int.MaxValue, Fail);
            if (version != Checkpoint.FormatVersion)
            {
                throw Fail($"version {version} is not supported (this version reads {Checkpoint.FormatVersion})");
            }

            var settings = Settings(Property(root, "settings", "the header", Fail), Fail);
            var ranges = Ranges(Property(root, "blobs", "the header", Fail), dataLength, Fail);

            // The model first: its own reader validates it, and its tensor sizes bound every array below.
            if (!ranges.TryGetValue("model", out var modelRange))
            {
                throw Fail("the blobs do not include the model");
            }

            var modelBytes = new byte[modelRange.Length];
            stream.Position = start + dataStart + modelRange.Offset;
            stream.ReadExactly(modelBytes);
            SavedModel saved;
            try
            {
                saved = ModelFile.Load(new MemoryStream(modelBytes, writable: false), "model");
            }
            catch (ModelFileException e)
            {
                throw Fail($"the embedded {e.Message}");
            }

            var model = saved.Model;
            var runElement = Object(Property(root, "run", "the header", Fail), "run", Fail);
            var state = State(runElement, Fail);

            // Dropout generators, one per dropout layer in order.
            var random = Object(Property(root, "random", "the header", Fail), "random", Fail);
            var dropoutStates = Array(Property(random, "dropout", "random", Fail), "random.dropout", Fail);
            var dropouts = Checkpoint.DropoutLayers(model);
            if (dropoutStates.Count != dropouts.Count)
            {
                throw Fail($"random.dropout has {dropoutStates.Count} generator states; the model has {dropouts.Count} dropout layers");
            }

            var generators = new ulong[dropouts.Count];
            for (int i = 0; i < dropouts.Count; i++)
            {
                if (dropoutStates[i].ValueKind != JsonValueKind.String
                    || dropoutStates[i].GetString() is not { Length: 16 } hex
                    || !ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out generators[i]))
                {
                    throw Fail($"random.dropout[{i}] is not 16 hex digits");
                }
            }

            // Optimizer: one entry per parameter of the model, buffers as long as the parameter.
            var opt = Object(Property(root, "optimizer", "the header", Fail), "optimizer", Fail);
            string type = Text(opt, "type", "optimizer", Fail);
            string description = Text(opt, "description", "optimizer", Fail);
            double rate = Double(opt, "learningRate", "optimizer", Fail);
            if (!(rate > 0 && double.IsFinite(rate)))
            {
                throw Fail("optimizer.learningRate must be finite and positive");
            }

            var clipElement = Property(opt, "clipNorm", "optimizer", Fail);
            double? clip = clipElement.ValueKind == JsonValueKind.Null ? null : Double(opt, "clipNorm", "optimizer", Fail);
            if (clip is { } c && !(c > 0 && double.IsFinite(c)))
            {
                throw Fail("optimizer.clipNorm must be null or finite and positive");
            }

            int steps = (int)Integer(opt, "steps", "optimizer", 0, int.MaxValue, Fail);
            var bufferElements = Array(Property(opt, "buffers", "optimizer", Fail), "optimizer.buffers", Fail);
            if (bufferElements.Count > 4)
            {
                throw Fail($"optimizer.buffers lists {bufferElements.Count} buffers; optimizers keep at most 2 per parameter");
            }

            var bufferNames = new List<string>();
            foreach (var b in bufferElements)
            {
                if (b.ValueKind != JsonValueKind.String || b.GetString() is not { Length: > 0 and <= 64 } bufferName || bufferNames.Contains(bufferName))
                {
                    throw Fail("optimizer.buffers must be distinct non-empty names");
                }

                bufferNames.Add(bufferName);
            }

            var parameters = model.Parameters;
            var entries = Array(Property(opt, "parameters", "optimizer", Fail), "optimizer.parameters", Fail);
            if (entries.Count != parameters.Count)
            {
                throw Fail($"optimizer.parameters has {entries.Count} entries; the model has {parameters.Count} parameters");
            }

            var used = new HashSet<string>(StringComparer.Ordinal) { "model" };
            var parameterStates = new (int Step, float[][] Buffers)?[parameters.Count];
            for (int i = 0; i < parameters.Count; i++)
            {
                if (entries[i].ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                string where = $"optimizer.parameters[{i}]";
                var entry = Object(entries[i], where, Fail);
                int step = (int)Integer(entry, "step", where, 1, int.MaxValue, Fail);
                var buffers = new float[bufferNames.Count][];
                for (int j = 0; j < bufferNames.Count; j++)
                {
                    string blobName = $"optimizer.{i}.{bufferNames[j]}";
                    buffers[j] = Floats(stream, start + dataStart, ranges, blobName, parameters[i].Length, used, Fail);
                }

                parameterStates[i] = (step, buffers);
            }

            // Best weights: the model's parameters then its layer state.
            float[][]? best = null;
            if (ranges.ContainsKey("best.0"))
            {
                var tensors = TrainingState.WeightSpans(model);
                best = new float[tensors.Count][];
                for (int i = 0; i < tensors.Count; i++)
                {
                    best[i] = Floats(stream, start + dataStart, ranges, $"best.{i}", tensors[i].Length, used, Fail);
                }
            }

            var unknown = ranges.Keys.FirstOrDefault(k => !used.Contains(k));
            if (unknown is not null)
            {
                throw Fail($"blob '{unknown}' is not part of a checkpoint");
            }

            for (int i = 0; i < dropouts.Count; i++)
            {
                dropouts[i].GeneratorState = generators[i];
            }

            RestoreRun(state, runElement, best, Fail);
            return new Checkpoint(saved, state, settings, type, description, steps, rate, clip, bufferNames, parameterStates);
        }
    }

    private static Dictionary<string, string> Settings(JsonElement element, Func<string, ModelFileException> fail)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in Object(element, "settings", fail).EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw fail($"settings.{property.Name} is not a string");
            }

            if (!settings.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw fail($"settings.{property.Name} appears twice");
            }

            if (settings.Count > MaxSettings)
            {
                throw fail($"settings has more than {MaxSettings} entries");
            }
        }

        return settings;
    }

    /// <summary>The blob table: every range inside the data section, back to back from 0, covering it exactly.</summary>
    private static Dictionary<string, Range> Ranges(JsonElement element, long dataLength, Func<string, ModelFileException> fail)
    {
        var ranges = new Dictionary<string, Range>(StringComparer.Ordinal);
        foreach (var property in Object(element, "blobs", fail).EnumerateObject())
        {
            string where = $"blobs.{property.Name}";
            var blob = Object(property.Value, where, fail);
            long offset = Integer(blob, "offset", where, 0, dataLength, fail);
            long length = Integer(blob, "length", where, 0, dataLength, fail);
            if (offset + length > dataLength)
            {
                throw fail($"{where} reaches byte {offset + length} of a data section of {dataLength} bytes");
            }

            if (!ranges.TryAdd(property.Name, new Range(property.Name, offset, length)))
            {
                throw fail($"{where} appears twice");
            }
        }

        long expected = 0;
        foreach (var range in ranges.Values.OrderBy(r => r.Offset).ThenBy(r => r.Length))
        {
            if (range.Offset != expected)
            {
                throw fail($"blobs.{range.Name} starts at {range.Offset}, not at {expected}: blobs must follow each other without gaps or overlaps");
            }

            expected += range.Length;
        }

        if (expected != dataLength)
        {
            throw fail($"the blobs cover {expected} bytes of a data section of {dataLength} bytes");
        }

        return ranges;
    }

    private static float[] Floats(Stream stream, long dataStart, Dictionary<string, Range> ranges, string name, int count, HashSet<string> used,
        Func<string, ModelFileException> fail)
    {
        if (!ranges.TryGetValue(name, out var range))
        {
            throw fail($"blob '{name}' is missing");
        }

        if (range.Length != 4L * count)
        {
            throw fail($"blob '{name}' has {range.Length} bytes; it must hold {count} float32 values ({4L * count} bytes)");
        }

        used.Add(name);
        var values = new float[count];
        stream.Position = dataStart + range.Offset;
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var raw = MemoryMarshal.Cast<float, int>(values.AsSpan());
            for (int i = 0; i < raw.Length; i++)
            {
                raw[i] = BinaryPrimitives.ReverseEndianness(raw[i]);
            }
        }

        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(values))
        {
            throw fail($"blob '{name}' holds NaN or infinite values");
        }

        return values;
    }

    /// <summary>The run's settings (epochs, batch size, seed, patience); the position is restored by <see cref="RestoreRun"/>.</summary>
    private static TrainingState State(JsonElement run, Func<string, ModelFileException> fail)
    {
        int epochs = (int)Integer(run, "epochs", "run", 1, MaxEpochs, fail);
        int batchSize = (int)Integer(run, "batchSize", "run", 1, int.MaxValue, fail);
        int seed = (int)Integer(run, "seed", "run", int.MinValue, int.MaxValue, fail);
        var patienceElement = Property(run, "patience", "run", fail);
        int? patience = patienceElement.ValueKind == JsonValueKind.Null ? null : (int)Integer(run, "patience", "run", 1, int.MaxValue, fail);
        return new TrainingState(epochs, batchSize, seed)
        {
            Patience = patience,
            KeepBestWeights = Boolean(run, "keepBestWeights", "run", fail),
        };
    }

    private static void RestoreRun(TrainingState state, JsonElement run, float[][]? best, Func<string, ModelFileException> fail)
    {
        int perEpoch = (int)Integer(run, "batchesPerEpoch", "run", 0, int.MaxValue, fail);
        int completed = (int)Integer(run, "completedEpochs", "run", 0, MaxEpochs, fail);
        int next = (int)Integer(run, "nextBatch", "run", 0, perEpoch, fail);
        double lossSum = Double(run, "lossSum", "run", fail);
        if (!double.IsFinite(lossSum))
        {
            throw fail("run.lossSum is not finite");
        }

        long correct = Integer(run, "correct", "run", 0, long.MaxValue, fail);
        long scored = Integer(run, "scored", "run", 0, long.MaxValue, fail);
        int samples = (int)Integer(run, "samples", "run", 0, int.MaxValue, fail);
        double partial = Double(run, "partialSeconds", "run", fail);
        if (!(partial >= 0 && partial < TimeSpan.MaxValue.TotalSeconds / 2))
        {
            throw fail("run.partialSeconds must be a non-negative number of seconds");
        }

        if (next > 0 && scored == 0 && samples == 0)
        {
            throw fail($"run.nextBatch is {next} but no sample of the epoch is counted");
        }

        double bestLoss = Double(run, "bestValidationLoss", "run", fail);
        int bestEpoch = (int)Integer(run, "bestEpoch", "run", 0, completed, fail);
        int wait = (int)Integer(run, "epochsWithoutImprovement", "run", 0, completed, fail);
        bool stopped = Boolean(run, "stoppedEarly", "run", fail);
        var historyElements = Array(Property(run, "history", "run", fail), "run.history", fail);
        if (historyElements.Count != completed)
        {
            throw fail($"run.history has {historyElements.Count} epochs; run.completedEpochs is {completed}");
        }

        var history = new List<EpochReport>(historyElements.Count);
        for (int i = 0; i < historyElements.Count; i++)
        {
            string where = $"run.history[{i}]";
            var e = Object(historyElements[i], where, fail);
            if (Integer(e, "epoch", where, 1, MaxEpochs, fail) != i + 1)
            {
                throw fail($"{where}.epoch must be {i + 1}");
            }

            double seconds = Double(e, "seconds", where, fail);
            if (!(seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds / 2))
            {
                throw fail($"{where}.seconds must be a non-negative number of seconds");
            }

            history.Add(new EpochReport(i + 1, Double(e, "loss", where, fail), Double(e, "accuracy", where, fail),
                Double(e, "validationLoss", where, fail), Double(e, "validationAccuracy", where, fail), Double(e, "learningRate", where, fail),
                TimeSpan.FromSeconds(seconds)));
        }

        state.Restore(perEpoch, completed, next, lossSum, correct, scored, samples, TimeSpan.FromSeconds(partial),
            history, bestLoss, bestEpoch, wait, stopped, best);
    }

    private static JsonElement Property(JsonElement element, string name, string where, Func<string, ModelFileException> fail)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : throw fail($"{where} has no '{name}'");

    private static JsonElement Object(JsonElement element, string where, Func<string, ModelFileException> fail)
        => element.ValueKind == JsonValueKind.Object ? element : throw fail($"{where} is not a JSON object");

    private static List<JsonElement> Array(JsonElement element, string where, Func<string, ModelFileException> fail)
        => element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToList() : throw fail($"{where} is not a JSON array");

    private static string Text(JsonElement element, string name, string where, Func<string, ModelFileException> fail)
        => Property(element, name, where, fail) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw fail($"{where}.{name} is not a string");

    private static bool Boolean(JsonElement element, string name, string where, Func<string, ModelFileException> fail)
        => Property(element, name, where, fail).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw fail($"{where}.{name} is not true or false"),
        };

    private static long Integer(JsonElement element, string name, string where, long min, long max, Func<string, ModelFileException> fail)
    {
        var value = Property(element, name, where, fail);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out long n))
        {
            throw fail($"{where}.{name} is not an integer");
        }

        return n >= min && n <= max ? n : throw fail($"{where}.{name} is {n}, outside {min}..{max}");
    }

    /// <summary>A JSON number, or "NaN", "Infinity", "-Infinity" as strings (JSON has no literal for them).</summary>
    private static double Double(JsonElement element, string name, string where, Func<string, ModelFileException> fail)
    {
        var value = Property(element, name, where, fail);
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d))
        {
            return d;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => throw fail($"{where}.{name} is not a number"),
        } : throw fail($"{where}.{name} is not a number");
    }
}
