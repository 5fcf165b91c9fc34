using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Hard sigmoid (PyTorch's definition): f(x) = relu6(x + 3) / 6; f'(x) = 1/6 for -3 &lt; x &lt; 3, else 0.</summary>
/// <remarks>
/// Elementwise, any shape. f' = 0 at ±3 and for NaN (PyTorch). Backward reads the output
/// (0 &lt; y &lt; 1 exactly when -3 &lt; x &lt; 3), so the forward pass may run in place.
/// </remarks>
/// <example><c>new HardSigmoid().Value(0f) == 0.5f</c></example>
public sealed class HardSigmoid : ElementwiseActivation
{
    /// <summary>Catalog entry: "hardsigmoid" (alias "hard_sigmoid").</summary>
    public static ActivationDescriptor Entry { get; } = new("hardsigmoid", ["hard_sigmoid"], "relu6(x + 3) / 6", [], _ => new HardSigmoid());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "min(max(x + 3, 0), 6) / 6",
        DerivativeFormula: "1/6 if -3 < x < 3, else 0",
        OutputRange: "[0, 1]",
        OutputMin: 0,
        OutputMax: 1,
        ZeroCentred: false,
        Monotonic: true,
        DerivativeRange: "{0, 1/6}",
        DerivativeMax: 1.0 / 6,
        DerivativePeak: "for -3 < x < 3",
        Convention: "f' = 0 at x = ±3 and for NaN (PyTorch); NaN gives NaN",
        UsedIn: "Gates in mobile networks (MobileNetV3 squeeze-and-excitation) where exp is too costly.",
        WhyItWorks: "A piecewise-linear sigmoid: a probability-like output in [0, 1] from two comparisons and a multiply.",
        Limitations:
        [
            "Zero gradient outside (-3, 3): saturated units stop learning.",
            "Small slope (1/6) even in the middle: vanishing gradients in deep stacks, like sigmoid.",
            "Not zero-centred.",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: "torch.nn.functional.hardsigmoid(x)");

    /// <summary>Creates the hard sigmoid activation.</summary>
    public HardSigmoid()
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

    /// <summary>relu6(x + 3) / 6.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Gate<T>(T x) where T : struct, ISimd<T>
        => DivideBy6(T.MinNative(T.Create(6f), T.MaxNative(T.Create(0f), x + T.Create(3f))));

    /// <summary>
    /// v / 6 correctly rounded. With an FMA, without the divider (a 512-bit divide costs more than the memory
    /// traffic of these kernels): q = v/6 rounded, then one FMA correction q + (v - 6q)/6, which gives the correctly
    /// rounded quotient wherever it is a normal float (all these kernels produce). Without an FMA (x86 with SSE
    /// only) a plain division, which gives the same bits (and is correctly rounded for subnormal quotients too); the
    /// exact FMA would be emulated there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T DivideBy6<T>(T v) where T : struct, ISimd<T>
    {
        if (!Fma.IsSupported && !AdvSimd.IsSupported)
        {
            // + 0: the FMA form gives +0 for v = -0 (which x + 3 and 2x + 3 never are, but the bits stay the same).
            return (v / T.Create(6f)) + T.Create(0f);
        }

        return DivideBy6Fused(v);
    }

    /// <summary>The FMA form of <see cref="DivideBy6{T}"/> on any hardware (tests compare it with the division).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T DivideBy6Fused<T>(T v) where T : struct, ISimd<T>
    {
        var q = v * T.Create(1f / 6f);
        return T.MultiplyAdd(T.MultiplyAdd(q, T.Create(-6f), v), T.Create(1f / 6f), q);
    }

    private readonly struct ForwardOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => Gate(x);
    }

    private readonly struct BackwardOp : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T>
        {
            var inside = T.LessThan(T.Create(0f), y) & T.LessThan(y, T.Create(1f));
            return (dy * T.Create(1f / 6f)) & inside;
        }
    }
}
