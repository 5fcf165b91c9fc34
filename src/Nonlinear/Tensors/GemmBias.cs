namespace Nonlinear.Tensors;

/// <summary>Where a bias fused into a GEMM's epilogue runs (<see cref="Gemm"/>).</summary>
internal enum GemmBias
{
    /// <summary>No bias.</summary>
    None,

    /// <summary>C[i, j] += bias[j]: one value per column (a dense layer's [batch, units] output).</summary>
    PerColumn,

    /// <summary>C[i, j] += bias[i]: one value per row (a convolution's [filters, pixels] output).</summary>
    PerRow,
}
