namespace Nonlinear.Layers.Recurrent;

/// <summary>
/// The last units of a cell row when H is not a multiple of the vector width: copied into zero-padded vectors, so
/// that they go through the same vector code as the others (every unit computed by the same instructions, as the
/// catalog's span loops do).
/// </summary>
internal static class CellTail
{
    /// <summary>Floats per padded stream: the widest vector (512 bits).</summary>
    public const int Width = 16;

    /// <summary>Copies units [j, H) of each of the <paramref name="gates"/> blocks of <paramref name="row"/> to <paramref name="padded"/>, block k at k * <see cref="Width"/>.</summary>
    public static void Gather(ReadOnlySpan<float> row, int gates, int j, Span<float> padded)
    {
        int hs = row.Length / gates;
        for (int k = 0; k < gates; k++)
        {
            row.Slice(k * hs + j, hs - j).CopyTo(padded.Slice(k * Width, Width));
        }
    }

    /// <summary>The inverse of <see cref="Gather"/>: writes the padded units back to units [j, H) of each block of <paramref name="row"/>.</summary>
    public static void Scatter(ReadOnlySpan<float> padded, int gates, int j, Span<float> row)
    {
        int hs = row.Length / gates;
        for (int k = 0; k < gates; k++)
        {
            padded.Slice(k * Width, hs - j).CopyTo(row.Slice(k * hs + j, hs - j));
        }
    }
}
