using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Leaky ReLU: f(x) = x for x &gt; 0, alpha x otherwise; f'(x) = 1 or alpha.</summary>
/// <remarks>
/// Elementwise, any shape. Parameter alpha (negative slope) in [0, 1], default 0.01; 0.01–0.3 is typical.
/// PyTorch's conventions: f'(0) = alpha, f'(NaN) = alpha. Backward reads the output (y &gt; 0 exactly when
/// x &gt; 0 because alpha &gt;= 0), so the forward pass may run in place.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("leaky_relu:0.1")</c></example>
public sealed class LeakyRelu : ElementwiseActivation
{
    /// <summary>Catalog entry: "leaky_relu" (aliases "lrelu", "leakyrelu"); parameter alpha.</summary>
    public static ActivationDescriptor Entry { get; } = new(
        "leaky_relu",
        ["lrelu", "leakyrelu"],
        "x if x > 0 else alpha x",
        [new ActivationParameter("alpha", "slope for x <= 0 (0.01-0.3 typical)", 0.01, 0, 1)],
        a => new LeakyRelu(a[0]));

    /// <summary>Creates Leaky ReLU with negative slope <paramref name="alpha"/> in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">alpha is negative, above 1 or NaN.</exception>
    public LeakyRelu(double alpha = 0.01)
        : base(Entry, alpha)
    {
        Alpha = (float)alpha;
    }

    /// <summary>The slope for x &lt;= 0.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    public override ActivationInfo Info => new(
        Formula: $"x if x > 0, else {Argument(0):R} x",
        DerivativeFormula: $"1 if x > 0, else {Argument(0):R}",
        OutputRange: Alpha > 0 ? "(-inf, inf)" : "[0, inf)",
        OutputMin: Alpha > 0 ? double.NegativeInfinity : 0,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: $"{{{Argument(0):R}, 1}}",
        DerivativeMax: 1,
        DerivativePeak: "for every x > 0",
        Convention: "f'(0) = alpha (PyTorch); f'(NaN) = alpha; f(-0) = -0",
        UsedIn: "Hidden layers where ReLU units die (GANs, deep CNNs); YOLO uses alpha = 0.1.",
        WhyItWorks: "Keeps ReLU's unit gradient for active units, and gives inactive units a small slope alpha so they still receive gradient and can recover.",
        Limitations:
        [
            "alpha is a hyperparameter: 0.01-0.3 is typical; too small behaves like ReLU (dying units), too large makes the unit nearly linear.",
            "Not zero-centred and unbounded above, like ReLU.",
            "Not differentiable at 0 (the convention picks alpha).",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: $"torch.nn.functional.leaky_relu(x, negative_slope={Argument(0):R})");

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new ForwardOp(Alpha));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new BackwardOp(Alpha));

    private readonly struct ForwardOp(float alpha) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => T.Select(T.GreaterThan(x, T.Create(0f)), x, x * T.Create(alpha));
    }

    private readonly struct BackwardOp(float alpha) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T> => T.Select(T.GreaterThan(y, T.Create(0f)), dy, dy * T.Create(alpha));
    }
}
