namespace Nonlinear.Tensors;

/// <summary>
/// Block sizes of the blocked GEMM, chosen for this machine class (Zen 5: 48 KB L1d, 1 MB L2 per core, 32 MB
/// shared L3) and settable so that the benchmark can sweep them.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>Depth of a packed block (KC): a KC x NR strip of B (KC * 128 bytes for NR = 32) stays in L1.</summary>
    public static int Kc { get; set; } = 256;

    /// <summary>Rows of a packed block of A (MC, rounded down to whole MR strips): MC x KC floats stay in L2.</summary>
    public static int Mc { get; set; } = 192;

    /// <summary>Columns of a packed panel of B (NC, rounded down to whole NR strips): KC x NC floats stay in L3.</summary>
    public static int Nc { get; set; } = 4096;
}
