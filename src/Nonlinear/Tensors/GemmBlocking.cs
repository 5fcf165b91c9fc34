namespace Nonlinear.Tensors;

/// <summary>
/// Block sizes of the blocked GEMM, per micro-kernel width, chosen for this machine class (Zen 5: 48 KB L1d, 1 MB L2
/// per core, 32 MB shared L3) and settable so that the benchmark can sweep them and the tests can shrink them.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>
    /// Depth of a packed block (KC) for the 512- and 256-bit kernels: a KC x NR strip of B (KC * 128 bytes for NR = 32)
    /// stays in L1.
    /// </summary>
    public static int Kc { get; set; } = 256;

    /// <summary>Rows of a packed block of A (MC, rounded down to whole MR strips) for the wide kernels: MC x KC floats stay in L2.</summary>
    public static int Mc { get; set; } = 192;

    /// <summary>Columns of a packed panel of B (NC, rounded down to whole NR strips) for the wide kernels: KC x NC floats stay in L3.</summary>
    public static int Nc { get; set; } = 4096;

    /// <summary>KC of the 128-bit kernel (4 x 12 tile): a KC x 12 strip of B (48 bytes per step) and the 4-row strip of A stay in L1.</summary>
    public static int Kc128 { get; set; } = 256;

    /// <summary>MC of the 128-bit kernel (rounded down to whole 4-row strips): MC x KC floats of packed A stay in L2.</summary>
    public static int Mc128 { get; set; } = 192;

    /// <summary>NC of the 128-bit kernel (rounded down to whole 12-column strips): KC x NC floats of packed B stay in L3.</summary>
    public static int Nc128 { get; set; } = 4096;
}
