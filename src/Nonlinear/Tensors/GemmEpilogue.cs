namespace Nonlinear.Tensors;

/// <summary>
/// What a micro-kernel does to its tile after the last block of k, while the tile is still in registers:
/// add a bias (one value per column or per row, already offset to the tile) and optionally clamp at zero (ReLU).
/// </summary>
internal readonly unsafe struct GemmEpilogue
{
    /// <summary>Bias at the tile's first column (<see cref="PerRow"/> false) or first row (true); null for none.</summary>
    public readonly float* Bias;

    /// <summary>Whether the bias runs down the rows (C[i, j] += bias[i], conv output) rather than across the columns (dense).</summary>
    public readonly bool PerRow;

    /// <summary>Whether max(0, x) follows.</summary>
    public readonly bool ClampAtZero;

    public GemmEpilogue(float* bias, bool perRow, bool relu)
    {
        Bias = bias;
        PerRow = perRow;
        ClampAtZero = relu;
    }

    /// <summary>Whether there is anything to do.</summary>
    public bool Any => Bias != null || ClampAtZero;

    /// <summary>max(0, x), exactly as MAXPS(0, x) in the kernels and the relu activation: NaN propagates, -0 stays -0.</summary>
    /// <remarks>
    /// On x86 MAXSS itself (no branch: on a partial tile's outputs, half of them negative, a compare-and-branch
    /// mispredicted often enough to make a fused conv + relu slower than the two passes); elsewhere the same select.
    /// </remarks>
    public static float Relu(float x) => System.Runtime.Intrinsics.X86.Sse.IsSupported
        ? System.Runtime.Intrinsics.Vector128.ToScalar(System.Runtime.Intrinsics.X86.Sse.MaxScalar(System.Runtime.Intrinsics.Vector128<float>.Zero, System.Runtime.Intrinsics.Vector128.CreateScalarUnsafe(x)))
        : 0f > x ? 0f : x;

    /// <summary>The same epilogue for the tile at (row, col) of the block this one describes.</summary>
    public GemmEpilogue At(int row, int col) => Bias == null ? this : new GemmEpilogue(Bias + (PerRow ? row : col), PerRow, ClampAtZero);

    /// <summary>
    /// C[h, w] = tile (+ C when <paramref name="add"/>), then this epilogue: the valid part of a partial tile, which a
    /// micro-kernel computed into a scratch tile (row stride <paramref name="ldt"/>).
    /// </summary>
    public void Merge(float* tile, int ldt, float* c, int ldc, int h, int w, bool add)
    {
        for (int r = 0; r < h; r++)
        {
            float* t = tile + r * ldt;
            float* cr = c + (long)r * ldc;
            for (int j = 0; j < w; j++)
            {
                float v = add ? t[j] + cr[j] : t[j];
                if (Bias != null)
                {
                    v += Bias[PerRow ? r : j];
                }

                if (ClampAtZero)
                {
                    v = Relu(v);
                }

                cr[j] = v;
            }
        }
    }
}
