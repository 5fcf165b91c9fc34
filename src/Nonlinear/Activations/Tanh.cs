using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Hyperbolic tangent: f(x) = (e^x - e^(-x)) / (e^x + e^(-x)), f'(x) = 1 - f(x)^2.</summary>
/// <remarks>
/// Elementwise, any shape. Computed as -sign(x) e/(e+2) with e = expm1(-2|x|) (exact near 0, no overflow);
/// the derivative as 4q/(1+q)^2 with q = e^(-2|x|), which keeps its relative precision where 1 - f^2 would
/// cancel to 0. Backward therefore reads the input.
/// </remarks>
/// <example><c>new Tanh().Value(0f) == 0f</c></example>
public sealed class Tanh : ElementwiseActivation
{
    /// <summary>Catalog entry: "tanh".</summary>
    public static ActivationDescriptor Entry { get; } = new("tanh", [], "(e^x - e^-x) / (e^x + e^-x)", [], _ => new Tanh());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "(e^x - e^(-x)) / (e^x + e^(-x))",
        DerivativeFormula: "1 - f(x)^2",
        OutputRange: "(-1, 1)",
        OutputMin: -1,
        OutputMax: 1,
        ZeroCentred: true,
        Monotonic: true,
        DerivativeRange: "(0, 1]",
        DerivativeMax: 1,
        DerivativePeak: "at x = 0",
        Convention: "f(±inf) = ±1; f'(±inf) = 0; NaN gives NaN",
        UsedIn: "Hidden layers of small networks and RNNs (LSTM/GRU cell state), outputs bounded in (-1, 1).",
        WhyItWorks: "A zero-centred sigmoid (tanh(x) = 2 sigmoid(2x) - 1): outputs of both signs keep the next layer's updates balanced, and f'(0) = 1 passes gradients undamped near the origin.",
        Limitations:
        [
            "Vanishing gradients: saturates for |x| > 3 (f' < 0.01), so deep tanh stacks learn slowly without careful (Glorot) initialisation.",
            "e^x costs more than a comparison (ReLU).",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.tanh(x)");

    /// <summary>Creates the tanh activation.</summary>
    public Tanh()
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
        public T Invoke<T>(T x) where T : struct, ISimd<T> => VectorMath.Tanh(x);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T> => dy * VectorMath.TanhDerivative(x);
    }
}
