using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>SiLU (swish): f(x) = x sigmoid(x); f'(x) = sigmoid(x) (1 + x (1 - sigmoid(x))).</summary>
/// <remarks>
/// Elementwise, any shape. 1 - sigmoid(x) is computed as sigmoid(-x), never by subtraction. Backward reads the
/// input. For ±inf we return the limits (f(-inf) = 0, f'(±inf) = 1, 0) where PyTorch's float64 formula gives NaN.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("swish")</c></example>
public sealed class Silu : ElementwiseActivation
{
    /// <summary>Catalog entry: "silu" (alias "swish").</summary>
    public static ActivationDescriptor Entry { get; } = new("silu", ["swish"], "x sigmoid(x)", [], _ => new Silu());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x / (1 + e^(-x))",
        DerivativeFormula: "s (1 + x (1 - s)), s = sigmoid(x)",
        OutputRange: "[-0.278, inf)",
        OutputMin: -0.27846454,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: false,
        DerivativeRange: "[-0.1, 1.1]",
        DerivativeMax: 1.0998,
        DerivativePeak: "at x = 2.40",
        Convention: "f(-inf) = 0, f'(+inf) = 1, f'(-inf) = 0 (limits); NaN gives NaN",
        UsedIn: "EfficientNet, MobileNetV3 (as hard-swish), YOLOv5+, LLaMA-style transformers (in SwiGLU).",
        WhyItWorks: "A smooth, self-gated ReLU: near-linear for positive inputs, a small negative dip that keeps gradient flowing for slightly negative ones; found by automated search (Ramachandran et al. 2017) to beat ReLU on deep models.",
        Limitations:
        [
            "Costlier than ReLU (one exponential per element).",
            "Not monotonic: a minimum of -0.278 at x = -1.28.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: "torch.nn.functional.silu(x)");

    /// <summary>Creates the SiLU activation.</summary>
    public Silu()
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
        // max(x, -200): sigmoid(-200) is 0 in float32, and -inf * 0 would be NaN.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => T.MaxNative(T.Create(-200f), x) * VectorMath.Sigmoid(x, out _);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var s = VectorMath.Sigmoid(x, out var mirror);
            var xc = T.MinNative(T.Create(200f), T.MaxNative(T.Create(-200f), x));
            return dy * (s * T.MultiplyAddEstimate(xc, mirror, T.Create(1f)));
        }
    }
}
