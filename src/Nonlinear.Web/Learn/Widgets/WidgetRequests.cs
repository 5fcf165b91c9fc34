namespace Nonlinear.Web.Learn.Widgets;

/// <summary>Body of POST /api/learn/widgets/activation: an activation spec and the point x (from, to: the plotted range).</summary>
internal sealed record ActivationWidgetRequest(string? Spec, double? X, double? From, double? To);

/// <summary>
/// A 2-2-1 network and one input: x [2], W1 [2][2] (row j: the weights into hidden unit j, PyTorch's layout),
/// b1 [2], W2 [2] (the weights into the output), b2, the hidden and output activations.
/// </summary>
internal sealed record TinyNetworkRequest(double[]? X, double[][]? W1, double[]? B1, double[]? W2, double? B2, string? Hidden, string? Output);

/// <summary>
/// Body of POST /api/learn/widgets/backprop221: the network, the target y, and the parameter whose gradient is
/// taken: layer 1 or 2, the unit it feeds (To) and the input it reads (From; -1 for the bias).
/// </summary>
internal sealed record BackpropWidgetRequest(
    double[]? X, double[][]? W1, double[]? B1, double[]? W2, double? B2, string? Hidden, string? Output,
    double? Target, int? Layer, int? To, int? From)
{
    /// <summary>The network part of the request.</summary>
    public TinyNetworkRequest Network => new(X, W1, B1, W2, B2, Hidden, Output);
}

/// <summary>Body of POST /api/learn/widgets/collapse: W1 [2][2], b1 [2], W2 [2] (one output), b2, and up to 8 points x [2].</summary>
internal sealed record CollapseWidgetRequest(double[][]? W1, double[]? B1, double[]? W2, double? B2, double[][]? Points);

/// <summary>Body of POST /api/learn/widgets/softmax: 2-8 logits and a temperature.</summary>
internal sealed record SoftmaxWidgetRequest(double[]? Logits, double? Temperature);

/// <summary>Body of POST /api/learn/widgets/depth: activation, hidden layers (2-20), init (xavier, he, normal) and sigma for normal.</summary>
internal sealed record DepthWidgetRequest(string? Activation, int? Layers, string? Init, double? Sigma, int? Seed);

/// <summary>Body of POST /api/learn/widgets/dying: a playground dataset, Adam's learning rate, epochs, Leaky ReLU's alpha, seed.</summary>
internal sealed record DyingWidgetRequest(string? Dataset, double? LearningRate, int? Epochs, double? Alpha, int? Seed);

/// <summary>Body of POST /api/learn/widgets/advisor: a model spec and the task (binary, multiclass, regression; empty: unknown).</summary>
internal sealed record AdvisorWidgetRequest(string? Spec, string? Task);
