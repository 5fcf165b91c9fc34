using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Tensors;

namespace Nonlinear.Serialization;

/// <summary>The constants and the metadata rules that the writer and the reader share (see docs/model-format.md).</summary>
internal static class ModelFileFormat
{
    public const string FormatName = "nonlinear";
    public const string Version = "1";
    public const string Dtype = "F32";
    public const string MetadataKey = "__metadata__";
    public const string MeanTensor = "normalization.mean";
    public const string StdTensor = "normalization.std";

    // Metadata keys the format owns; caller-supplied extras may not reuse them.
    public const string FormatKey = "format";
    public const string VersionKey = "format_version";
    public const string ArchitectureKey = "architecture";
    public const string InputShapeKey = "input_shape";
    public const string TaskKey = "task";
    public const string OutputActivationKey = "output_activation";
    public const string LossKey = "loss";
    public const string ClassNamesKey = "class_names";

    /// <summary>The header is JSON for a handful of tensors; 16 MiB is far beyond any real one and bounds the one allocation made before validation.</summary>
    public const int MaxHeaderBytes = 16 * 1024 * 1024;

    /// <summary>Tensors here are at most rank 4 (convolution weights [F, C, k, k]); 8 leaves room and stops absurd shapes early.</summary>
    public const int MaxRank = 8;

    /// <summary>
    /// Escapes only what JSON requires, so that class names and specs stay readable in the header (the default
    /// encoder would write a quote as \u0022 and every non-ASCII letter as an escape). The header is never
    /// embedded in HTML, which is what the stricter default guards against.
    /// </summary>
    public static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly IReadOnlySet<string> ReservedKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        FormatKey, VersionKey, ArchitectureKey, InputShapeKey, TaskKey, OutputActivationKey, LossKey, ClassNamesKey,
    };

    public static string TaskName(TaskKind task) => task.ToString().ToLowerInvariant();

    /// <summary>Exact lower-case names only: Enum.TryParse would also accept "7" or "Binary, Multiclass".</summary>
    public static bool TryParseTask(string text, out TaskKind task)
    {
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            if (string.Equals(TaskName(kind), text, StringComparison.Ordinal))
            {
                task = kind;
                return true;
            }
        }

        task = default;
        return false;
    }

    /// <summary>Strict "[2]" / "[3, 4]": positive dimensions, at most <see cref="MaxRank"/>, element count within an array.</summary>
    public static bool TryParseShape(string text, out TensorShape shape, out string error)
    {
        shape = default;
        var t = text.Trim();
        if (t.Length < 2 || t[0] != '[' || t[^1] != ']')
        {
            error = $"'{Shorten(text)}' is not a shape like [2] or [3, 4]";
            return false;
        }

        var parts = t[1..^1].Split(',');
        if (parts.Length > MaxRank || (parts.Length == 1 && parts[0].Trim().Length == 0))
        {
            error = $"'{Shorten(text)}' needs between 1 and {MaxRank} dimensions";
            return false;
        }

        var dims = new int[parts.Length];
        long length = 1;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
            {
                error = $"'{Shorten(text)}' has a dimension that is not a positive integer";
                return false;
            }

            length *= dims[i];
            if (length > Array.MaxLength)
            {
                error = $"'{Shorten(text)}' has more elements than an array can hold";
                return false;
            }
        }

        shape = new TensorShape(dims);
        error = "";
        return true;
    }

    /// <summary>
    /// Why <paramref name="metadata"/> cannot go with a model of this input and output shape, or null. The writer
    /// turns the answer into an ArgumentException, the reader into a ModelFileException: one rule book for both.
    /// </summary>
    public static string? Problem(ModelMetadata metadata, TensorShape inputShape, TensorShape outputShape)
    {
        if (!Enum.IsDefined(metadata.Task))
        {
            return $"task {(int)metadata.Task} is not a TaskKind";
        }

        if (string.IsNullOrWhiteSpace(metadata.OutputActivation))
        {
            return "the output activation is empty; use e.g. \"identity\", \"sigmoid\" or \"softmax\"";
        }

        if (!ActivationRegistry.TryParse(metadata.OutputActivation, out _, out var activationError))
        {
            return $"output activation '{Shorten(metadata.OutputActivation)}' is not an activation: {activationError}";
        }

        if (string.IsNullOrWhiteSpace(metadata.Loss))
        {
            return "the loss is empty; use e.g. \"mse\", \"bce_logits\" or \"cross_entropy\"";
        }

        if (metadata.Task == TaskKind.Sequence && outputShape.Rank != 2)
        {
            return $"a sequence model produces [T, K] (K class scores at each of T steps) per sample; this one produces {outputShape}";
        }

        if (metadata.ClassNames is { } names)
        {
            int expected = metadata.Task switch
            {
                TaskKind.Binary => 2,
                TaskKind.Multiclass => outputShape.Length,
                TaskKind.Sequence => outputShape[-1],
                _ => 0,
            };
            if (metadata.Task == TaskKind.Regression)
            {
                return "a regression model has no class names";
            }

            if (names.Count != expected)
            {
                return metadata.Task switch
                {
                    TaskKind.Binary => $"a binary model has 2 class names (negative, positive); found {names.Count}",
                    TaskKind.Sequence => $"a sequence model with {expected} classes per step has {expected} class names; found {names.Count}",
                    _ => $"a multiclass model with {expected} outputs has {expected} class names; found {names.Count}",
                };
            }

            if (names.Any(n => n is null))
            {
                return "a class name is null";
            }
        }

        if ((metadata.NormalizationMean is null) != (metadata.NormalizationStd is null))
        {
            return "normalisation needs both the mean and the standard deviation, or neither";
        }

        if (metadata.NormalizationMean is { } mean && metadata.NormalizationStd is { } std)
        {
            int features = inputShape.Length;
            if (mean.Count != std.Count || !Normalization.Fits(mean.Count, inputShape))
            {
                string channels = inputShape.Rank >= 2 ? $" in {inputShape[0]} channels; one constant per feature or per channel" : "";
                return $"normalisation has {mean.Count} means and {std.Count} standard deviations; the model takes {features} input features{channels}";
            }

            for (int i = 0; i < mean.Count; i++)
            {
                if (!float.IsFinite(mean[i]))
                {
                    return $"normalisation mean {i} is {Describe(mean[i])}";
                }

                if (!float.IsFinite(std[i]) || std[i] <= 0)
                {
                    return $"normalisation standard deviation {i} is {Describe(std[i])}; it must be finite and positive";
                }
            }
        }

        if (metadata.Extra is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key is null || value is null)
                {
                    return "an extra metadata key or value is null";
                }

                if (ReservedKeys.Contains(key))
                {
                    return $"extra metadata key '{key}' is one of the format's own keys ({string.Join(", ", ReservedKeys)})";
                }
            }
        }

        return null;
    }

    /// <summary>The class names as the JSON array string stored under "class_names".</summary>
    public static string EncodeClassNames(IReadOnlyList<string> names)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartArray();
            foreach (var n in names)
            {
                writer.WriteStringValue(n);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static string Describe(float value) => float.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Corrupt files can hold megabytes of junk where a short string belongs; messages quote at most 60 characters of it.</summary>
    public static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
