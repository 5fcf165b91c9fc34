using System.Globalization;
using System.Text;

namespace Nonlinear.Diagnostics;

/// <summary>y = W x + b, in float64: what a stretch of linear layers computes, collapsed into one map.</summary>
/// <remarks>Shapes: W [outputs, inputs], b [outputs]; batch-first inputs [N, inputs].</remarks>
public sealed class AffineMap
{
    /// <summary>Creates the map (arrays are kept, not copied).</summary>
    public AffineMap(double[,] weight, double[] bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (weight.GetLength(0) != bias.Length)
        {
            throw new ArgumentException($"W has {weight.GetLength(0)} rows but b has {bias.Length} entries.", nameof(bias));
        }

        Weight = weight;
        Bias = bias;
    }

    /// <summary>W [outputs, inputs].</summary>
    public double[,] Weight { get; }

    /// <summary>b [outputs].</summary>
    public double[] Bias { get; }

    /// <summary>Number of inputs.</summary>
    public int Inputs => Weight.GetLength(1);

    /// <summary>Number of outputs.</summary>
    public int Outputs => Weight.GetLength(0);

    /// <summary>The identity map on <paramref name="size"/> inputs.</summary>
    public static AffineMap Identity(int size)
    {
        var w = new double[size, size];
        for (int i = 0; i < size; i++)
        {
            w[i, i] = 1;
        }

        return new AffineMap(w, new double[size]);
    }

    /// <summary>The composition: first this map, then <c>W2 y + b2</c> (W2 [outputs2, Outputs]).</summary>
    public AffineMap Then(ReadOnlySpan<float> w2, ReadOnlySpan<float> b2, int outputs2)
    {
        if (w2.Length != outputs2 * Outputs || b2.Length != outputs2)
        {
            throw new ArgumentException($"The next layer must be [{outputs2}, {Outputs}] with {outputs2} biases; found {w2.Length} weights and {b2.Length} biases.");
        }

        var w = new double[outputs2, Inputs];
        var b = new double[outputs2];
        for (int r = 0; r < outputs2; r++)
        {
            double bias = b2[r];
            for (int k = 0; k < Outputs; k++)
            {
                double wk = w2[r * Outputs + k];
                bias += wk * Bias[k];
                for (int c = 0; c < Inputs; c++)
                {
                    w[r, c] += wk * Weight[k, c];
                }
            }

            b[r] = bias;
        }

        return new AffineMap(w, b);
    }

    /// <summary>y = W x + b for one sample.</summary>
    public double[] Apply(ReadOnlySpan<float> x)
    {
        if (x.Length != Inputs)
        {
            throw new ArgumentException($"The map takes {Inputs} inputs; {x.Length} given.", nameof(x));
        }

        var y = new double[Outputs];
        for (int r = 0; r < Outputs; r++)
        {
            double s = Bias[r];
            for (int c = 0; c < Inputs; c++)
            {
                s += Weight[r, c] * x[c];
            }

            y[r] = s;
        }

        return y;
    }

    /// <summary>
    /// The map as equations, one per output: "y = W0 + W1·x1 + W2·x2" for a single output, "y1 = ..." otherwise,
    /// with <paramref name="digits"/> significant digits.
    /// </summary>
    public string Format(int digits = 6)
    {
        var sb = new StringBuilder();
        for (int r = 0; r < Outputs; r++)
        {
            sb.Append(Outputs == 1 ? "y = " : $"y{r + 1} = ");
            sb.Append(Number(Bias[r], digits));
            for (int c = 0; c < Inputs; c++)
            {
                double w = Weight[r, c];
                sb.Append(w < 0 ? " - " : " + ").Append(Number(Math.Abs(w), digits)).Append("·x").Append(c + 1);
            }

            if (r + 1 < Outputs)
            {
                sb.AppendLine();
            }
        }

        return sb.ToString();
    }

    private static string Number(double v, int digits) => v.ToString("G" + digits, CultureInfo.InvariantCulture);
}
