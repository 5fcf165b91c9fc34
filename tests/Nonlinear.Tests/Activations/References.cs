namespace Nonlinear.Tests.Activations;

/// <summary>A float64 reference: f and f' (PyTorch's conventions at kinks and NaN, limits at ±inf).</summary>
internal sealed record Reference(string Spec, Func<double, double> F, Func<double, double> Df);

/// <summary>
/// Float64 references for every elementwise activation spec the tests exercise. Adding an activation means
/// adding its reference here; <see cref="For"/> fails for a registered activation that has none.
/// </summary>
internal static class References
{
    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;

    public static readonly IReadOnlyList<Reference> All =
    [
        new("identity", x => x, _ => 1),
        new("sigmoid", Float64.Sigmoid, x => double.IsNaN(x) ? x : Float64.Sigmoid(x) * Float64.Sigmoid(-x)),
        new("tanh", Math.Tanh, x =>
        {
            double q = Math.Exp(-2 * Math.Abs(x));
            return 4 * q / ((1 + q) * (1 + q));
        }),
        new("relu", x => x > 0 ? x : double.IsNaN(x) ? x : 0, x => x > 0 || double.IsNaN(x) ? 1 : 0),
        LeakyRelu(0.01),
        LeakyRelu(0.1),
        LeakyRelu(0.3),
        Elu(1),
        Elu(0.5),
        new("selu", x => SeluScale * (x > 0 ? x : SeluAlpha * Float64.Expm1(x)), x => double.IsNaN(x) ? x : x > 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x)),
        new("gelu", x => double.IsInfinity(x) ? Math.Max(x, 0) : x * Float64.NormalCdf(x), x =>
            double.IsNaN(x) ? x : double.IsInfinity(x) ? (x > 0 ? 1 : 0) : Float64.NormalCdf(x) + x * Float64.NormalDensity(x)),
        new("gelu:tanh", GeluTanh, GeluTanhDerivative),
        new("silu", x => double.IsNegativeInfinity(x) ? 0 : x * Float64.Sigmoid(x), x =>
            double.IsNaN(x) ? x : double.IsInfinity(x) ? (x > 0 ? 1 : 0) : Float64.Sigmoid(x) * (1 + x * Float64.Sigmoid(-x))),
        new("mish", Mish, MishDerivative),
        Softplus(1, 20),
        Softplus(2, 20),
        Softplus(0.5, 5),
        new("softsign", x => double.IsInfinity(x) ? Math.Sign(x) : x / (1 + Math.Abs(x)), x => 1 / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)))),
        new("hardsigmoid", x => double.IsNaN(x) ? x : Math.Clamp(x + 3, 0, 6) / 6, x => x > -3 && x < 3 ? 1.0 / 6 : 0),
        new("hardswish", x => double.IsNaN(x) ? x : x < -3 ? 0 : x * Math.Clamp(x + 3, 0, 6) / 6, x =>
            double.IsNaN(x) ? x : x < -3 ? 0 : x < 3 ? (2 * x + 3) / 6 : 1),
        new("relu6", x => double.IsNaN(x) ? x : Math.Clamp(x, 0, 6), x => x > 0 && x < 6 ? 1 : 0),
        HardTanh(-1, 1),
        HardTanh(-2, 0.5),
        new("log_sigmoid", x => double.IsNaN(x) ? x : Math.Min(x, 0) - Float64.Log1p(Math.Exp(-Math.Abs(x))), x => Float64.Sigmoid(-x)),

        // Math.Sin and Math.Cos reduce every argument exactly (the C runtime's Payne-Hanek), also 3.4e38.
        new("sin", Math.Sin, Math.Cos),

        // x * x in float64 is exact for a float32 x, so e^(-x^2) is correctly rounded but for exp's own error.
        new("gaussian", x => Math.Exp(-x * x), x => double.IsInfinity(x) ? 0 : -2 * x * Math.Exp(-x * x)),
        new("step", x => double.IsNaN(x) ? x : x > 0 ? 1 : 0, x => double.IsNaN(x) ? x : 0),
    ];

    public static Reference For(string spec)
        => All.FirstOrDefault(r => r.Spec == spec) ?? throw new InvalidOperationException($"No float64 reference for '{spec}': add one to References.All.");

    private static Reference LeakyRelu(double a)
        => new(a == 0.01 ? "leaky_relu" : $"leaky_relu:{a:R}", x => x > 0 ? x : a * x, x => x > 0 ? 1 : a);

    private static Reference Elu(double a)
        => new(a == 1 ? "elu" : $"elu:{a:R}", x => x > 0 ? x : a * Float64.Expm1(x), x => double.IsNaN(x) ? x : x > 0 ? 1 : a * Math.Exp(x));

    private static Reference HardTanh(double lo, double hi)
        => new(lo == -1 && hi == 1 ? "hardtanh" : $"hardtanh:min={lo:R}:max={hi:R}", x => double.IsNaN(x) ? x : Math.Clamp(x, lo, hi), x => x > lo && x < hi ? 1 : 0);

    private static Reference Softplus(double beta, double threshold)
    {
        string spec = (beta, threshold) switch
        {
            (1, 20) => "softplus",
            (_, 20) => $"softplus:beta={beta:R}",
            _ => $"softplus:beta={beta:R}:threshold={threshold:R}",
        };
        return new(spec,
            x => beta * x > threshold ? x : Float64.Softplus(beta * x) / beta,
            x => double.IsNaN(x) ? x : beta * x > threshold ? 1 : Float64.Sigmoid(beta * x));
    }

    private static double GeluU(double x) => Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);

    private static double GeluTanh(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        // 0.5 x (1 + tanh u) = x sigmoid(2u); beyond |x| = 100 the gate is exactly 0 or 1 in float64.
        return Math.Abs(x) > 100 ? (x > 0 ? x : 0) : x * Float64.Sigmoid(2 * GeluU(x));
    }

    private static double GeluTanhDerivative(double x)
    {
        if (double.IsNaN(x) || Math.Abs(x) > 100)
        {
            return double.IsNaN(x) ? x : x > 0 ? 1 : 0;
        }

        double s = Float64.Sigmoid(2 * GeluU(x)), sm = Float64.Sigmoid(-2 * GeluU(x));
        return s + x * s * sm * 2 * Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
    }

    private static double Mish(double x) => double.IsNaN(x) ? x : double.IsNegativeInfinity(x) ? 0 : x * Math.Tanh(Float64.Softplus(x));

    private static double MishDerivative(double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
        {
            return double.IsNaN(x) ? x : x > 0 ? 1 : 0;
        }

        double t = Math.Tanh(Float64.Softplus(x));
        double sech2 = x > 20 ? 0 : 1 - t * t;
        return t + x * Float64.Sigmoid(x) * sech2;
    }
}
