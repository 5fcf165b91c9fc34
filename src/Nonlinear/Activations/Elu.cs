using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>ELU, the exponential linear unit: f(x) = x for x &gt; 0, alpha (e^x - 1) otherwise.</summary>
/// <remarks>
/// Elementwise, any shape. Parameter alpha &gt;= 0, default 1. f'(x) = 1 for x &gt; 0, alpha e^x for x &lt;= 0
/// (PyTorch: f'(0) = alpha). e^x - 1 is computed without cancellation near 0. Backward reads the input: from
/// the output, alpha + y cancels to 0 where f has saturated at -alpha.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("elu:0.5")</c></example>
public sealed class Elu : ElementwiseActivation
{
    /// <summary>Catalog entry: "elu"; parameter alpha.</summary>
    public static ActivationDescriptor Entry { get; } = new(
        "elu",
        [],
        "x if x > 0 else alpha (e^x - 1)",
        [new ActivationParameter("alpha", "saturation value -alpha for x -> -inf", 1, 0)],
        a => new Elu(a[0]));

    /// <summary>Creates ELU with saturation <paramref name="alpha"/> &gt;= 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">alpha is negative or not finite.</exception>
    public Elu(double alpha = 1)
        : base(Entry, alpha)
    {
        Alpha = (float)alpha;
    }

    /// <summary>The negative saturation value is -alpha.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    public override ActivationInfo Info => new(
        Formula: $"x if x > 0, else {Argument(0):R} (e^x - 1)",
        DerivativeFormula: $"1 if x > 0, else {Argument(0):R} e^x",
        OutputRange: $"(-{Argument(0):R}, inf)",
        OutputMin: -Argument(0),
        OutputMax: double.PositiveInfinity,
        ZeroCentred: true,
        Monotonic: true,
        DerivativeRange: Argument(0) <= 1 ? "(0, 1]" : $"(0, {Argument(0):R}]",
        DerivativeMax: Math.Max(1, Argument(0)),
        DerivativePeak: Argument(0) <= 1 ? "for every x > 0" : "at x = 0 (alpha)",
        Convention: "f'(0) = alpha (PyTorch); f(-inf) = -alpha; f'(-inf) = 0; NaN gives NaN",
        UsedIn: "Hidden layers of deep MLPs and CNNs as a smoother ReLU (Clevert et al. 2015).",
        WhyItWorks: "Identity for positive inputs (unit gradient) and a smooth negative saturation that pushes mean activations toward zero, which speeds learning; no dead units since f' > 0 everywhere.",
        Limitations:
        [
            "e^x for negative inputs costs more than ReLU's comparison.",
            "Saturates for large negative inputs (f' -> 0 there).",
            "alpha is a hyperparameter (1 is standard).",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: $"torch.nn.functional.elu(x, alpha={Argument(0):R})");

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Input;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new ExponentialLinear(Alpha, 1f));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new ExponentialLinearBackward(Alpha, 1f));

    /// <summary>scale (x if x &gt; 0 else alpha expm1(x)): ELU with scale 1, SELU with its constants.</summary>
    internal readonly struct ExponentialLinear(float alpha, float scale) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            var negative = T.Create(alpha) * VectorMath.Expm1(x);
            return T.Create(scale) * T.Select(T.GreaterThan(x, T.Create(0f)), x, negative);
        }
    }

    /// <summary>dy scale (1 if x &gt; 0 else alpha e^x).</summary>
    internal readonly struct ExponentialLinearBackward(float alpha, float scale) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var slope = T.Select(T.GreaterThan(x, T.Create(0f)), T.Create(scale), T.Create(scale * alpha) * VectorMath.Exp(x));
            return dy * slope;
        }
    }
}
