using System.Globalization;

namespace Nonlinear.Cli.Output;

/// <summary>
/// How the CLI writes and reads numbers: invariant culture, shortest round-trip text, and the JSON spellings
/// of non-finite values, so that output pasted back in reproduces the same float bit for bit.
/// </summary>
internal static class Numbers
{
    /// <summary>Shortest text that parses back to the same float ("0.1", "1E-07", "NaN", "-Infinity").</summary>
    public static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Shortest text that parses back to the same double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses an input value. Besides the invariant number syntax, accepts nan, inf, +inf, -inf, infinity
    /// in any case, because that is how Python and NumPy print them and users paste from there.
    /// </summary>
    public static bool TryParse(string token, out float value)
    {
        switch (token.ToUpperInvariant())
        {
            case "NAN" or "+NAN" or "-NAN":
                value = float.NaN;
                return true;
            case "INF" or "+INF" or "INFINITY" or "+INFINITY":
                value = float.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = float.NegativeInfinity;
                return true;
            default:
                return float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
