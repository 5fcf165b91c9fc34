using Nonlinear.Activations;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The activation widget's numbers: f(x) and f′(x) from the engine's float32 kernels and their float64 reference,
/// whether x sits where the unit saturates, the largest f′ over the plotted range, and slider ranges for the
/// activation's parameters. (The curves themselves come from GET /api/activations/curve.)
/// </summary>
internal static class ActivationWidget
{
    /// <summary>|f′(x)| below this is "saturated": almost no gradient passes the unit.</summary>
    public const double SaturationThreshold = 0.01;

    /// <summary>Points sampled to find the largest f′ over the range (the curve endpoint's finest grid).</summary>
    private const int Samples = 1201;

    public static object Answer(ActivationWidgetRequest body)
    {
        var activation = WidgetInput.Elementwise(body.Spec, "spec", "sigmoid", "one input has no single derivative (see the softmax widget)");
        double x = WidgetInput.Number(body.X, "x", 1000);
        double from = WidgetInput.Number(body.From, "from", 1000, -6), to = WidgetInput.Number(body.To, "to", 1000, 6);
        if (!(from < to))
        {
            throw WebRequestException.BadRequest($"from = {WidgetInput.Format(from)} and to = {WidgetInput.Format(to)}: expected from < to.");
        }

        float xf = (float)x;
        float value = activation.Value(xf), derivative = activation.Derivative(xf);
        var reference = ActivationReference.At(activation, xf);
        var (peakX, peak) = LargestDerivative(activation, from, to);
        var info = activation.Info;
        return new
        {
            spec = activation.Spec,
            name = activation.Name,
            x = xf,
            value,
            derivative,
            reference = reference is { } r ? new { value = r.Value, derivative = r.Derivative } : null,
            saturated = Math.Abs(derivative) < SaturationThreshold,
            saturationThreshold = SaturationThreshold,
            range = new[] { from, to },
            derivativeMax = new { x = peakX, value = peak, where = info.DerivativePeak },
            formula = info.Formula,
            derivativeFormula = info.DerivativeFormula,
            parameters = Sliders(activation),
        };
    }

    /// <summary>The largest f′ on the grid over [from, to] (the first x where it is reached) through the engine's span kernels.</summary>
    private static (float X, float Value) LargestDerivative(ElementwiseActivation activation, double from, double to)
    {
        var x = new float[Samples];
        for (int i = 0; i < Samples; i++)
        {
            x[i] = (float)(from + (to - from) * i / (Samples - 1));
        }

        var y = new float[Samples];
        var ones = new float[Samples];
        var dy = new float[Samples];
        Array.Fill(ones, 1f);
        activation.Forward(x, y);
        activation.Backward(x, y, ones, dy);
        int best = 0;
        for (int i = 1; i < Samples; i++)
        {
            if (dy[i] > dy[best])
            {
                best = i;
            }
        }

        return (x[best], dy[best]);
    }

    /// <summary>
    /// A slider per parameter: its current value and a range that shows what the parameter does (the catalog's valid
    /// range, narrowed where it is unbounded or huge); a choice parameter lists its words instead.
    /// </summary>
    private static object[] Sliders(Activation activation)
    {
        var values = activation.Parameters;
        return
        [
            .. activation.Descriptor.Parameters.Select(p =>
            {
                double value = values[p.Name];
                if (p.Choices is not null)
                {
                    return (object)new { name = p.Name, description = p.Description, value = p.Choices[(int)value], choices = p.Choices };
                }

                var (min, max, step) = (activation.Name, p.Name) switch
                {
                    ("leaky_relu", "alpha") => (0.0, 0.5, 0.01),
                    ("elu", "alpha") => (0.0, 3.0, 0.05),
                    ("softplus", "beta") => (0.1, 10.0, 0.1),
                    ("softplus", "threshold") => (1.0, 40.0, 1.0),
                    ("hardtanh", _) => (-3.0, 3.0, 0.1),
                    _ => (Math.Max(p.Minimum, p.Default - 5), Math.Min(p.Maximum, p.Default + 5), 0.01),
                };
                return new { name = p.Name, description = p.Description, value, min = Math.Min(min, value), max = Math.Max(max, value), step };
            }),
        ];
    }
}
