using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Softplus: f(x) = (1/beta) ln(1 + e^(beta x)), and f(x) = x where beta x &gt; threshold (PyTorch).</summary>
/// <remarks>
/// Elementwise, any shape. Parameters beta &gt; 0 (default 1) and threshold &gt; 0 (default 20).
/// f'(x) = sigmoid(beta x), and 1 above the threshold. Computed as (max(z, 0) + ln(1 + e^(-|z|)))/beta with
/// z = beta x: softplus(1000) = 1000, softplus(-1000) = 0, never inf or NaN for finite x. Backward reads the input.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("softplus:beta=2")</c></example>
public sealed class Softplus : ElementwiseActivation
{
    /// <summary>Catalog entry: "softplus"; parameters beta and threshold.</summary>
    public static ActivationDescriptor Entry { get; } = new(
        "softplus",
        [],
        "ln(1 + e^(beta x)) / beta",
        [
            new ActivationParameter("beta", "sharpness: larger beta is closer to ReLU", 1, 0, MinimumExclusive: true),
            new ActivationParameter("threshold", "above beta x > threshold, f(x) = x", 20, 0, MinimumExclusive: true),
        ],
        a => new Softplus(a[0], a[1]));

    /// <summary>Creates softplus with sharpness <paramref name="beta"/> &gt; 0 and linear <paramref name="threshold"/> &gt; 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">beta or threshold is not positive and finite.</exception>
    public Softplus(double beta = 1, double threshold = 20)
        : base(Entry, beta, threshold)
    {
        Beta = (float)beta;
        Threshold = (float)threshold;
    }

    /// <summary>Sharpness.</summary>
    public float Beta { get; }

    /// <summary>Above beta x &gt; threshold the function is the identity.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override ActivationInfo Info => new(
        Formula: Beta == 1 ? "ln(1 + e^x)" : $"ln(1 + e^({Argument(0):R} x)) / {Argument(0):R}",
        DerivativeFormula: Beta == 1 ? "sigmoid(x)" : $"sigmoid({Argument(0):R} x)",
        OutputRange: "(0, inf)",
        OutputMin: 0,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "(0, 1]",
        DerivativeMax: 1,
        DerivativePeak: $"as x -> inf (exactly 1 above beta x > {Argument(1):R})",
        Convention: $"f(x) = x and f'(x) = 1 for beta x > {Argument(1):R} (PyTorch); f(-inf) = 0; NaN gives NaN",
        UsedIn: "Where a smooth, strictly positive output is needed: variances and scales in probabilistic models, the inside of Mish.",
        WhyItWorks: "A smooth ReLU: the derivative (a sigmoid) is never exactly 0, so no unit dies.",
        Limitations:
        [
            "Not zero-centred; f(0) = ln 2 / beta, not 0.",
            "Costlier than ReLU (exp and log per element); small-x gradients are below ReLU's 1, so it usually trains slower than ReLU.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: $"torch.nn.functional.softplus(x, beta={Argument(0):R}, threshold={Argument(1):R})");

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Input;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new ForwardOp(Beta, Threshold));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new BackwardOp(Beta, Threshold));

    private readonly struct ForwardOp(float beta, float threshold) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            var z = T.Create(beta) * x;
            var soft = (T.MaxNative(T.Create(0f), z) + VectorMath.Log1pUnit(VectorMath.Exp(-T.Abs(z)))) / T.Create(beta);
            return T.Select(T.GreaterThan(z, T.Create(threshold)), x, soft);
        }
    }

    private readonly struct BackwardOp(float beta, float threshold) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var z = T.Create(beta) * x;
            var slope = T.Select(T.GreaterThan(z, T.Create(threshold)), T.Create(1f), VectorMath.Sigmoid(z, out _));
            return dy * slope;
        }
    }
}
