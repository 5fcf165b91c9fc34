namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// One dimension of a value in an exported graph: a fixed size, a named symbolic size (the batch "N", a
/// sequence length "T"), or unknown (a size the exporter does not track, e.g. after flattening a symbolic one).
/// </summary>
internal readonly record struct OnnxDim
{
    private OnnxDim(long size, string? symbol)
    {
        Size = size;
        Symbol = symbol;
    }

    /// <summary>The symbolic batch dimension of every exported graph.</summary>
    public static OnnxDim Batch { get; } = Named("N");

    /// <summary>An unknown size.</summary>
    public static OnnxDim Unknown { get; } = new(-1, null);

    /// <summary>The fixed size, or -1 when the dimension is symbolic or unknown.</summary>
    public long Size { get; }

    /// <summary>The symbol ("N", "T") of a symbolic dimension; null otherwise.</summary>
    public string? Symbol { get; }

    /// <summary>Whether the size is a fixed number.</summary>
    public bool IsFixed => Size >= 0;

    /// <summary>A fixed size.</summary>
    public static OnnxDim Fixed(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return new OnnxDim(size, null);
    }

    /// <summary>A symbolic size named <paramref name="symbol"/>.</summary>
    public static OnnxDim Named(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return new OnnxDim(-1, symbol);
    }

    /// <summary>"28", "N" or "?".</summary>
    public override string ToString() => IsFixed ? Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : Symbol ?? "?";
}
