using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Log-sigmoid: f(x) = ln(sigmoid(x)) = -softplus(-x); f'(x) = sigmoid(-x) = 1 - sigmoid(x).</summary>
/// <remarks>
/// Elementwise, any shape. Computed as min(x, 0) - ln(1 + e^(-|x|)): finite for every finite x
/// (log_sigmoid(-1000) = -1000, not -inf). Backward reads the input.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("log_sigmoid")</c></example>
public sealed class LogSigmoid : ElementwiseActivation
{
    /// <summary>Catalog entry: "log_sigmoid" (alias "logsigmoid").</summary>
    public static ActivationDescriptor Entry { get; } = new("log_sigmoid", ["logsigmoid"], "ln(sigmoid(x))", [], _ => new LogSigmoid());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "ln(1 / (1 + e^(-x))) = -ln(1 + e^(-x))",
        DerivativeFormula: "1 - sigmoid(x) = sigmoid(-x)",
        OutputRange: "(-inf, 0)",
        OutputMin: double.NegativeInfinity,
        OutputMax: 0,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "(0, 1)",
        DerivativeMax: 1,
        DerivativePeak: "as x -> -inf",
        Convention: "f(+inf) = 0, f(-inf) = -inf; f'(-inf) = 1; NaN gives NaN",
        UsedIn: "Log-likelihoods of binary outcomes (the stable inside of binary cross-entropy), negative sampling in word2vec.",
        WhyItWorks: "Gives log-probabilities directly and stably, so a loss never takes the log of a sigmoid that rounded to 0.",
        Limitations:
        [
            "Rarely a hidden-layer activation: unbounded below, saturates above.",
            "Not zero-centred (always negative).",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.nn.functional.logsigmoid(x)");

    /// <summary>Creates the log-sigmoid activation.</summary>
    public LogSigmoid()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Input;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, default(ForwardOp));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, default(BackwardOp));

    private readonly struct ForwardOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T>
            => T.MinNative(T.Create(0f), x) - VectorMath.Log1pUnit(VectorMath.Exp(-T.Abs(x)));
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            VectorMath.Sigmoid(x, out var mirror);
            return dy * mirror;
        }
    }
}
