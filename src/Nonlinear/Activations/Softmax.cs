namespace Nonlinear.Activations;

/// <summary>Softmax over each row: y_i = e^(x_i) / sum_j e^(x_j).</summary>
/// <remarks>
/// Row-wise: for batch-first [N, K] data each of the N rows of K logits becomes a probability vector.
/// Stable by construction (computed as e^(x_i - m) / sum_j e^(x_j - m) with m the row maximum), so
/// softmax([1000, 1001, 1002]) = [0.090, 0.245, 0.665], not NaN. Jacobian: dy_i/dx_j = y_i (delta_ij - y_j);
/// backward: dx = y (dy - &lt;dy, y&gt;), from the output. A NaN anywhere in a row makes the whole row NaN.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("softmax").Forward(logits, probabilities, rowLength: 10);</c></example>
public sealed class Softmax : RowwiseActivation
{
    /// <summary>Catalog entry: "softmax".</summary>
    public static ActivationDescriptor Entry { get; } = new("softmax", [], "e^x_i / sum_j e^x_j (per row)", [], _ => new Softmax());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "e^(x_i) / sum_j e^(x_j)   (per row; computed with the row max subtracted)",
        DerivativeFormula: "dy_i/dx_j = y_i (delta_ij - y_j)",
        OutputRange: "(0, 1), each row sums to 1",
        OutputMin: 0,
        OutputMax: 1,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "diagonal (0, 0.25], off-diagonal [-0.25, 0)",
        DerivativeMax: 0.25,
        DerivativePeak: "diagonal entry, where y_i = 0.5",
        Convention: "per row of the last dimension; a row with NaN or +inf gives NaN (as PyTorch); -inf entries give 0",
        UsedIn: "The output layer of multi-class classifiers (with cross-entropy), attention weights in transformers.",
        WhyItWorks: "Turns arbitrary scores (logits) into a probability distribution that is differentiable and preserves their order.",
        Limitations:
        [
            "Only for mutually exclusive classes; for multi-label outputs use one sigmoid per label.",
            "Overflow-prone when computed naively: e^1000 is inf and inf/inf is NaN; always subtract the row max (done here).",
            "In a hidden layer it couples all units of a row and saturates: use it at the output only.",
            "Feeding softmax outputs into a loss that applies softmax again (e.g. PyTorch's CrossEntropyLoss) is a classic bug: pair logits with the fused loss.",
        ],
        Family: ActivationFamily.Probability,
        PyTorch: "torch.softmax(x, dim=-1)");

    /// <summary>Creates the softmax activation.</summary>
    public Softmax()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    protected override void ForwardRows(ReadOnlySpan<float> x, Span<float> y, int rowLength) => SoftmaxKernel.Forward(x, y, rowLength, log: false);

    /// <inheritdoc/>
    protected override void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength) => SoftmaxKernel.Backward(y, dy, dx, rowLength, log: false);
}
