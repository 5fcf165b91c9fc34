using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// dense → Gemm(x, W, b, transB = 1) for [N, F] inputs; for inputs of higher rank ([N, T, F], applied at each
/// step) MatMul(x, Transpose(W)) + b. W is stored as ours, [units, inputs] (PyTorch's layout).
/// </summary>
internal sealed class DenseEmitter : ILayerEmitter
{
    public Type LayerType => typeof(Dense);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var dense = (Dense)layer;
        var weight = graph.AddParameter(index, dense.Weight);
        var bias = graph.AddParameter(index, dense.Bias);
        IReadOnlyList<OnnxDim> shape = [.. graph.CurrentShape.Take(graph.CurrentShape.Count - 1), OnnxDim.Fixed(dense.Units)];
        if (graph.CurrentShape.Count == 2)
        {
            graph.SetCurrent(graph.AddNode("Gemm", [graph.Current, weight, bias], OnnxGraphBuilder.Attribute("transB", 1L)), shape);
            return;
        }

        var transposed = graph.AddNode("Transpose", [weight], OnnxGraphBuilder.Attribute("perm", 1L, 0L));
        var product = graph.AddNode("MatMul", [graph.Current, transposed]);
        graph.SetCurrent(graph.AddNode("Add", [product, bias]), shape);
    }
}
