using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;
using static Nonlinear.Tests.Serialization.Onnx.SequenceOnnxHarness;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// Each sequence layer exported to ONNX and run in ONNX Runtime 1.31.1 matches <c>SavedModel.Predict</c> within
/// 1e-5, on seeded random weights and inputs (token ids with trailing padding for the embedding).
/// </summary>
public sealed class SequenceLayerExportTests
{
    private const int N = 3, T = 6, F = 5;

    [Theory]
    [InlineData("rnn:7:seq")]
    [InlineData("rnn:7")]
    [InlineData("rnn:7:relu:seq")]
    [InlineData("rnn:7:sigmoid")]
    [InlineData("lstm:7:seq")]
    [InlineData("lstm:7")]
    [InlineData("gru:7:seq")]
    [InlineData("gru:7")]
    [InlineData("lstm:9:seq,gru:4:seq,rnn:3")]
    public void Recurrent_layers_match_on_features(string spec)
    {
        var model = Model(spec, new TensorShape(T, F), seed: 11);
        // Inputs up to ±2 push the gates into their curved range, so a swapped gate would show.
        double error = MaxError(spec, model, Features(5, 2.0, N, T, F), ids: false);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("lstm:16:seq")]
    [InlineData("gru:16:seq")]
    [InlineData("rnn:16:seq")]
    [InlineData("transformer:d=8,heads=2,ff=16:causal")]
    public void Large_weights_that_saturate_the_gates_still_match(string spec)
    {
        // Trained models have larger weights than a fresh draw: here ×4, with inputs up to ±3, many gates and
        // softmax rows are saturated, where an activation formula that differs from ours in its tails would show.
        // The transformer's outputs reach ~90, where a float32 step is 7.6e-6: the bound is 1e-5 relative to the
        // largest output (measured: 1.3e-4 at |y| = 87, 1.5e-6 relative; the recurrent states stay in [-1, 1]).
        var model = Model(spec, new TensorShape(T * 2, 8), seed: 22);
        foreach (var p in model.Model.Parameters)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(p.Value.Span, 4f, p.Value.Span);
        }

        double error = MaxError(spec + " (weights x4)", model, Features(23, 3.0, N, T * 2, 8), ids: false);
        Assert.InRange(error, 0, Tolerance * Math.Max(1, LastScale));
    }

    [Theory]
    [InlineData("rnn:7:gelu:seq")]
    [InlineData("rnn:7:leaky_relu")]
    [InlineData("rnn:7:softsign:seq")]
    [InlineData("rnn:7:identity")]
    public void An_rnn_with_an_activation_the_rnn_operator_lacks_is_unrolled_and_matches(string spec)
    {
        var model = Model(spec, new TensorShape(T, F), seed: 18);
        double error = MaxError(spec, model, Features(19, 2.0, N, T, F), ids: false);
        Assert.InRange(error, 0, Tolerance);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(Export(model)).Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType == "RNN");
        Assert.Equal(T, graph.Input.Single().Type.TensorType.Shape.Dim[1].DimValue);   // unrolled over the built steps: T fixed
    }

    [Theory]
    [InlineData(14)]
    [InlineData(16)]
    [InlineData(18)]
    [InlineData(21)]
    public void Every_opset_the_exporter_writes_runs_the_sequence_layers(int opset)
    {
        // LayerNormalization is opset 17 (composed below it); ReduceMean takes its axes as an input from 18; Shape's
        // start and end are 15: this stack crosses each of them.
        const string spec = "embedding:11:8,positions:learned,transformer:d=8,heads=2,ff=16:causal,layernorm,gru:6:seq,attention:heads=2:causal,seqpool:mean,dense:3";
        var model = Model(spec, new TensorShape(T), seed: 20, outputActivation: "softmax", task: TaskKind.Multiclass);
        double error = MaxError($"opset {opset}: {spec}", model, Ids(21, 11, 4, T), ids: true, opset: opset);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("embedding:11:6")]
    [InlineData("embedding:11:6,dense:4")]
    [InlineData("embedding:11:6,lstm:5:seq,dense:11")]
    public void Embedding_gathers_int64_token_ids_including_padding(string spec)
    {
        var model = Model(spec, new TensorShape(T), seed: 12);
        double error = MaxError(spec, model, Ids(6, 11, 4, T), ids: true);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("layernorm", 2)]
    [InlineData("dense:8,layernorm", 1)]
    [InlineData("dense:8", 2)]
    public void Layer_norm_and_dense_per_step_match(string spec, int rank)
    {
        var shape = rank == 2 ? new TensorShape(T, 8) : new TensorShape(8);
        var model = Model(spec, shape, seed: 13);
        // A shift far from zero: the normalisation must subtract the mean, not only divide.
        var x = rank == 2 ? Features(7, 3.0, N, T, 8) : Features(7, 3.0, N, 8);
        x.Span[0] += 10;
        double error = MaxError(spec + (rank == 2 ? " [T,D]" : " [D]"), model, x, ids: false);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("attention:heads=2")]
    [InlineData("attention:heads=2:causal")]
    [InlineData("attention:heads=4:unscaled")]
    [InlineData("attention:heads=1:causal:unscaled")]
    [InlineData("transformer:d=8,heads=2,ff=16")]
    [InlineData("transformer:d=8,heads=2,ff=16:causal")]
    public void Attention_and_transformer_blocks_match(string spec)
    {
        var model = Model(spec, new TensorShape(T, 8), seed: 14);
        double error = MaxError(spec, model, Features(8, 1.5, N, T, 8), ids: false);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("positions:learned")]
    [InlineData("positions:sinusoidal")]
    [InlineData("seqpool:mean")]
    [InlineData("seqpool:last")]
    [InlineData("dense:8,positions:sinusoidal,attention:heads=2,seqpool:mean,dense:3")]
    public void Positions_and_pooling_match(string spec)
    {
        var model = Model(spec, new TensorShape(T, 8), seed: 15);
        double error = MaxError(spec, model, Features(9, 1.0, N, T, 8), ids: false);
        Assert.InRange(error, 0, Tolerance);
    }

    [Fact]
    public void Sinusoidal_positions_match_at_many_steps()
    {
        // At t = 200 the angles are large: the table is ours (computed in float64), not recomputed in float32.
        var model = Model("positions:sinusoidal", new TensorShape(200, 6), seed: 16);
        double error = MaxError("positions:sinusoidal T=200", model, Features(10, 1.0, 2, 200, 6), ids: false);
        Assert.InRange(error, 0, Tolerance);
    }

    [Fact]
    public void A_sequence_model_softmax_is_taken_per_step()
    {
        var model = Model("embedding:11:6,gru:5:seq,dense:11", new TensorShape(T), seed: 17, outputActivation: "softmax", task: TaskKind.Sequence);
        var x = Ids(11, 11, 5, T);
        double error = MaxError("embedding,gru:seq,dense + softmax", model, x, ids: true);
        Assert.InRange(error, 0, Tolerance);
        var (values, shape) = Run(Export(model), x, ids: true);
        Assert.Equal([5, T, 11], shape);
        for (int row = 0; row < 5 * T; row++)
        {
            Assert.Equal(1.0, values.Skip(row * 11).Take(11).Sum(), 5);
        }
    }
}
