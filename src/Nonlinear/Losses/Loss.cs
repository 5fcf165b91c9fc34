using Nonlinear.Tensors;

namespace Nonlinear.Losses;

/// <summary>
/// A training objective: the mean loss over a batch and its gradient with respect to the predictions.
/// </summary>
/// <remarks>
/// Shapes are batch-first, like every tensor in the library: predictions [N, ...], targets as each loss
/// documents, gradient the same shape as the predictions. <see cref="Compute"/> overwrites the gradient (it
/// does not accumulate), accumulates the loss in double, and allocates nothing: instances are stateless and
/// may be shared between threads.
/// </remarks>
/// <example><code>
/// var loss = Loss.Parse("cross_entropy");
/// double value = loss.Compute(logits, labels, logitsGradient);   // logitsGradient = dLoss/dLogits
/// </code></example>
public abstract class Loss
{
    private static readonly string[] ValidNames =
    [
        "mse (mean_squared_error)",
        "bce_logits (binary_cross_entropy_with_logits)",
        "cross_entropy (softmax_cross_entropy, crossentropy)",
        "sequence_cross_entropy (masked_cross_entropy)",
    ];

    /// <summary>The canonical name: "mse", "bce_logits", "cross_entropy" or "sequence_cross_entropy".</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Returns the mean loss over the batch and writes dLoss/dPredictions into <paramref name="gradient"/>
    /// (same shape as <paramref name="predictions"/>; its previous contents are overwritten).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The shapes do not fit (the message names the expected and found shapes), the batch is empty, or a target
    /// is out of range for the loss.
    /// </exception>
    public double Compute(Tensor predictions, Tensor targets, Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(gradient);
        if (gradient.Shape != predictions.Shape)
        {
            throw new ArgumentException(
                $"{Name}: the gradient must have the predictions' shape {predictions.Shape}; found {gradient.Shape}.",
                nameof(gradient));
        }

        if (predictions.Length == 0)
        {
            throw new ArgumentException($"{Name}: the predictions {predictions.Shape} are empty; the mean of no loss is undefined.", nameof(predictions));
        }

        return ComputeCore(predictions, targets, gradient);
    }

    /// <summary>
    /// The loss itself, called by <see cref="Compute"/> with non-null arguments, a non-empty batch, and a
    /// gradient of the predictions' shape. Validates the targets.
    /// </summary>
    protected abstract double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient);

    /// <summary>
    /// The loss called <paramref name="name"/> (case-insensitive): "mse" / "mean_squared_error",
    /// "bce_logits" / "binary_cross_entropy_with_logits", "cross_entropy" / "softmax_cross_entropy" /
    /// "crossentropy", "sequence_cross_entropy" / "masked_cross_entropy".
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of those; the message lists the valid names.</exception>
    public static Loss Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "mse" or "mean_squared_error" => new MeanSquaredError(),
            "bce_logits" or "binary_cross_entropy_with_logits" => new BinaryCrossEntropyWithLogits(),
            "cross_entropy" or "softmax_cross_entropy" or "crossentropy" => new SoftmaxCrossEntropy(),
            "sequence_cross_entropy" or "masked_cross_entropy" => new SequenceCrossEntropy(),
            _ => throw new ArgumentException($"Unknown loss '{name}'. Valid names: {string.Join(", ", ValidNames)}.", nameof(name)),
        };
    }

    /// <summary>The loss's <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
