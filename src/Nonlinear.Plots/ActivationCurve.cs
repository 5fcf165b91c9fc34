using Nonlinear.Activations;

namespace Nonlinear.Plots;

/// <summary>
/// An activation's value and derivative sampled on a grid, computed with the library's own
/// <see cref="Activation.Forward(ReadOnlySpan{float}, Span{float}, int)"/> and
/// <see cref="Activation.Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/>
/// (derivative = backward with dy = 1), so the chart shows what training uses, float32 included.
/// </summary>
/// <remarks>
/// Row-wise activations (softmax, log-softmax) have no scalar f(x). For them the curve is the first output of the
/// 2-element row [x, 0] (softmax gives the logistic sigmoid of x) and the derivative is the Jacobian's diagonal
/// entry ∂y₀/∂x₀, from backward with dy = [1, 0]; <see cref="IsRowWise"/> is then true and the label says so.
/// </remarks>
/// <param name="Activation">The activation sampled.</param>
/// <param name="X">The inputs, evenly spaced (as float32, the values actually evaluated).</param>
/// <param name="Value">f(x) at each input.</param>
/// <param name="Derivative">f'(x) at each input.</param>
public sealed record ActivationCurve(Activation Activation, IReadOnlyList<double> X, IReadOnlyList<double> Value, IReadOnlyList<double> Derivative)
{
    /// <summary>The default number of samples: 0.02 apart over [-6, 6], enough for kinks to look sharp.</summary>
    public const int DefaultPoints = 601;

    /// <summary>True when the activation is row-wise and the curve is its value on the row [x, 0] (see remarks).</summary>
    public bool IsRowWise => Activation.IsRowWise;

    /// <summary>Legend text for f: the spec, e.g. "leaky_relu:0.1", or "softmax([x, 0])₀" for a row-wise activation.</summary>
    public string ValueLabel => IsRowWise ? $"{Activation.Spec}([x, 0])₀" : Activation.Spec;

    /// <summary>Legend text for f': the spec with a prime, or "∂/∂x₀ softmax([x, 0])₀" for a row-wise activation.</summary>
    public string DerivativeLabel => IsRowWise ? $"∂/∂x₀ {ValueLabel}" : $"{Activation.Spec}'";

    /// <summary>Samples <paramref name="activation"/> at <paramref name="points"/> evenly spaced inputs over [<paramref name="low"/>, <paramref name="high"/>].</summary>
    /// <exception cref="ArgumentException">The range is not finite or not increasing, or fewer than 2 (or more than 100 000) points.</exception>
    public static ActivationCurve Compute(Activation activation, double low = -6, double high = 6, int points = DefaultPoints)
    {
        ArgumentNullException.ThrowIfNull(activation);
        CheckRange(low, high);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, 100_000);

        var x = new float[points];
        for (int i = 0; i < points; i++)
        {
            x[i] = (float)(low + ((high - low) * i / (points - 1)));
        }

        var value = new double[points];
        var derivative = new double[points];
        if (!activation.IsRowWise)
        {
            var y = new float[points];
            var dy = new float[points];
            var dx = new float[points];
            activation.Forward(x, y);
            dy.AsSpan().Fill(1f);
            activation.Backward(x, y, dy, dx);
            for (int i = 0; i < points; i++)
            {
                value[i] = y[i];
                derivative[i] = dx[i];
            }
        }
        else
        {
            // One row [x, 0] per sample; dy = [1, 0] makes backward return the Jacobian's first row (Jᵀ dy for the
            // symmetric softmax Jacobian; for log-softmax entry 0 is still ∂y₀/∂x₀), whose first entry is the diagonal.
            var rows = new float[2 * points];
            var y = new float[2 * points];
            var dy = new float[2 * points];
            var dx = new float[2 * points];
            for (int i = 0; i < points; i++)
            {
                rows[2 * i] = x[i];
                dy[2 * i] = 1f;
            }

            activation.Forward(rows, y, 2);
            activation.Backward(rows, y, dy, dx, 2);
            for (int i = 0; i < points; i++)
            {
                value[i] = y[2 * i];
                derivative[i] = dx[2 * i];
            }
        }

        return new ActivationCurve(activation, x.Select(v => (double)v).ToArray(), value, derivative);
    }

    internal static void CheckRange(double low, double high)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high) || low >= high)
        {
            throw new ArgumentException($"The range must be finite with low < high; got [{low}, {high}].", nameof(low));
        }
    }
}
