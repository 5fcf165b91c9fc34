using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Mish: f(x) = x tanh(softplus(x)) = x tanh(ln(1 + e^x)).</summary>
/// <remarks>
/// Elementwise, any shape. With n = e^x and w = n (n + 2): tanh(softplus(x)) = w / (w + 2) and
/// 1 - tanh^2(softplus(x)) = 4 (w + 1) / (w + 2)^2, so f'(x) = w/(w+2) + x sigmoid(x) 4(w+1)/(w+2)^2 is computed
/// without cancellation anywhere. Backward reads the input. For ±inf we return the limits (f(-inf) = 0,
/// f'(±inf) = 1, 0) where PyTorch's float64 formula gives NaN.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("mish")</c></example>
public sealed class Mish : ElementwiseActivation
{
    /// <summary>Catalog entry: "mish".</summary>
    public static ActivationDescriptor Entry { get; } = new("mish", [], "x tanh(softplus(x))", [], _ => new Mish());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x tanh(ln(1 + e^x))",
        DerivativeFormula: "tanh(sp(x)) + x sigmoid(x) (1 - tanh^2(sp(x))), sp = softplus",
        OutputRange: "[-0.309, inf)",
        OutputMin: -0.30884,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: false,
        DerivativeRange: "[-0.11, 1.09]",
        DerivativeMax: 1.0886,
        DerivativePeak: "at x = 1.85",
        Convention: "f(-inf) = 0, f'(+inf) = 1, f'(-inf) = 0 (limits); NaN gives NaN",
        UsedIn: "YOLOv4 backbones and some image classifiers (Misra 2019).",
        WhyItWorks: "Like SiLU: smooth, self-gated, unbounded above and slightly negative below, which keeps gradient flowing and regularises a little.",
        Limitations:
        [
            "The costliest of the common activations (exp, division per element).",
            "Not monotonic: a minimum of -0.309 at x = -1.19.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: "torch.nn.functional.mish(x)");

    /// <summary>Creates the Mish activation.</summary>
    public Mish()
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

    /// <summary>w = n (n + 2) with n = e^min(x, 20); beyond 20, tanh(softplus(x)) is 1 in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T W<T>(T x, out T n) where T : struct, ISimd<T>
    {
        n = VectorMath.Exp(T.MinNative(T.Create(20f), x));
        return n * (n + T.Create(2f));
    }

    private readonly struct ForwardOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T>
        {
            var w = W(x, out _);
            return T.MaxNative(T.Create(-200f), x) * (w / (w + T.Create(2f)));
        }
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T>
        {
            var w = W(x, out var n);
            var d = w + T.Create(2f);
            var sigmoid = n / (T.Create(1f) + n);
            var sech2 = T.Create(4f) * (w + T.Create(1f)) / (d * d);
            var xc = T.MinNative(T.Create(20f), T.MaxNative(T.Create(-200f), x));
            return dy * T.MultiplyAddEstimate(xc * sigmoid, sech2, w / d);
        }
    }
}
