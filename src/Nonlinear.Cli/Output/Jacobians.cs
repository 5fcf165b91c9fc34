using Nonlinear.Activations;

namespace Nonlinear.Cli.Output;

/// <summary>The Jacobian of one row, from the library's kernels.</summary>
internal static class Jacobians
{
    /// <summary>J[i, j] = dy_i/dx_j, row-major, for the row <paramref name="x"/>.</summary>
    public static void Compute(Activation activation, ReadOnlySpan<float> x, Span<float> jacobian)
    {
        if (activation is RowwiseActivation rowwise)
        {
            rowwise.Jacobian(x, jacobian);
            return;
        }

        // Any other activation: backward with upstream e_i gives row i, the same way the library does it.
        int n = x.Length;
        var y = new float[n];
        var e = new float[n];
        activation.Forward(x, y);
        for (int i = 0; i < n; i++)
        {
            Array.Clear(e);
            e[i] = 1;
            activation.Backward(x, y, e, jacobian.Slice(i * n, n));
        }
    }
}
