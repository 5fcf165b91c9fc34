namespace Nonlinear.Activations;

/// <summary>
/// An activation over rows (softmax, log-softmax): each output depends on the whole row, so the derivative
/// is a Jacobian. Stable by construction (the row maximum is subtracted before exponentiating).
/// </summary>
public abstract class RowwiseActivation : Activation
{
    /// <summary>Creates a row-wise activation.</summary>
    protected RowwiseActivation(ActivationDescriptor descriptor, params double[] arguments)
        : base(descriptor, arguments)
    {
    }

    /// <inheritdoc/>
    public sealed override bool IsRowWise => true;

    /// <inheritdoc/>
    public sealed override BackwardSource BackwardSource => BackwardSource.Output;

    /// <inheritdoc/>
    public sealed override void Forward(ReadOnlySpan<float> x, Span<float> y, int rowLength)
    {
        CheckLengths(x.Length, y.Length, rowLength);
        if (x.Length > 0)
        {
            ForwardRows(x, y, rowLength);
        }
    }

    /// <inheritdoc/>
    public sealed override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength)
    {
        CheckLengths(y.Length, dy.Length, rowLength, "y", "dy");
        CheckLengths(dy.Length, dx.Length, rowLength, "dy", "dx");
        if (dy.Length > 0)
        {
            BackwardRows(y, dy, dx, rowLength);
        }
    }

    /// <summary>
    /// The full Jacobian J[i, j] = d y_i / d x_j of one row, row-major into <paramref name="jacobian"/>
    /// (length n*n), computed with the same backward kernel (row i is the gradient for upstream e_i).
    /// </summary>
    public void Jacobian(ReadOnlySpan<float> x, Span<float> jacobian)
    {
        int n = x.Length;
        if (jacobian.Length != n * n)
        {
            throw new ArgumentException($"The Jacobian of a row of {n} needs {n * n} elements; {jacobian.Length} given.", nameof(jacobian));
        }

        var y = new float[n];
        var e = new float[n];
        Forward(x, y, n);
        for (int i = 0; i < n; i++)
        {
            Array.Clear(e);
            e[i] = 1;
            Backward(x, y, e, jacobian.Slice(i * n, n), n);
        }
    }

    /// <summary>y = f(x) row by row; lengths checked, at least one row.</summary>
    protected abstract void ForwardRows(ReadOnlySpan<float> x, Span<float> y, int rowLength);

    /// <summary>dx from the output y and dy, row by row; lengths checked, at least one row.</summary>
    protected abstract void BackwardRows(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength);
}
