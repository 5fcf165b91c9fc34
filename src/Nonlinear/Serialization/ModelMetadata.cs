using Nonlinear.Data;

namespace Nonlinear.Serialization;

/// <summary>
/// What a model file stores beside the architecture and weights: the task, how to turn outputs into predictions,
/// the loss it was trained with, class names, the input normalisation, and free-form settings.
/// </summary>
/// <remarks>
/// Equality is by value, sequences and dictionaries included (compared element by element), so a loaded
/// metadata equals the saved one; a null <see cref="Extra"/> equals an empty one.
/// </remarks>
/// <example><code>
/// var metadata = new ModelMetadata { Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits" };
/// </code></example>
public sealed record ModelMetadata
{
    /// <summary>The kind of targets the model was trained on.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>
    /// The activation spec that turns the model's outputs into predictions ("sigmoid", "softmax", "identity"),
    /// applied outside the model because training usually works on logits. Must parse as an activation.
    /// </summary>
    public required string OutputActivation { get; init; }

    /// <summary>The loss the model was trained with, e.g. "bce_logits", "cross_entropy", "mse" (non-empty).</summary>
    public required string Loss { get; init; }

    /// <summary>
    /// Class names in output order: two for <see cref="TaskKind.Binary"/> (negative, positive), one per output
    /// for <see cref="TaskKind.Multiclass"/>, one per class of a step for <see cref="TaskKind.Sequence"/> (K of
    /// outputs [T, K]); must be null for regression. Null when the classes are unnamed.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// The mean subtracted from the inputs before the model (finite); set with <see cref="NormalizationStd"/> or not
    /// at all. One value per input feature, or, for an input of rank 2 or more [C, ...], one per channel (see
    /// <see cref="Normalization"/>, whose <see cref="Normalization.Mean"/> and <see cref="Normalization.Std"/> go here).
    /// </summary>
    public IReadOnlyList<float>? NormalizationMean { get; init; }

    /// <summary>The standard deviation divided by after subtracting the mean (finite, positive); as many as <see cref="NormalizationMean"/>.</summary>
    public IReadOnlyList<float>? NormalizationStd { get; init; }

    /// <summary>
    /// Free-form string metadata stored alongside (e.g. training settings); keys must not be one of the format's
    /// own keys ("format", "architecture", ...).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Extra { get; init; }

    /// <inheritdoc/>
    public bool Equals(ModelMetadata? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return Task == other.Task
            && string.Equals(OutputActivation, other.OutputActivation, StringComparison.Ordinal)
            && string.Equals(Loss, other.Loss, StringComparison.Ordinal)
            && SameSequence(ClassNames, other.ClassNames)
            && SameFloats(NormalizationMean, other.NormalizationMean)
            && SameFloats(NormalizationStd, other.NormalizationStd)
            && SameExtra(Extra, other.Extra);
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Task);
        h.Add(OutputActivation, StringComparer.Ordinal);
        h.Add(Loss, StringComparer.Ordinal);
        h.Add(ClassNames?.Count ?? -1);
        h.Add(NormalizationMean?.Count ?? -1);
        h.Add(Extra?.Count ?? 0);
        return h.ToHashCode();
    }

    private static bool SameSequence(IReadOnlyList<string>? a, IReadOnlyList<string>? b)
        => a is null || b is null ? a is null && b is null : a.SequenceEqual(b, StringComparer.Ordinal);

    // Bitwise, so that a saved and reloaded metadata compare equal exactly when every stored float survived.
    private static bool SameFloats(IReadOnlyList<float>? a, IReadOnlyList<float>? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameExtra(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        int countA = a?.Count ?? 0, countB = b?.Count ?? 0;
        if (countA != countB)
        {
            return false;
        }

        if (countA == 0)
        {
            return true;
        }

        foreach (var (key, value) in a!)
        {
            if (!b!.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
