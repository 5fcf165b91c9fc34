using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Tensors;

namespace Nonlinear.Diagnostics;

/// <summary>
/// What the <see cref="Advisor"/> knows about how a model is trained; every part is optional and the checks that
/// need a missing part are skipped.
/// </summary>
/// <remarks>
/// The loss defaults from the task (<see cref="Training.TaskDefaults"/>), and the output activation from the loss.
/// <see cref="OutputActivation"/> is the activation applied outside the model (fused into the loss while
/// training, applied when predicting), as in <see cref="ModelMetadata.OutputActivation"/>; an activation layer at
/// the end of the model itself is seen from the layers.
/// </remarks>
/// <example><c>new AdvisorContext { Task = TaskKind.Multiclass, InputShape = new TensorShape(784) }</c></example>
public sealed record AdvisorContext
{
    /// <summary>The task the model is trained for; null when unknown.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>The loss name ("mse", "bce_logits", "cross_entropy" or an alias); null: from the task.</summary>
    public string? Loss { get; init; }

    /// <summary>The activation applied outside the model (an activation spec); null: the one the loss implies.</summary>
    public string? OutputActivation { get; init; }

    /// <summary>The per-sample input shape; null when unknown (shapes are then inferred where the layers fix them).</summary>
    public TensorShape? InputShape { get; init; }

    /// <summary>
    /// The gradient-clipping norm of the training (Optimizer.ClipNorm, <c>--clip</c>): the global L2 norm the
    /// gradients are scaled down to; null when gradients are not clipped (or it is not known).
    /// </summary>
    public double? ClipNorm { get; init; }

    /// <summary>Nothing known.</summary>
    public static AdvisorContext None { get; } = new();

    /// <summary>The context a saved model records: task, loss and output activation from its metadata.</summary>
    public static AdvisorContext From(ModelMetadata metadata, TensorShape? inputShape = null)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new AdvisorContext
        {
            Task = metadata.Task,
            Loss = metadata.Loss,
            OutputActivation = metadata.OutputActivation,
            InputShape = inputShape,
        };
    }
}
