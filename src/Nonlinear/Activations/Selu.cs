using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>
/// SELU, the scaled exponential linear unit: f(x) = scale (x if x &gt; 0 else alpha (e^x - 1)) with
/// alpha = 1.6732632423543772 and scale = 1.0507009873554805 (Klambauer et al. 2017).
/// </summary>
/// <remarks>
/// Elementwise, any shape. f'(x) = scale for x &gt; 0, scale alpha e^x for x &lt;= 0 (f'(0) = 1.7581 as in
/// PyTorch). Backward reads the input.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("selu")</c></example>
public sealed class Selu : ElementwiseActivation
{
    /// <summary>alpha of SELU.</summary>
    public const double Alpha = 1.6732632423543772848170429916717;

    /// <summary>scale (lambda) of SELU.</summary>
    public const double Scale = 1.0507009873554804934193349852946;

    /// <summary>Catalog entry: "selu".</summary>
    public static ActivationDescriptor Entry { get; } = new("selu", [], "scale (x if x > 0 else alpha (e^x - 1))", [], _ => new Selu());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "1.0507 (x if x > 0, else 1.6733 (e^x - 1))",
        DerivativeFormula: "1.0507 if x > 0, else 1.7581 e^x",
        OutputRange: "(-1.7581, inf)",
        OutputMin: -Scale * Alpha,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: true,
        Monotonic: true,
        DerivativeRange: "(0, 1.7581]",
        DerivativeMax: Scale * Alpha,
        DerivativePeak: "at x = 0 (from the left: scale alpha)",
        Convention: "f'(0) = scale alpha = 1.7581 (PyTorch); f(-inf) = -1.7581; NaN gives NaN",
        UsedIn: "Self-normalising networks: deep fully-connected stacks with LeCun-normal initialisation and alpha-dropout.",
        WhyItWorks: "Its constants make zero mean and unit variance a fixed point of each layer, so activations stay normalised through depth without batch norm.",
        Limitations:
        [
            "Self-normalisation needs LeCun-normal initialisation and (alpha-)dropout only; batch norm or other activations break it.",
            "Designed for fully-connected stacks; less benefit in CNNs.",
        ],
        Family: ActivationFamily.SelfNormalising,
        PyTorch: "torch.selu(x)");

    /// <summary>Creates the SELU activation.</summary>
    public Selu()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Input;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new Elu.ExponentialLinear((float)Alpha, (float)Scale));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new Elu.ExponentialLinearBackward((float)Alpha, (float)Scale));
}
