namespace Nonlinear.Tests.Activations;

/// <summary>The accuracy each activation is held to, with the reason for anything looser than the default.</summary>
internal static class Tolerances
{
    /// <summary>Default: 4 float32 ulp.</summary>
    public const double DefaultUlps = 4;

    /// <summary>Every activation meets the default; a looser bound would be added here, with its reason.</summary>
    public static double Ulps(string spec) => DefaultUlps;

    /// <summary>
    /// Absolute floor for derivatives: derivatives that cross zero away from x = 0 (GELU, SiLU, Mish, hard swish)
    /// are differences of O(1) terms there, so relative accuracy is impossible at the crossing; one ulp of 1.
    /// </summary>
    public static double DerivativeFloor(string spec) => spec switch
    {
        "gelu" or "gelu:tanh" or "silu" or "mish" or "hardswish" => 1.0 / (1 << 23),
        _ => Ulp.SubnormalFloor,
    };
}
