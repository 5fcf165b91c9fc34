using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Step (Heaviside): f(x) = 1 for x &gt; 0, else 0; f'(x) = 0 everywhere.</summary>
/// <remarks>
/// Elementwise, any shape. The perceptron's activation, in the catalog to show why backpropagation needs a
/// slope: its derivative is 0 wherever it exists, and taken as 0 at the jump too, so nothing before a step layer
/// ever receives a gradient (the advisor says so: "no-gradient"). f(0) = 0, as torch.heaviside(x, values=0).
/// NaN gives NaN, forward and backward, where torch.heaviside gives 0: a NaN must not turn into a valid
/// class. Backward reads the output, so the forward pass may run in place.
/// </remarks>
/// <example><c>new Step().Value(0.5f) == 1f</c></example>
public sealed class Step : ElementwiseActivation
{
    /// <summary>Catalog entry: "step" (alias "heaviside").</summary>
    public static ActivationDescriptor Entry { get; } = new("step", ["heaviside"], "1 if x > 0 else 0", [], _ => new Step());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "1 if x > 0, else 0",
        DerivativeFormula: "0 (the jump at 0 has no derivative; 0 is used there too)",
        OutputRange: "{0, 1}",
        OutputMin: 0,
        OutputMax: 1,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "0",
        DerivativeMax: 0,
        DerivativePeak: "everywhere (it is 0)",
        Convention: "f(0) = 0 (torch.heaviside(x, values=0)); f'(x) = 0 for every x, 0 included; NaN gives NaN (torch.heaviside gives 0)",
        UsedIn: "Rosenblatt's perceptron (1958) and McCulloch-Pitts threshold units; binary decisions after training (thresholding a probability); teaching why gradient descent needs a slope.",
        WhyItWorks: "One step unit is a linear classifier with a hard yes/no answer. The perceptron learning rule trains it from its errors directly (w += lr (target - output) x), without a derivative; gradient descent cannot.",
        Limitations:
        [
            "Zero gradient almost everywhere: backpropagation cannot train any layer before a step layer (its weights never move from their initialisation).",
            "Outputs carry no confidence: 0 or 1 only, so a point just over the boundary looks as sure as one far from it.",
            "Not zero-centred.",
        ],
        Family: ActivationFamily.Threshold,
        PyTorch: "torch.heaviside(x, torch.zeros_like(x))");

    /// <summary>Creates the step activation.</summary>
    public Step()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, default(ForwardOp));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, default(BackwardOp));

    private readonly struct ForwardOp : IUnaryOperator
    {
        // x & IsNaN(x) keeps a NaN and is +0 otherwise (-0 included).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => T.Select(T.GreaterThan(x, T.Create(0f)), T.Create(1f), x & T.IsNaN(x));
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        // 0 whatever dy is (as ReLU's backward ignores dy where it is flat); y is NaN exactly where x was.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T> => y & T.IsNaN(y);
    }
}
