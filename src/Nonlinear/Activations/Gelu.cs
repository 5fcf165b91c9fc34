using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>
/// GELU, the Gaussian error linear unit: f(x) = x Phi(x) (exact, with the normal CDF Phi), or the tanh
/// approximation f(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
/// </summary>
/// <remarks>
/// Elementwise, any shape. Parameter approximate: "none" (default) or "tanh", as in PyTorch.
/// f'(x) = Phi(x) + x phi(x) (exact) with phi the normal density.
/// Exact form: Phi(x) = phi(x) M(|x|) for x &lt;= 0 (M the Mills ratio, a fitted polynomial), which keeps full
/// relative precision in the left tail where 0.5 (1 + erf(x/sqrt 2)) cancels. Tanh form: written as
/// x sigmoid(2u), which has no cancellation either. Backward reads the input.
/// For ±inf we return the limits (f(-inf) = 0, f'(+inf) = 1, f'(-inf) = 0) where PyTorch's float64 formula gives NaN.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("gelu:tanh")</c></example>
public sealed class Gelu : ElementwiseActivation
{
    /// <summary>Catalog entry: "gelu"; parameter approximate (none | tanh).</summary>
    public static ActivationDescriptor Entry { get; } = new(
        "gelu",
        [],
        "x Phi(x)",
        [new ActivationParameter("approximate", "none: exact erf form; tanh: the tanh approximation", 0, Choices: ["none", "tanh"])],
        a => new Gelu(a[0] == 1));

    /// <summary>Creates GELU; <paramref name="tanhApproximation"/> selects PyTorch's approximate='tanh'.</summary>
    public Gelu(bool tanhApproximation = false)
        : base(Entry, tanhApproximation ? 1 : 0)
    {
        TanhApproximation = tanhApproximation;
    }

    /// <summary>True for the tanh approximation.</summary>
    public bool TanhApproximation { get; }

    /// <inheritdoc/>
    public override ActivationInfo Info => new(
        Formula: TanhApproximation ? "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))" : "x Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))",
        DerivativeFormula: TanhApproximation ? "0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)" : "Phi(x) + x phi(x)",
        OutputRange: "[-0.17, inf)",
        OutputMin: -0.16997120,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: false,
        DerivativeRange: "[-0.13, 1.13]",
        DerivativeMax: 1.1289,
        DerivativePeak: "at x = 1.414 (sqrt 2)",
        Convention: "f(-inf) = 0, f'(-inf) = 0, f'(+inf) = 1 (limits); NaN gives NaN",
        UsedIn: "Transformers (BERT, GPT-2/3, ViT) and most modern language and vision models.",
        WhyItWorks: "Weights each input by the probability that a standard normal is below it: a smooth ReLU whose small negative dip and smooth curvature help optimisation of very deep networks.",
        Limitations:
        [
            "Costlier than ReLU (erf or tanh per element).",
            "Not monotonic: a dip to -0.17 near x = -0.75.",
            "The tanh approximation differs from the exact form by up to ~5e-4; models should be evaluated with the form they were trained with.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: TanhApproximation ? "torch.nn.functional.gelu(x, approximate='tanh')" : "torch.nn.functional.gelu(x)");

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Input;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y)
    {
        if (TanhApproximation)
        {
            Elementwise.Map(x, y, default(TanhForward));
        }
        else
        {
            Elementwise.Map(x, y, default(ExactForward));
        }
    }

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (TanhApproximation)
        {
            Elementwise.Map(saved, dy, dx, default(TanhBackward));
        }
        else
        {
            Elementwise.Map(saved, dy, dx, default(ExactBackward));
        }
    }

    /// <summary>Phi(x) and phi(x), with x clamped to [-16, 16] where both have reached their limits in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T NormalCdf<T>(T x, out T density) where T : struct, ISimd<T>
    {
        density = VectorMath.NormalDensityAndMills(x, out var mills);
        var tail = density * mills;
        return T.Select(T.GreaterThan(x, T.Create(0f)), T.Create(1f) - tail, tail);
    }

    private readonly struct ExactForward : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            // max(x, -16): below -16 Phi is 0 in float32, and -inf * 0 would be NaN.
            var cdf = NormalCdf(x, out _);
            return T.MaxNative(T.Create(-16f), x) * cdf;
        }
    }

    private readonly struct ExactBackward : IBinaryOperator
    {
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var cdf = NormalCdf(x, out var density);
            var xc = T.MinNative(T.Create(16f), T.MaxNative(T.Create(-16f), x));
            return dy * T.MultiplyAddEstimate(xc, density, cdf);
        }
    }

    // 2 sqrt(2/pi) and 0.044715, each split into a float and the float of its remainder.
    private const double TwoSqrtTwoOverPi = 1.5957691216057307117597842397375;
    private const float ScaleHi = (float)TwoSqrtTwoOverPi;
    private const float ScaleLo = (float)(TwoSqrtTwoOverPi - ScaleHi);
    private const float CubicHi = (float)0.044715;
    private const float CubicLo = (float)(0.044715 - CubicHi);

    /// <summary>
    /// sigmoid(2u) and sigmoid(-2u), u = sqrt(2/pi) (x + 0.044715 x^3), for x clamped to [-200, 200].
    /// </summary>
    /// <remarks>
    /// e^(2u) magnifies the rounding of 2u by |2u| (up to ~150 ulp in the left tail). So 2u is carried as an
    /// unevaluated sum hi + lo, with every product and sum made error-free (VectorMath.ProductError: FMA or Dekker's
    /// product; TwoSum), and the gate is
    /// corrected to first order: sigmoid(hi + lo) = sigmoid(hi) + lo sigmoid(hi) sigmoid(-hi).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TanhGate<T>(T x, out T mirror) where T : struct, ISimd<T>
    {
        var x2 = x * x;
        var x2Lo = VectorMath.SquareError(x, x2);
        var x3 = x2 * x;
        var x3Lo = VectorMath.ProductError(x2, x, x3) + x2Lo * x;
        var k = T.Create(CubicHi);
        var kx3 = k * x3;
        var kx3Lo = VectorMath.ProductError(k, x3, kx3) + T.MultiplyAddEstimate(k, x3Lo, T.Create(CubicLo) * x3);
        var p = x + kx3;
        var b = p - x;
        var pLo = (x - (p - b)) + (kx3 - b) + kx3Lo;
        var c = T.Create(ScaleHi);
        var hi = c * p;
        var lo = VectorMath.ProductError(c, p, hi) + T.MultiplyAddEstimate(c, pLo, T.Create(ScaleLo) * p);
        var s = VectorMath.Sigmoid(hi, out var m);
        var correction = lo * s * m;
        mirror = m - correction;
        return s + correction;
    }

    private readonly struct TanhForward : IUnaryOperator
    {
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            var xc = T.MinNative(T.Create(200f), T.MaxNative(T.Create(-200f), x));
            return T.MaxNative(T.Create(-200f), x) * TanhGate(xc, out _);
        }
    }

    private readonly struct TanhBackward : IBinaryOperator
    {
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var xc = T.MinNative(T.Create(200f), T.MaxNative(T.Create(-200f), x));
            var s = TanhGate(xc, out var mirror);
            var du = T.Create(ScaleHi) * T.MultiplyAddEstimate(T.Create(3f * CubicHi) * xc, xc, T.Create(1f));
            return dy * T.MultiplyAddEstimate(xc * s * mirror, du, s);
        }
    }
}
