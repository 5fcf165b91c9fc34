namespace Nonlinear.Training;

/// <summary>
/// Training produced a non-finite loss or activation. The message names the epoch, the batch and the first layer
/// whose output went non-finite, and suggests the usual fixes.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(int epoch, int batch, int layerIndex, string layerSpec, string message)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
        LayerIndex = layerIndex;
        LayerSpec = layerSpec;
    }

    /// <summary>1-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within the epoch.</summary>
    public int Batch { get; }

    /// <summary>1-based index of the first layer whose output was not finite (0: every layer output was finite, the loss was not).</summary>
    public int LayerIndex { get; }

    /// <summary>That layer's spec ("" when <see cref="LayerIndex"/> is 0).</summary>
    public string LayerSpec { get; }
}
