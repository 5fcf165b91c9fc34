namespace Nonlinear.Activations;

/// <summary>Log-softmax over each row: y_i = x_i - ln(sum_j e^(x_j)).</summary>
/// <remarks>
/// Row-wise, like <see cref="Softmax"/>. Stable by construction (log-sum-exp with the row max subtracted):
/// log_softmax([-1e4, 0]) = [-1e4, 0], finite. Jacobian: dy_i/dx_j = delta_ij - softmax_j; backward:
/// dx = dy - softmax(x) sum(dy), with softmax(x) = e^y, from the output.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("log_softmax")</c></example>
public sealed class LogSoftmax : RowwiseActivation
{
    /// <summary>Catalog entry: "log_softmax" (alias "logsoftmax").</summary>
    public static ActivationDescriptor Entry { get; } = new("log_softmax", ["logsoftmax"], "x_i - ln sum_j e^x_j (per row)", [], _ => new LogSoftmax());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x_i - ln(sum_j e^(x_j))   (per row; log-sum-exp with the row max subtracted)",
        DerivativeFormula: "dy_i/dx_j = delta_ij - softmax_j(x)",
        OutputRange: "(-inf, 0], ln-probabilities",
        OutputMin: double.NegativeInfinity,
        OutputMax: 0,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "diagonal [0, 1), off-diagonal (-1, 0]",
        DerivativeMax: 1,
        DerivativePeak: "diagonal entry, as softmax_i -> 0",
        Convention: "per row of the last dimension; a row with NaN or +inf gives NaN (as PyTorch); -inf entries give -inf",
        UsedIn: "Outputs paired with the negative log-likelihood loss; language-model token log-probabilities.",
        WhyItWorks: "Gives log-probabilities without ever computing a probability that underflows to 0 (whose log is -inf).",
        Limitations:
        [
            "Only for mutually exclusive classes.",
            "Naively computed as log(softmax(x)) it underflows to -inf; use the log-sum-exp form (done here).",
            "Output layers only, like softmax.",
        ],
        Family: ActivationFamily.Probability,
        PyTorch: "torch.log_softmax(x, dim=-1)");

    /// <summary>Creates the log-softmax activation.</summary>
    public LogSoftmax()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    protected override void ForwardRows(ReadOnlySpan<float> x, Span<float> y, int rowLength) => SoftmaxKernel.Forward(x, y, rowLength, log: true);

    /// <inheritdoc/>
    protected override void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength) => SoftmaxKernel.Backward(y, dy, dx, rowLength, log: true);
}
