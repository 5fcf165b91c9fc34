using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>ReLU, the rectified linear unit: f(x) = max(0, x); f'(x) = 1 for x &gt; 0, else 0.</summary>
/// <remarks>
/// Elementwise, any shape. PyTorch's conventions: relu'(0) = 0, relu(-0) = -0, relu(NaN) = NaN and
/// relu'(NaN) = 1 (PyTorch's backward tests y &lt;= 0). Backward reads the output, so the forward pass may
/// run in place.
/// </remarks>
/// <example><c>new Relu().Value(-2f) == 0f</c></example>
public sealed class Relu : ElementwiseActivation
{
    /// <summary>Catalog entry: "relu".</summary>
    public static ActivationDescriptor Entry { get; } = new("relu", ["rectifier"], "max(0, x)", [], _ => new Relu());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "max(0, x)",
        DerivativeFormula: "1 if x > 0, else 0",
        OutputRange: "[0, inf)",
        OutputMin: 0,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "{0, 1}",
        DerivativeMax: 1,
        DerivativePeak: "for every x > 0",
        Convention: "relu'(0) = 0 (PyTorch); relu(-0) = -0; relu'(NaN) = 1",
        UsedIn: "The default for hidden layers of MLPs and CNNs (AlexNet, ResNet, VGG).",
        WhyItWorks: "Its derivative is exactly 1 for active units, so gradients pass through deep stacks without shrinking; it is a single comparison; it gives sparse activations.",
        Limitations:
        [
            "Dying ReLU: a unit whose pre-activation is negative for every input outputs 0 and gets zero gradient forever (often after a too-large learning-rate step).",
            "Not zero-centred: outputs are never negative.",
            "Unbounded above: activations can grow without limit in deep or recurrent networks.",
            "Not differentiable at 0 (the convention picks 0).",
        ],
        Family: ActivationFamily.Rectifier,
        PyTorch: "torch.relu(x)");

    /// <summary>Creates the ReLU activation.</summary>
    public Relu()
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
        // MAXPS(0, x) returns x when x is NaN or a zero of either sign: relu(NaN) = NaN, relu(-0) = -0.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => T.MaxNative(T.Create(0f), x);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T> => T.Select(T.LessThanOrEqual(y, T.Create(0f)), T.Create(0f), dy);
    }
}
