using Nonlinear.Activations;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// f and f′ in float64, written from the formulas, for the activation widget to show next to the engine's float32
/// kernels: the learner sees how close the fast kernel is to the exact value. Conventions at kinks follow PyTorch
/// (relu′(0) = 0, leaky_relu′(0) = alpha), as the engine does. Activations without a closed form here (exact GELU
/// needs erf) have none; the widget then shows the engine's numbers alone.
/// </summary>
internal static class ActivationReference
{
    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;

    /// <summary>(f(x), f′(x)) in float64, or null when there is no reference for this activation.</summary>
    public static (double Value, double Derivative)? At(Activation activation, double x)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var p = activation.Parameters;
        switch (activation.Name)
        {
            case "identity":
                return (x, 1);
            case "sigmoid":
                return (Sigmoid(x), Sigmoid(x) * Sigmoid(-x));
            case "tanh":
                double t = Math.Tanh(x);
                return (t, 1 - t * t);
            case "relu":
                return (x > 0 ? x : 0, x > 0 ? 1 : 0);
            case "leaky_relu":
                double a = p["alpha"];
                return (x > 0 ? x : a * x, x > 0 ? 1 : a);
            case "elu":
                double e = p["alpha"];
                return (x > 0 ? x : e * Expm1(x), x > 0 ? 1 : e * Math.Exp(x));
            case "selu":
                return (SeluScale * (x > 0 ? x : SeluAlpha * Expm1(x)), x > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x));
            case "silu":
                return (x * Sigmoid(x), Sigmoid(x) * (1 + x * Sigmoid(-x)));
            case "softplus":
                double beta = p["beta"], threshold = p["threshold"];
                return beta * x > threshold ? (x, 1) : (Softplus(beta * x) / beta, Sigmoid(beta * x));
            case "softsign":
                double d = 1 + Math.Abs(x);
                return (x / d, 1 / (d * d));
            case "hardsigmoid":
                return (Math.Clamp(x + 3, 0, 6) / 6, x > -3 && x < 3 ? 1.0 / 6 : 0);
            case "hardswish":
                return (x < -3 ? 0 : x * Math.Clamp(x + 3, 0, 6) / 6, x < -3 ? 0 : x < 3 ? (2 * x + 3) / 6 : 1);
            case "relu6":
                return (Math.Clamp(x, 0, 6), x > 0 && x < 6 ? 1 : 0);
            case "hardtanh":
                double lo = p["min"], hi = p["max"];
                return (Math.Clamp(x, lo, hi), x > lo && x < hi ? 1 : 0);
            case "log_sigmoid":
                return (Math.Min(x, 0) - Math.Log(1 + Math.Exp(-Math.Abs(x))), Sigmoid(-x));
            case "mish":
                double s = Math.Tanh(Softplus(x));
                return (x * s, s + x * Sigmoid(x) * (1 - s * s));
            case "sin":
                return (Math.Sin(x), Math.Cos(x));
            case "gaussian":
                return (Math.Exp(-x * x), -2 * x * Math.Exp(-x * x));
            case "step":
                return (x > 0 ? 1 : 0, 0);
            case "gelu" when p["approximate"] == 1:
                double u = Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
                double g = Sigmoid(2 * u);
                return (x * g, g + x * g * Sigmoid(-2 * u) * 2 * Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x));
            default:
                return null;
        }
    }

    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    // e^x - 1 loses its digits near 0 when written as such; the series is exact there.
    private static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
