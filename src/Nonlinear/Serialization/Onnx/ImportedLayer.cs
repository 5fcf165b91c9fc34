namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// One layer recognised in an ONNX graph: its spec token, and the values of its parameters and state in the order the
/// built layer lists them (empty for layers without weights); <see cref="Source"/> is the node it came from.
/// </summary>
internal sealed record ImportedLayer(string Spec, IReadOnlyList<float[]> Parameters, IReadOnlyList<float[]> State, string Source);
