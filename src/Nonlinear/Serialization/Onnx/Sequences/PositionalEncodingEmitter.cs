using Nonlinear.Layers;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// positions → Add of the position table P [T, D], broadcast over the batch: learned, the parameter ("3.weight");
/// sinusoidal, our float64-computed table rounded to float32, as a constant ("3.positions"). When the graph's T
/// is symbolic the table is sliced to the input's T, so sequences up to the built length run.
/// </summary>
internal sealed class PositionalEncodingEmitter : ILayerEmitter
{
    public Type LayerType => typeof(PositionalEncoding);

    public (TensorProto.Types.DataType ElementType, IReadOnlyList<OnnxDim> Shape) Input(Layer layer) => SequenceOps.SequenceInput(layer);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var positions = (PositionalEncoding)layer;
        var table = positions.Parameters.Count == 1
            ? graph.AddParameter(index, positions.Parameters[0])
            : graph.AddInitializer($"{index}.positions", positions.Positions);
        var x = graph.Current;
        var sliced = SequenceOps.FirstSteps(graph, table, positions.InputShape[0], x, graph.CurrentShape[1]);
        graph.SetCurrent(graph.AddNode("Add", [x, sliced]));
    }
}
