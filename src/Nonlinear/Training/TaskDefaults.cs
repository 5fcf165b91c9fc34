using Nonlinear.Data;
using Nonlinear.Losses;

namespace Nonlinear.Training;

/// <summary>
/// The output activation and loss that fit a task: binary → sigmoid with binary cross-entropy on the logit,
/// several classes → softmax with cross-entropy on the logits, a class at every step (sequence) → softmax per step
/// with sequence cross-entropy (padded steps ignored), regression → identity with mean squared error.
/// The loss is fused with its activation (computed from logits, stable), so the model itself ends in a dense
/// layer and the activation is applied when predicting.
/// </summary>
public static class TaskDefaults
{
    /// <summary>The output activation spec for a task.</summary>
    public static string OutputActivation(TaskKind task) => task switch
    {
        TaskKind.Binary => "sigmoid",
        TaskKind.Multiclass or TaskKind.Sequence => "softmax",
        _ => "identity",
    };

    /// <summary>The loss for a task.</summary>
    public static Loss Loss(TaskKind task) => task switch
    {
        TaskKind.Binary => new BinaryCrossEntropyWithLogits(),
        TaskKind.Multiclass => new SoftmaxCrossEntropy(),
        TaskKind.Sequence => new SequenceCrossEntropy(),
        _ => new MeanSquaredError(),
    };

    /// <summary>
    /// The output activation a loss implies: the fused losses apply theirs (binary cross-entropy with logits a
    /// sigmoid, cross-entropy and sequence cross-entropy a softmax); mean squared error none (identity).
    /// </summary>
    public static string OutputActivation(Loss loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss switch
        {
            BinaryCrossEntropyWithLogits => "sigmoid",
            SoftmaxCrossEntropy or SequenceCrossEntropy => "softmax",
            _ => "identity",
        };
    }

    /// <summary>
    /// Outputs the last dense layer needs: 1 for binary, K for K classes, T for T regression targets; K for a
    /// sequence task (per step: the dense layer is applied at every step).
    /// </summary>
    public static int Outputs(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Task switch
        {
            TaskKind.Binary => 1,
            TaskKind.Multiclass or TaskKind.Sequence => data.ClassCount,
            _ => data.Targets.SampleLength,
        };
    }

    /// <summary>
    /// A model spec from hidden widths and one activation: ("8,8", "tanh", 1) → "dense:8,tanh,dense:8,tanh,dense:1".
    /// Empty widths give a linear model ("dense:1").
    /// </summary>
    /// <exception cref="ArgumentException">A width is not a positive integer.</exception>
    public static string Spec(string hiddenWidths, string activation, int outputs)
    {
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        var parts = new List<string>();
        foreach (var w in hiddenWidths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(w, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int units) || units < 1)
            {
                throw new ArgumentException($"Layer width '{w}' is not a positive integer (expected e.g. --layers 8,8).");
            }

            parts.Add($"dense:{units}");
            parts.Add(activation);
        }

        parts.Add($"dense:{outputs}");
        return string.Join(",", parts);
    }
}
