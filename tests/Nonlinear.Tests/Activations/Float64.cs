namespace Nonlinear.Tests.Activations;

/// <summary>Float64 building blocks for the reference activations (independent of the library's kernels).</summary>
internal static class Float64
{
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>e^x - 1 without cancellation (Taylor near 0, where e^x - 1 would lose digits).</summary>
    public static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    /// <summary>log(1 + t), correcting the rounding of 1 + t (Goldberg's trick).</summary>
    public static double Log1p(double t)
    {
        double u = 1 + t;
        return u == 1 ? t : Math.Log(u) * t / (u - 1);
    }

    /// <summary>ln(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    public static double NormalDensity(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>
    /// The standard normal CDF to ~1e-14 relative: erf by its positive series for |x|/sqrt2 &lt; 2, erfc by its
    /// continued fraction beyond (no cancellation in either tail).
    /// </summary>
    public static double NormalCdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        double z = Math.Abs(x) / Math.Sqrt(2);
        if (z < 2)
        {
            // erf(z) = 2/sqrt(pi) e^(-z^2) sum_n 2^n z^(2n+1) / (1*3*...*(2n+1)): all terms positive.
            double term = z, sum = z;
            for (int n = 1; n < 200 && term > 1e-18 * sum; n++)
            {
                term *= 2 * z * z / (2 * n + 1);
                sum += term;
            }

            double erf = 2 / Math.Sqrt(Math.PI) * Math.Exp(-z * z) * sum;
            return x < 0 ? 0.5 * (1 - erf) : 0.5 * (1 + erf);
        }

        // erfc(z) = e^(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))), modified Lentz.
        double f = z, c = z, d = 0;
        for (int k = 1; k < 500; k++)
        {
            double a = k / 2.0;
            d = z + a * d;
            d = 1 / d;
            c = z + a / c;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        double erfc = Math.Exp(-z * z) / Math.Sqrt(Math.PI) / f;
        return x < 0 ? 0.5 * erfc : 1 - 0.5 * erfc;
    }
}
