using Nonlinear.Layers.Recurrent;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// Our recurrent weights (PyTorch's layout and gate order) in the layout of ONNX's RNN, LSTM and GRU operators:
/// W [1, G·H, F], R [1, G·H, H] and B [1, 2·G·H] = [Wb | Rb], one direction, the gates in ONNX's order.
/// </summary>
/// <remarks>
/// PyTorch stacks the LSTM's gates i, f, g, o and ONNX i, o, f, c (c is PyTorch's g); the GRU's r, z, n and ONNX
/// z, r, h (h is PyTorch's n, with <c>linear_before_reset = 1</c> for PyTorch's r ⊙ (W_hn h + b_hn)). The RNN has
/// one gate. The blocks of H rows are moved whole: <see cref="OnnxGateOrder"/> names, for each ONNX gate, the
/// PyTorch gate it comes from (what torch.onnx's symbolic for nn.LSTM and nn.GRU does).
/// </remarks>
internal static class RecurrentWeights
{
    /// <summary>For each ONNX gate in ONNX's order, the index of the PyTorch gate (ours) it takes.</summary>
    public static int[] OnnxGateOrder(RecurrentLayer layer) => layer switch
    {
        Lstm => [0, 3, 1, 2],   // i, o, f, c ← i, f, g, o
        Gru => [1, 0, 2],       // z, r, h ← r, z, n
        Rnn => [0],
        _ => throw new NotSupportedException($"ONNX export: no recurrent operator for '{layer.Spec}'."),
    };

    /// <summary>
    /// The rows of a [G·H, width] matrix (or a [G·H] vector with width 1) with its blocks of <paramref name="hidden"/>
    /// rows permuted by <paramref name="order"/>.
    /// </summary>
    public static float[] Reorder(ReadOnlySpan<float> source, int hidden, int width, IReadOnlyList<int> order)
    {
        int block = hidden * width;
        if (source.Length != order.Count * block)
        {
            throw new ArgumentException($"Expected {order.Count} gates of {hidden} x {width}; found {source.Length} values.", nameof(source));
        }

        var result = new float[source.Length];
        for (int gate = 0; gate < order.Count; gate++)
        {
            source.Slice(order[gate] * block, block).CopyTo(result.AsSpan(gate * block, block));
        }

        return result;
    }

    /// <summary>W, R and B of <paramref name="layer"/> in ONNX's layout and gate order (shapes in the remarks).</summary>
    public static (float[] W, float[] R, float[] B) ToOnnx(RecurrentLayer layer)
    {
        var order = OnnxGateOrder(layer);
        int h = layer.HiddenSize, f = layer.Features;
        var w = Reorder(layer.WeightIh.Value.Span, h, f, order);
        var r = Reorder(layer.WeightHh.Value.Span, h, h, order);
        var wb = Reorder(layer.BiasIh.Value.Span, h, 1, order);
        var rb = Reorder(layer.BiasHh.Value.Span, h, 1, order);
        return (w, r, [.. wb, .. rb]);
    }
}
