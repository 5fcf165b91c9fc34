namespace Nonlinear.Tensors;

/// <summary>
/// A GEMM micro-kernel: one <see cref="Rows"/> x <see cref="Cols"/> tile of C from a packed strip of A
/// (kc steps of <see cref="Rows"/> floats) and a packed strip of B (kc steps of <see cref="Cols"/> floats), the tile
/// held in registers for the whole k loop. Both strips start 16-byte aligned (the packing buffers are 64-byte aligned
/// and every strip starts at a multiple of 4 floats): the 128-bit kernel relies on it. Implemented by structs so that the blocked driver is specialised
/// (and the kernel inlined) per kernel.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the register tile (MR).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of the register tile (NR).</summary>
    static abstract int Cols { get; }

    /// <summary>Depth of a packed block (KC) for this kernel (<see cref="GemmBlocking"/>).</summary>
    static abstract int Kc { get; }

    /// <summary>Rows of a packed block of A (MC, rounded down to whole <see cref="Rows"/> strips).</summary>
    static abstract int Mc { get; }

    /// <summary>Columns of a packed panel of B (NC, rounded down to whole <see cref="Cols"/> strips).</summary>
    static abstract int Nc { get; }

    /// <summary>
    /// C[Rows, Cols] (row stride <paramref name="ldc"/>) = A-strip x B-strip, plus C's previous value when
    /// <paramref name="add"/>; then, on the last block of k only, the epilogue (bias, ReLU).
    /// </summary>
    static abstract void Run(float* a, float* b, int kc, float* c, int ldc, bool add, in GemmEpilogue epilogue);
}
