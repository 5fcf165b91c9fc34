using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Serialization;

/// <summary>
/// Saves and loads trained models: architecture, weights, input normalisation and training metadata in one
/// file laid out as safetensors (an 8-byte little-endian header length, a JSON header, raw little-endian float32),
/// so Python's <c>safetensors</c> can read the weights. The layout and every rule are in docs/model-format.md.
/// </summary>
/// <remarks>
/// Saving to a path is atomic: the bytes go to a temporary file in the same directory, which is flushed to disk
/// and then renamed over the target, so a crash leaves either the old file or the new one, never half of one.
/// Loading validates the whole header (bounds, JSON, architecture, names, shapes, offsets, coverage) before it
/// allocates tensor memory, and rejects non-finite weights: whatever is wrong surfaces as one
/// <see cref="ModelFileException"/> that names the file and the problem.
/// </remarks>
/// <example><code>
/// ModelFile.Save("model.nlm", model, new ModelMetadata { Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits" });
/// var saved = ModelFile.Load("model.nlm");
/// var logits = saved.Model.Forward(x);
/// </code></example>
public static class ModelFile
{
    /// <summary>The value of <c>__metadata__.format</c> in every file this library writes.</summary>
    public const string FormatName = ModelFileFormat.FormatName;

    /// <summary>The format version this library writes and the only one it reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest JSON header a file may declare (16 MiB).</summary>
    public const int MaxHeaderBytes = ModelFileFormat.MaxHeaderBytes;

    private const string StreamName = "<stream>";

    /// <summary>Writes <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">The model is not built, a weight is not finite, or the metadata does not fit the model (the message says which).</exception>
    /// <exception cref="ModelFileException">The file cannot be written (missing directory, permissions, disk full); the old file, if any, is untouched.</exception>
    public static void Save(string path, Sequential model, ModelMetadata metadata)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var header = EncodeHeader(model, metadata);
        var full = AtomicFile.FullPath(path);
        AtomicFile.Write(full, path, stream => Write(stream, header, model, metadata));
    }

    /// <summary>Writes <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="stream"/> at its current position.</summary>
    /// <remarks>Not atomic: a failure part-way leaves part of a file in the stream. Prefer the path overload for files.</remarks>
    /// <exception cref="ArgumentException">The model is not built, a weight is not finite, or the metadata does not fit the model.</exception>
    public static void Save(Stream stream, Sequential model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = EncodeHeader(model, metadata);
        Write(stream, header, model, metadata);
    }

    /// <summary>Reads a model saved by <see cref="Save(string, Sequential, ModelMetadata)"/> (or any file that follows docs/model-format.md).</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, truncated, corrupted, or not a Nonlinear model; the message says which.</exception>
    public static SavedModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = ModelFileIO.OpenRead(path);
        return ModelFileReader.Read(stream, path);
    }

    /// <summary>Reads a model from a seekable <paramref name="stream"/>, from its current position to its end.</summary>
    /// <param name="stream">The stream; it must support seeking, because the header is checked against the length before anything else is read.</param>
    /// <param name="name">What error messages call the source (default "&lt;stream&gt;").</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    /// <exception cref="ModelFileException">The bytes are truncated, corrupted, or not a Nonlinear model.</exception>
    public static SavedModel Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek || !stream.CanRead)
        {
            throw new ArgumentException("Loading a model needs a readable, seekable stream (copy it into a MemoryStream or a file first).", nameof(stream));
        }

        return ModelFileReader.Read(stream, name ?? StreamName);
    }

    /// <summary>
    /// Validates everything that can be checked before a byte is written (so a bad argument never costs the old
    /// file) and returns the padded header.
    /// </summary>
    private static byte[] EncodeHeader(Sequential model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        if (!model.IsBuilt)
        {
            throw new ArgumentException("The model is not built: build it (and train it) before saving.", nameof(model));
        }

        if (ModelFileFormat.Problem(metadata, model.InputShape, model.OutputShape) is { } problem)
        {
            throw new ArgumentException($"The metadata does not fit the model: {problem}.", nameof(metadata));
        }

        CheckReloadable(model);
        var tensors = Tensors(model, metadata);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, ModelFileFormat.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject(ModelFileFormat.MetadataKey);
            json.WriteString(ModelFileFormat.FormatKey, ModelFileFormat.FormatName);
            json.WriteString(ModelFileFormat.VersionKey, ModelFileFormat.Version);
            json.WriteString(ModelFileFormat.ArchitectureKey, model.Spec);
            json.WriteString(ModelFileFormat.InputShapeKey, model.InputShape.ToString());
            json.WriteString(ModelFileFormat.TaskKey, ModelFileFormat.TaskName(metadata.Task));
            json.WriteString(ModelFileFormat.OutputActivationKey, metadata.OutputActivation);
            json.WriteString(ModelFileFormat.LossKey, metadata.Loss);
            if (metadata.ClassNames is { } names)
            {
                json.WriteString(ModelFileFormat.ClassNamesKey, ModelFileFormat.EncodeClassNames(names));
            }

            // Sorted so that the same model and settings always give the same bytes.
            foreach (var (key, value) in (metadata.Extra ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, _) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", ModelFileFormat.Dtype);
                json.WriteStartArray("shape");
                foreach (int d in shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * shape.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // safetensors pads the header with spaces so that the data section starts 8-byte aligned.
        int length = (int)buffer.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    /// <summary>The loader rebuilds the model from its spec; refuse to write a file it could not read back.</summary>
    private static void CheckReloadable(Sequential model)
    {
        Sequential copy;
        try
        {
            copy = Sequential.Parse(model.Spec);
            copy.Build(model.InputShape, seed: 0);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ArgumentException($"The model's spec '{model.Spec}' does not rebuild the model ({e.Message}), so a saved file could not be loaded.", nameof(model), e);
        }

        bool same = copy.Parameters.Count == model.Parameters.Count && copy.State.Count == model.State.Count;
        for (int i = 0; same && i < copy.Parameters.Count; i++)
        {
            same = copy.ParameterNames[i] == model.ParameterNames[i] && copy.Parameters[i].Value.Shape == model.Parameters[i].Value.Shape;
        }

        for (int i = 0; same && i < copy.State.Count; i++)
        {
            same = copy.StateNames[i] == model.StateNames[i] && copy.State[i].Value.Shape == model.State[i].Value.Shape;
        }

        if (!same)
        {
            throw new ArgumentException($"The model's spec '{model.Spec}' rebuilds a model with different parameters, so a saved file could not be loaded.", nameof(model));
        }
    }

    private static List<(string Name, TensorShape Shape, Func<ReadOnlySpan<float>> Data)> Tensors(Sequential model, ModelMetadata metadata)
    {
        var list = new List<(string, TensorShape, Func<ReadOnlySpan<float>>)>();
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            var value = model.Parameters[i].Value;
            list.Add((model.ParameterNames[i], value.Shape, () => value.Span));
        }

        // Layer state (e.g. batch normalisation's running statistics) right after the parameters.
        for (int i = 0; i < model.State.Count; i++)
        {
            var value = model.State[i].Value;
            list.Add((model.StateNames[i], value.Shape, () => value.Span));
        }

        if (metadata.NormalizationMean is { } mean && metadata.NormalizationStd is { } std)
        {
            float[] meanValues = [.. mean], stdValues = [.. std];
            list.Add((ModelFileFormat.MeanTensor, new TensorShape(meanValues.Length), () => meanValues));
            list.Add((ModelFileFormat.StdTensor, new TensorShape(stdValues.Length), () => stdValues));
        }

        return list;
    }

    private static void Write(Stream stream, byte[] header, Sequential model, ModelMetadata metadata)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (name, _, data) in Tensors(model, metadata))
        {
            var values = data();

            // Checked as each tensor is written rather than up front: the scan is free here, and a diverged
            // model fails the save part-way, which the path overload turns into "old file kept".
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    throw new ArgumentException(
                        $"Tensor '{name}' element {i.ToString(CultureInfo.InvariantCulture)} is {ModelFileFormat.Describe(values[i])}: refusing to save a model with non-finite weights or state (training diverged?).",
                        nameof(model));
                }
            }

            WriteLittleEndian(stream, values);
        }

        stream.Flush();
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> chunk = stackalloc byte[4096];
        while (!values.IsEmpty)
        {
            int n = Math.Min(values.Length, chunk.Length / 4);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(chunk[(4 * i)..], values[i]);
            }

            stream.Write(chunk[..(4 * n)]);
            values = values[n..];
        }
    }
}
