using Nonlinear.Activations;

namespace Nonlinear.Cli.Output;

/// <summary>
/// f and f' sampled on a grid, for the plot and for <c>explain --json</c>. A row-wise activation has no
/// scalar f, so it is sampled as the first component of the 2-class row [x, 0] and its diagonal Jacobian
/// entry: for softmax that is sigmoid(x), the binary case everybody knows.
/// </summary>
internal sealed class Curve
{
    private Curve(float[] x, float[] f, float[] df, string? note)
    {
        X = x;
        F = f;
        Df = df;
        Note = note;
    }

    public IReadOnlyList<float> X { get; }

    public IReadOnlyList<float> F { get; }

    public IReadOnlyList<float> Df { get; }

    /// <summary>What was sampled when it is not simply f(x), else null.</summary>
    public string? Note { get; }

    /// <summary><paramref name="count"/> evenly spaced points from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public static Curve Sample(Activation activation, double from, double to, int count)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var x = new float[count];
        for (int i = 0; i < count; i++)
        {
            // From integers rather than by accumulating a step, so that 0 and the ends are exact.
            x[i] = (float)(from + (to - from) * i / (count - 1));
        }

        var f = new float[count];
        var df = new float[count];
        if (!activation.IsRowWise)
        {
            var ones = Enumerable.Repeat(1f, count).ToArray();
            activation.Forward(x, f);
            activation.Backward(x, f, ones, df);
            return new Curve(x, f, df, null);
        }

        var row = new float[2];
        var y = new float[2];
        var jacobian = new float[4];
        for (int i = 0; i < count; i++)
        {
            row[0] = x[i];
            row[1] = 0;
            activation.Forward(row, y);
            Jacobians.Compute(activation, row, jacobian);
            f[i] = y[0];
            df[i] = jacobian[0];
        }

        string note = $"{activation.Name} is row-wise (each output depends on the whole row), so this is the 2-class case: "
            + $"f(x) = {activation.Name}([x, 0])[0] and f'(x) = dy_0/dx_0.";
        return new Curve(x, f, df, note);
    }
}
