using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;

namespace Nonlinear.Training;

/// <summary>
/// Writes the checkpoint layout of docs/checkpoints.md: magic, header length, JSON header, data (the blobs the
/// header lists, back to back), SHA-256 of everything before it. Nothing is written until everything is encoded.
/// </summary>
internal static class CheckpointWriter
{
    /// <summary>"NLCKPT" and the format version as two ASCII digits: the first 8 bytes of every checkpoint.</summary>
    public static ReadOnlySpan<byte> Magic => "NLCKPT01"u8;

    private const int ChecksumBytes = 32;

    public static string SaveFile(string path, Sequential model, ModelMetadata metadata, Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings)
    {
        string full = AtomicFile.FullPath(Directory.Exists(path) ? Checkpoint.PathIn(path) : path);

        // Encode first (all validation happens here), so a bad argument never costs the old checkpoint.
        var blobs = Blobs(model, metadata, optimizer, state);
        RemoveStaleTemporaries(full);
        AtomicFile.Write(full, full, stream => WriteBlobs(stream, optimizer, state, settings, blobs, model));

        return full;
    }

    public static void Write(Stream stream, Sequential model, ModelMetadata metadata, Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings)
        => WriteBlobs(stream, optimizer, state, settings, Blobs(model, metadata, optimizer, state), model);

    /// <summary>A named run of bytes in the data section: the model file's bytes, or float32 values.</summary>
    private sealed record Blob(string Name, byte[]? Bytes, float[]? Floats)
    {
        public long Length => Bytes?.LongLength ?? (4L * Floats!.Length);
    }

    /// <summary>The model file, the best weights and the optimizer buffers, in file order (checked, not yet written).</summary>
    private static List<Blob> Blobs(Sequential model, ModelMetadata metadata, Optimizer optimizer, TrainingState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        using var modelBytes = new MemoryStream();
        ModelFile.Save(modelBytes, model, metadata);
        var blobs = new List<Blob> { new("model", modelBytes.ToArray(), null) };
        if (state.BestWeights is { } best)
        {
            var tensors = TrainingState.WeightSpans(model);
            if (best.Count != tensors.Count || best.Where((b, i) => b.Length != tensors[i].Length).Any())
            {
                throw new ArgumentException("The state's best weights do not fit the model.", nameof(state));
            }

            for (int i = 0; i < best.Count; i++)
            {
                blobs.Add(new Blob(string.Create(CultureInfo.InvariantCulture, $"best.{i}"), null, best[i]));
            }
        }

        var names = optimizer.StateBufferNames;
        var parameters = model.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (optimizer.GetParameterState(parameters[i]) is { } s)
            {
                for (int j = 0; j < names.Count; j++)
                {
                    blobs.Add(new Blob(string.Create(CultureInfo.InvariantCulture, $"optimizer.{i}.{names[j]}"), null, s.Buffers[j]));
                }
            }
        }

        return blobs;
    }

    private static void WriteBlobs(Stream stream, Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings, List<Blob> blobs, Sequential model)
    {
        byte[] header = Header(optimizer, state, settings, blobs, model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Put(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            stream.Write(bytes);
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        Put(Magic);
        Put(length);
        Put(header);
        Span<byte> chunk = stackalloc byte[4096];
        foreach (var blob in blobs)
        {
            if (blob.Bytes is { } bytes)
            {
                Put(bytes);
                continue;
            }

            ReadOnlySpan<float> values = blob.Floats;
            if (BitConverter.IsLittleEndian)
            {
                Put(MemoryMarshal.AsBytes(values));
                continue;
            }

            while (!values.IsEmpty)
            {
                int n = Math.Min(values.Length, chunk.Length / 4);
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(chunk[(4 * i)..], values[i]);
                }

                Put(chunk[..(4 * n)]);
                values = values[n..];
            }
        }

        Span<byte> checksum = stackalloc byte[ChecksumBytes];
        hash.GetHashAndReset(checksum);
        stream.Write(checksum);
        stream.Flush();
    }

    private static byte[] Header(Optimizer optimizer, TrainingState state, IReadOnlyDictionary<string, string>? settings, List<Blob> blobs, Sequential model)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("format", Checkpoint.FormatName);
            w.WriteNumber("version", Checkpoint.FormatVersion);
            w.WriteStartObject("settings");
            foreach (var (key, value) in (settings ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("run");
            w.WriteNumber("epochs", state.Epochs);
            w.WriteNumber("batchSize", state.BatchSize);
            w.WriteNumber("seed", state.Seed);
            w.WriteNumber("batchesPerEpoch", state.BatchesPerEpoch);
            w.WriteNumber("completedEpochs", state.CompletedEpochs);
            w.WriteNumber("nextBatch", state.NextBatch);
            Number(w, "lossSum", state.LossSum);
            w.WriteNumber("correct", state.Correct);
            w.WriteNumber("scored", state.Scored);
            w.WriteNumber("samples", state.Samples);
            Number(w, "partialSeconds", state.PartialElapsed.TotalSeconds);
            if (state.Patience is { } patience)
            {
                w.WriteNumber("patience", patience);
            }
            else
            {
                w.WriteNull("patience");
            }

            w.WriteBoolean("keepBestWeights", state.KeepBestWeights);
            Number(w, "bestValidationLoss", state.BestValidationLoss);
            w.WriteNumber("bestEpoch", state.BestEpoch);
            w.WriteNumber("epochsWithoutImprovement", state.EpochsWithoutImprovement);
            w.WriteBoolean("stoppedEarly", state.StoppedEarly);
            w.WriteStartArray("history");
            foreach (var e in state.History)
            {
                w.WriteStartObject();
                w.WriteNumber("epoch", e.Epoch);
                Number(w, "loss", e.Loss);
                Number(w, "accuracy", e.Accuracy);
                Number(w, "validationLoss", e.ValidationLoss);
                Number(w, "validationAccuracy", e.ValidationAccuracy);
                Number(w, "learningRate", e.LearningRate);
                Number(w, "seconds", e.Elapsed.TotalSeconds);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("optimizer");
            w.WriteString("type", optimizer.GetType().Name);
            w.WriteString("description", optimizer.ToString());
            Number(w, "learningRate", optimizer.LearningRate);
            if (optimizer.ClipNorm is { } clip)
            {
                Number(w, "clipNorm", clip);
            }
            else
            {
                w.WriteNull("clipNorm");
            }

            w.WriteNumber("steps", optimizer.Steps);
            w.WriteStartArray("buffers");
            foreach (var name in optimizer.StateBufferNames)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteStartArray("parameters");
            foreach (var p in model.Parameters)
            {
                if (optimizer.GetParameterState(p) is { } s)
                {
                    w.WriteStartObject();
                    w.WriteNumber("step", s.Step);
                    w.WriteEndObject();
                }
                else
                {
                    w.WriteNullValue();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("random");
            w.WriteStartArray("dropout");
            foreach (var dropout in Checkpoint.DropoutLayers(model))
            {
                w.WriteStringValue(dropout.GeneratorState.ToString("x16", CultureInfo.InvariantCulture));
            }

            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("blobs");
            long offset = 0;
            foreach (var blob in blobs)
            {
                w.WriteStartObject(blob.Name);
                w.WriteNumber("offset", offset);
                w.WriteNumber("length", blob.Length);
                w.WriteEndObject();
                offset += blob.Length;
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A finite double as a JSON number (shortest round-trip form: read back bit for bit), else "NaN", "Infinity" or "-Infinity".</summary>
    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void RemoveStaleTemporaries(string full)
    {
        try
        {
            foreach (var stale in Directory.EnumerateFiles(Path.GetDirectoryName(full)!, Path.GetFileName(full) + ".tmp-*"))
            {
                AtomicFile.TryDelete(stale);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers cost disk space, never correctness: the reader never opens them.
        }
    }
}
