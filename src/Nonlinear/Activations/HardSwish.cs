using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Hard swish (PyTorch's definition): f(x) = x relu6(x + 3) / 6.</summary>
/// <remarks>
/// Elementwise, any shape. f'(x) = 0 for x &lt; -3, (2x + 3)/6 for -3 &lt;= x &lt; 3, 1 for x &gt;= 3 (PyTorch:
/// f'(-3) = -0.5, f'(3) = 1). Backward reads the input. For -inf we return the limit 0 where PyTorch's
/// float64 formula gives -inf * 0 = NaN.
/// </remarks>
/// <example><c>new HardSwish().Value(3f) == 3f</c></example>
public sealed class HardSwish : ElementwiseActivation
{
    /// <summary>Catalog entry: "hardswish" (alias "hard_swish").</summary>
    public static ActivationDescriptor Entry { get; } = new("hardswish", ["hard_swish"], "x relu6(x + 3) / 6", [], _ => new HardSwish());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x min(max(x + 3, 0), 6) / 6",
        DerivativeFormula: "0 if x < -3; (2x + 3)/6 if -3 <= x < 3; 1 if x >= 3",
        OutputRange: "[-0.375, inf)",
        OutputMin: -0.375,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: false,
        DerivativeRange: "[-0.5, 1.5)",
        DerivativeMax: 1.5,
        DerivativePeak: "just below x = 3 (the supremum 1.5 is not reached)",
        Convention: "f'(-3) = -0.5, f'(3) = 1 (PyTorch); f(-inf) = 0 (limit); NaN gives NaN",
        UsedIn: "MobileNetV3 and other mobile vision models.",
        WhyItWorks: "A piecewise-polynomial SiLU: keeps most of swish's accuracy gains with no exponential.",
        Limitations:
        [
            "Zero gradient below -3 (units can die there).",
            "Not monotonic; derivative jumps at ±3.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: "torch.nn.functional.hardswish(x)");

    /// <summary>Creates the hard swish activation.</summary>
    public HardSwish()
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
            // x hardsigmoid(x): the gate is at most 1, so x * gate cannot overflow (x * relu6 would at 3.4e38).
            // max(x, -4): below -3 the gate is 0, and -inf * 0 would be NaN.
            return T.MaxNative(T.Create(-4f), x) * HardSigmoid.Gate(x);
        }
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            // (2x + 3) is exact near the zero at x = -1.5; NaN falls through to the middle branch and stays NaN.
            var middle = HardSigmoid.DivideBy6(x + x + T.Create(3f));
            var slope = T.Select(T.LessThanOrEqual(T.Create(3f), x), T.Create(1f), middle);
            slope = T.Select(T.LessThan(x, T.Create(-3f)), T.Create(0f), slope);
            return dy * slope;
        }
    }
}
