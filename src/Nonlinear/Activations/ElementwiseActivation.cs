namespace Nonlinear.Activations;

/// <summary>An activation applied to each element independently: y_i = f(x_i), dx_i = f'(x_i) dy_i.</summary>
public abstract class ElementwiseActivation : Activation
{
    /// <summary>Creates an elementwise activation with one value per parameter of <paramref name="descriptor"/>.</summary>
    protected ElementwiseActivation(ActivationDescriptor descriptor, params double[] arguments)
        : base(descriptor, arguments)
    {
    }

    /// <inheritdoc/>
    public sealed override bool IsRowWise => false;

    /// <inheritdoc/>
    public sealed override void Forward(ReadOnlySpan<float> x, Span<float> y, int rowLength)
    {
        CheckLengths(x.Length, y.Length, Math.Max(1, x.Length)); // elementwise: rows do not matter
        ForwardCore(x, y);
    }

    /// <inheritdoc/>
    public sealed override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength)
    {
        bool fromInput = BackwardSource == BackwardSource.Input;
        var saved = fromInput ? x : y;
        CheckLengths(saved.Length, dy.Length, Math.Max(1, dy.Length), fromInput ? "x" : "y", "dy");
        CheckLengths(dy.Length, dx.Length, Math.Max(1, dy.Length), "dy", "dx");
        BackwardCore(saved, dy, dx);
    }

    /// <summary>f(x) for one value (same kernel as the spans).</summary>
    public float Value(float x)
    {
        float y = 0;
        ForwardCore(new ReadOnlySpan<float>(in x), new Span<float>(ref y));
        return y;
    }

    /// <summary>f'(x) for one value (same kernel as the spans).</summary>
    public float Derivative(float x)
    {
        float saved = BackwardSource == BackwardSource.Input ? x : Value(x), one = 1, dx = 0;
        BackwardCore(new ReadOnlySpan<float>(in saved), new ReadOnlySpan<float>(in one), new Span<float>(ref dx));
        return dx;
    }

    /// <summary>y = f(x); lengths are already checked equal.</summary>
    protected abstract void ForwardCore(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>dx = f'(.) dy from the saved input or output (see <see cref="Activation.BackwardSource"/>); lengths checked.</summary>
    protected abstract void BackwardCore(ReadOnlySpan<float> saved, ReadOnlySpan<float> dy, Span<float> dx);
}
