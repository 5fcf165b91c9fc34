namespace Nonlinear.Serialization.Onnx;

/// <summary>Settings of an ONNX export (<see cref="OnnxExport"/>).</summary>
/// <example><code>OnnxExport.Save("model.onnx", saved, new OnnxExportOptions { Opset = 18 });</code></example>
public sealed record OnnxExportOptions
{
    /// <summary>The operator set version written by default: 17, which ONNX Runtime 1.14 and later run.</summary>
    public const int DefaultOpset = 17;

    /// <summary>The oldest operator set the exporter can write (HardSwish appears in 14).</summary>
    public const int MinimumOpset = 14;

    /// <summary>The newest operator set the exporter writes (every operator it uses keeps its meaning up to here).</summary>
    public const int MaximumOpset = 21;

    /// <summary>
    /// The version of the default ONNX operator set the graph declares, from <see cref="MinimumOpset"/> to
    /// <see cref="MaximumOpset"/>; <see cref="DefaultOpset"/> unless set. The graph is the same for every version:
    /// only operators whose meaning did not change in that range are used.
    /// </summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>The model's producer name (ModelProto.producer_name); "Nonlinear" unless set.</summary>
    public string ProducerName { get; init; } = "Nonlinear";

    /// <summary>Free text stored as the model's doc_string; none unless set.</summary>
    public string? Description { get; init; }
}
