using Nonlinear.Layers;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// batchnorm → BatchNormalization in inference mode: scale γ, bias β, the running mean and variance, epsilon 1e-5.
/// The channel is the first per-sample dimension ([N, C, ...] or [N, F]), as ours.
/// </summary>
internal sealed class BatchNormEmitter : ILayerEmitter
{
    public Type LayerType => typeof(BatchNorm);

    public void Emit(OnnxGraphBuilder graph, Layer layer, int index)
    {
        var norm = (BatchNorm)layer;
        var gamma = graph.AddParameter(index, norm.Gamma);
        var beta = graph.AddParameter(index, norm.Beta);
        var mean = graph.AddState(index, norm.State[0]);
        var variance = graph.AddState(index, norm.State[1]);
        graph.Apply("BatchNormalization", [gamma, beta, mean, variance], OnnxGraphBuilder.Attribute("epsilon", BatchNorm.Epsilon));
    }
}
