using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Identity (linear): f(x) = x, f'(x) = 1.</summary>
/// <remarks>
/// Elementwise, any shape. With identity between layers a network is one affine map whatever its depth
/// (W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)): it cannot learn XOR.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("identity").Forward(x, y); // y = x</c></example>
public sealed class Identity : ElementwiseActivation
{
    /// <summary>Catalog entry: "identity" (aliases "linear", "none").</summary>
    public static ActivationDescriptor Entry { get; } = new("identity", ["linear", "none"], "x", [], _ => new Identity());

    private static readonly ActivationInfo InfoValue = new(
        Formula: "x",
        DerivativeFormula: "1",
        OutputRange: "(-inf, inf)",
        OutputMin: double.NegativeInfinity,
        OutputMax: double.PositiveInfinity,
        ZeroCentred: true,
        Monotonic: true,
        DerivativeRange: "1",
        DerivativeMax: 1,
        DerivativePeak: "everywhere",
        Convention: "f'(x) = 1 for every x, also NaN and ±inf",
        UsedIn: "Regression outputs (with mean squared error); linear models; the logits layer before a loss that applies softmax or sigmoid itself.",
        WhyItWorks: "It does not: it adds no non-linearity. Its place is an output layer that must be unbounded.",
        Limitations:
        [
            "A stack of layers with identity activations collapses into a single affine map: depth adds nothing.",
            "Cannot represent XOR or any decision boundary that is not a hyperplane.",
        ],
        Family: ActivationFamily.Linear,
        PyTorch: "torch.nn.Identity()");

    /// <summary>Creates the identity activation.</summary>
    public Identity()
        : base(Entry)
    {
    }

    /// <inheritdoc/>
    public override ActivationInfo Info => InfoValue;

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Copy(x, y);

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Copy(dy, dx);

    /// <summary>
    /// memmove where it is fastest (one thread, in cache); the shared loop where it uses every allowed thread or
    /// streams an output larger than cache (measured faster than memmove there).
    /// </summary>
    private static void Copy(ReadOnlySpan<float> from, Span<float> to)
    {
        bool oneThread = Engine.MaxThreads == 1 || from.Length < Elementwise.ParallelThreshold;
        if (oneThread && from.Length < Elementwise.NonTemporalThreshold)
        {
            from.CopyTo(to);
        }
        else
        {
            Elementwise.Map(from, to, default(CopyOp));
        }
    }

    private readonly struct CopyOp : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => x;
    }
}
