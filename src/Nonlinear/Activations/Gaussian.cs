using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Gaussian: f(x) = e^(-x^2); f'(x) = -2x e^(-x^2).</summary>
/// <remarks>
/// Elementwise, any shape. Exact in the tails: x^2 is formed exactly as p + e (FMA) and e joins the exponential's
/// reduced argument, so e^(-x^2) keeps its precision where x^2 ~ 100 (rounding x^2 first would put tens of ulp
/// of error there); it underflows to 0 only where float32 does (|x| &gt; 10.2). The derivative multiplies
/// -2x into the exponential's mantissa before the final scaling by 2^n, so it stays exact where e^(-x^2) alone
/// would be subnormal but -2x e^(-x^2) is not. Inputs are clamped to ±11.5 (f and f' are 0 there in float32),
/// which keeps ±inf finite inside. Backward reads the input.
/// </remarks>
/// <example><c>new Gaussian().Value(0f) == 1f</c></example>
public sealed class Gaussian : ElementwiseActivation
{
    /// <summary>Catalog entry: "gaussian".</summary>
    public static ActivationDescriptor Entry { get; } = new("gaussian", [], "e^(-x^2)", [], _ => new Gaussian());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "e^(-x^2)",
        DerivativeFormula: "-2x e^(-x^2)",
        OutputRange: "(0, 1]",
        OutputMin: 0,
        OutputMax: 1,
        ZeroCentred: false,
        Monotonic: false,
        DerivativeRange: "[-sqrt(2/e), sqrt(2/e)] = [-0.858, 0.858]",
        DerivativeMax: 0.8577638849607068,
        DerivativePeak: "at x = -1/sqrt(2) = -0.707 (and -0.858 at x = 0.707)",
        Convention: "f(±inf) = 0, f'(±inf) = 0 (limits; PyTorch's autograd of exp(-x*x) gives NaN there); f'(0) = 0; NaN gives NaN",
        UsedIn: "Radial-basis-function networks (a bump around each unit's centre; Broomhead and Lowe 1988); coordinate networks that fit images and shapes (Ramasinghe and Lucey 2022).",
        WhyItWorks: "Each unit answers 'how close is w.x + b to 0?': it fires in a band and is silent on both sides, so a few units enclose a region (a ring, a blob) that monotonic activations need many units and layers to carve out.",
        Limitations:
        [
            "Saturates on both sides and is flat at its peak: f' < 0.01 for |x| > 2.5 and f'(0) = 0, so units far from their band, or exactly on it, learn slowly.",
            "Not monotonic: x and -x give the same output, so a unit cannot tell which side of its band an input is on.",
            "Not zero-centred: outputs lie in (0, 1].",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.exp(-x * x)");

    /// <summary>Creates the Gaussian activation.</summary>
    public Gaussian()
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

    /// <summary>x clamped to ±11.5 (NaN kept) and x^2 = p + e exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Square<T>(T x, out T p, out T e) where T : struct, ISimd<T>
    {
        var xc = T.MinNative(T.Create(11.5f), T.MaxNative(T.Create(-11.5f), x));
        p = xc * xc;
        e = VectorMath.SquareError(xc, p);
        return xc;
    }

    private readonly struct ForwardOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            Square(x, out var p, out var e);
            return VectorMath.Exp(-p, -e);
        }
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var xc = Square(x, out var p, out var e);
            return dy * VectorMath.ExpTimes(-p, -e, T.Create(-2f) * xc);
        }
    }
}
