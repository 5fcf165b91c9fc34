using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Activations;

/// <summary>Hard tanh: f(x) = clamp(x, min, max); f'(x) = 1 for min &lt; x &lt; max, else 0.</summary>
/// <remarks>
/// Elementwise, any shape. Parameters min (default -1) and max (default 1), min &lt; max. PyTorch's conventions:
/// f' = 0 at the bounds and for NaN; f(-0) = -0. Backward reads the output (min &lt; y &lt; max exactly when
/// min &lt; x &lt; max), so the forward pass may run in place.
/// </remarks>
/// <example><c>ActivationRegistry.Parse("hardtanh:-2:2")</c></example>
public sealed class HardTanh : ElementwiseActivation
{
    /// <summary>Catalog entry: "hardtanh" (alias "hard_tanh"); parameters min and max.</summary>
    public static ActivationDescriptor Entry { get; } = new(
        "hardtanh",
        ["hard_tanh"],
        "clamp(x, min, max)",
        [
            new ActivationParameter("min", "lower bound", -1, -1e30, 1e30),
            new ActivationParameter("max", "upper bound (greater than min)", 1, -1e30, 1e30),
        ],
        a => new HardTanh(a[0], a[1]));

    /// <summary>Creates hard tanh clamping to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <exception cref="ArgumentException">min is not below max, or either is not finite.</exception>
    public HardTanh(double min = -1, double max = 1)
        : base(Entry, min, max)
    {
        if (!(min < max))
        {
            throw new ArgumentException($"hardtanh needs min < max; found min = {min:R}, max = {max:R}.");
        }

        Min = (float)min;
        Max = (float)max;
    }

    /// <summary>Lower bound.</summary>
    public float Min { get; }

    /// <summary>Upper bound.</summary>
    public float Max { get; }

    /// <inheritdoc/>
    public override ActivationInfo Info => new(
        Formula: $"clamp(x, {Argument(0):R}, {Argument(1):R})",
        DerivativeFormula: $"1 if {Argument(0):R} < x < {Argument(1):R}, else 0",
        OutputRange: $"[{Argument(0):R}, {Argument(1):R}]",
        OutputMin: Argument(0),
        OutputMax: Argument(1),
        ZeroCentred: Argument(0) == -Argument(1),
        Monotonic: true,
        DerivativeRange: "{0, 1}",
        DerivativeMax: 1,
        DerivativePeak: "inside (min, max)",
        Convention: "f' = 0 at the bounds and for NaN (PyTorch); NaN gives NaN",
        UsedIn: "Cheap bounded activations on low-power hardware; quantisation-friendly models.",
        WhyItWorks: "A piecewise-linear tanh: identity in the middle (unit gradient), hard saturation outside; only comparisons.",
        Limitations:
        [
            "Zero gradient outside [min, max]: saturated units stop learning (like dead ReLUs on both sides).",
            "Not differentiable at the bounds.",
        ],
        Family: ActivationFamily.Saturating,
        PyTorch: $"torch.nn.functional.hardtanh(x, min_val={Argument(0):R}, max_val={Argument(1):R})");

    /// <inheritdoc/>
    public override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    protected override void ForwardCore(ReadOnlySpan<float> x, Span<float> y) => Elementwise.Map(x, y, new Clamp(Min, Max));

    /// <inheritdoc/>
    protected override void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx) => Elementwise.Map(saved, dy, dx, new InsideBackward(Min, Max));

    /// <summary>clamp(x, min, max), keeping NaN and the sign of zero (MINPS/MAXPS return the second operand).</summary>
    internal readonly struct Clamp(float min, float max) : IUnaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T x) where T : struct, ISimd<T> => T.MinNative(T.Create(max), T.MaxNative(T.Create(min), x));
    }

    /// <summary>dy where min &lt; y &lt; max, else 0 (also for NaN).</summary>
    internal readonly struct InsideBackward(float min, float max) : IBinaryOperator
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public T Invoke<T>(T y, T dy) where T : struct, ISimd<T>
        {
            var inside = T.LessThan(T.Create(min), y) & T.LessThan(y, T.Create(max));
            return dy & inside;
        }
    }
}
