using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>ReLU6: f(x) = min(max(0, x), 6); f'(x) = 1 for 0 &lt; x &lt; 6, else 0.</summary>
/// <remarks>
/// Elementwise, any shape. As in PyTorch (hardtanh(x, 0, 6)): f'(0) = f'(6) = 0, f'(NaN) = 0. Backward reads
/// the output, so the forward pass may run in place.
/// </remarks>
/// <example><c>new Relu6().Value(10f) == 6f</c></example>
public sealed class Relu6 : ElementwiseActivation
{
    /// <summary>Catalog entry: "relu6".</summary>
    public static ActivationDescriptor Entry { get; } = new("relu6", [], "min(max(0, x), 6)", [], _ => new Relu6());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "min(max(0, x), 6)",
        DerivativeFormula: "1 if 0 < x < 6, else 0",
        OutputRange: "[0, 6]",
        OutputMin: 0,
        OutputMax: 6,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "{0, 1}",
        DerivativeMax: 1,
        DerivativePeak: "for 0 < x < 6",
        Convention: "f'(0) = f'(6) = 0 and f'(NaN) = 0 (PyTorch); f(-0) = -0",
        UsedIn: "MobileNetV1/V2 and other models meant for low-precision (8-bit) inference.",
        WhyItWorks: "ReLU with a cap: bounded activations keep fixed-point ranges small, and the cap stops activations from exploding.",
        Limitations:
        [
            "Dying units below 0, like ReLU, and zero gradient above 6 as well.",
            "Not zero-centred.",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: "torch.nn.functional.relu6(x)");

    /// <summary>Creates the ReLU6 activation.</summary>
    public Relu6()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new HardTanh.Clamp(0f, 6f));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new HardTanh.InsideBackward(0f, 6f));
}
