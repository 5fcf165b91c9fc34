namespace Nonlinear.Tests.Activations;

/// <summary>The accuracy each activation is held to, with the reason for anything looser than the default.</summary>
internal static class Tolerances
{
    /// <summary>Default: 4 float32 ulp.</summary>
    public const double DefaultUlps = 4;

    public static double Ulps(string spec) => DefaultUlps;

    /// <summary>
    /// The tolerance at a given input. GELU's tanh form computes u = sqrt(2/pi)(x + 0.044715 x^3) in float32 (a few roundings, ~4 ulp relative) and
    /// then e^(2u): the rounding of u (relative 2^-24) becomes a relative error of up to 4 |2u| 2^-24 in the result, i.e.
    /// up to 4 |2u| ulp. That only exceeds the default where |x| &gt; 3, in the left tail where f &lt; 0.004
    /// (and reaches ~150 ulp where f ~ 1e-33). PyTorch's float32 kernel has the same property.
    /// </summary>
    public static double Ulps(string spec, float x)
    {
        if (spec == "gelu:tanh" && float.IsFinite(x) && Math.Abs(x) < 200)
        {
            double twoU = 2 * Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
            return DefaultUlps + 4 * Math.Abs(twoU);
        }

        return Ulps(spec);
    }

    public static double DerivativeFloor(string spec) => spec switch
    {
        "gelu" or "gelu:tanh" or "silu" or "mish" or "hardswish" => 1.0 / (1 << 23),
        _ => Ulp.SubnormalFloor,
    };
}
