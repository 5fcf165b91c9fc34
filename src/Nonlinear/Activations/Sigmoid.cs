using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>The logistic sigmoid: f(x) = 1 / (1 + e^(-x)), f'(x) = f(x) (1 - f(x)).</summary>
/// <remarks>
/// Elementwise, any shape. Computed as 1/(1+e) for x &gt;= 0 and e/(1+e) for x &lt; 0 with e = e^(-|x|): never
/// overflows (sigmoid(-1000) = 0 exactly, not NaN) and keeps full relative precision in both tails.
/// Backward reads the input so that f' = sigma(x) sigma(-x) stays exact where f has rounded to 1.
/// </remarks>
/// <example><c>new Sigmoid().Value(0f) == 0.5f</c></example>
public sealed class Sigmoid : ElementwiseActivation
{
    /// <summary>Catalog entry: "sigmoid" (alias "logistic").</summary>
    public static ActivationDescriptor Entry { get; } = new("sigmoid", ["logistic"], "1 / (1 + e^-x)", [], _ => new Sigmoid());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "1 / (1 + e^(-x))",
        DerivativeFormula: "f(x) (1 - f(x))",
        OutputRange: "(0, 1)",
        OutputMin: 0,
        OutputMax: 1,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "(0, 0.25]",
        DerivativeMax: 0.25,
        DerivativePeak: "at x = 0",
        Convention: "f(±inf) = 1, 0; f'(±inf) = 0; NaN gives NaN",
        UsedIn: "Binary classification outputs (probability of the positive class), gates in LSTM/GRU cells, attention gates.",
        WhyItWorks: "Squashes any real number into a probability; smooth and monotonic, so a small weight change is a small output change.",
        Limitations:
        [
            "Vanishing gradients: f' is at most 0.25, so each sigmoid layer shrinks the gradient at least fourfold; deep stacks stop learning.",
            "Saturates: for |x| > 5 the derivative is below 0.007 and the unit barely learns.",
            "Not zero-centred: outputs are always positive, so the gradients of the next layer's weights all share a sign (zig-zag updates).",
            "e^x costs more than a comparison (ReLU).",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.sigmoid(x)");

    /// <summary>Creates the sigmoid activation.</summary>
    public Sigmoid()
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
        public T Invoke<T>(T x) where T : struct, ISimd<T> => VectorMath.Sigmoid(x, out _);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T> => dy * VectorMath.SigmoidDerivative(x);
    }
}
