using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Softsign: f(x) = x / (1 + |x|); f'(x) = 1 / (1 + |x|)^2.</summary>
/// <remarks>
/// Elementwise, any shape. Backward reads the input. For ±inf we return the limits (f = ±1, f' = 0) where
/// PyTorch's float64 formula gives inf/inf = NaN.
/// </remarks>
/// <example><c>new Softsign().Value(1f) == 0.5f</c></example>
public sealed class Softsign : ElementwiseActivation
{
    /// <summary>Catalog entry: "softsign".</summary>
    public static ActivationDescriptor Entry { get; } = new("softsign", [], "x / (1 + |x|)", [], _ => new Softsign());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x / (1 + |x|)",
        DerivativeFormula: "1 / (1 + |x|)^2",
        OutputRange: "(-1, 1)",
        OutputMin: -1,
        OutputMax: 1,
        ZeroCentred: true,
        Monotonic: true,
        DerivativeRange: "(0, 1]",
        DerivativeMax: 1,
        DerivativePeak: "at x = 0",
        Convention: "f(±inf) = ±1, f'(±inf) = 0 (limits); NaN gives NaN",
        UsedIn: "A cheap tanh substitute (no exponential) in small networks and embedded models.",
        WhyItWorks: "Zero-centred and bounded like tanh, but its tails approach ±1 polynomially rather than exponentially, so it saturates more gently.",
        Limitations:
        [
            "Still saturating: vanishing gradients in deep stacks, though slower than tanh's.",
            "Rarely used in modern architectures; few reference results to compare against.",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.nn.functional.softsign(x)");

    /// <summary>Creates the softsign activation.</summary>
    public Softsign()
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
        {
            // Clamping to ±float.MaxValue turns inf/inf into the limit ±1 and changes nothing else.
            var xc = T.MinNative(T.Create(float.MaxValue), T.MaxNative(T.Create(-float.MaxValue), x));
            return xc / (T.Create(1f) + T.Abs(xc));
        }
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var d = T.Create(1f) + T.Abs(x);
            return dy / (d * d);
        }
    }
}
