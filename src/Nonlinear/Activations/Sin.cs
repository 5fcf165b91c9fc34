using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Sine: f(x) = sin x; f'(x) = cos x.</summary>
/// <remarks>
/// Elementwise, any shape. Exact for every float, including huge arguments (sin(3.4e38)): the argument is
/// reduced by pi/2 in double-float arithmetic up to |x| = 65536 and per element in float64 beyond (see
/// <c>VectorMath.Sin</c>). sin(±inf) and cos(±inf) are NaN, as in PyTorch: there is no limit. Backward reads
/// the input.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("sine").Forward(x, y); // y = sin(x)</c></example>
public sealed class Sin : ElementwiseActivation
{
    /// <summary>Catalog entry: "sin" (alias "sine").</summary>
    public static ActivationDescriptor Entry { get; } = new("sin", ["sine"], "sin(x)", [], _ => new Sin());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "sin(x)",
        DerivativeFormula: "cos(x)",
        OutputRange: "[-1, 1]",
        OutputMin: -1,
        OutputMax: 1,
        ZeroCentred: true,
        Monotonic: false,
        DerivativeRange: "[-1, 1]",
        DerivativeMax: 1,
        DerivativePeak: "at x = 2k pi (x = 0, ±6.283, ...)",
        Convention: "f(±inf) and f'(±inf) are NaN (no limit; PyTorch agrees); f(-0) = -0; NaN gives NaN",
        UsedIn: "SIREN networks (Sitzmann et al. 2020), which fit images, audio and shapes as functions of coordinates; periodic data (angles, time of day); Fourier-feature layers.",
        WhyItWorks: "Near 0 it is the identity (sin x ~ x), so a network starts out nearly linear and easy to train; further out it is periodic, so a layer of sines is a learned Fourier basis that represents oscillating signals, and their derivatives (cosines, again sines), with few units.",
        Limitations:
        [
            "Not monotonic and periodic: many inputs give the same output, and the loss has many equivalent minima (shifting a unit's bias by 2 pi changes nothing).",
            "Sensitive to the scale of the weights: large pre-activations wrap around many periods and give noisy, high-frequency fits; SIREN needs its own initialisation for deep stacks.",
            "Costs more than ReLU (argument reduction and polynomials).",
        ],
        Family: ActivationFamily.Periodic,
        PyTorch: "torch.sin(x)");

    /// <summary>Creates the sine activation.</summary>
    public Sin()
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
        public T Invoke<T>(T x) where T : struct, ISimd<T> => VectorMath.Sin(x);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x, T dy) where T : struct, ISimd<T> => dy * VectorMath.Cos(x);
    }
}
