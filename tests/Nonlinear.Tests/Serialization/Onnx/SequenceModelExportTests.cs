using Nonlinear.Cli.Commands;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Tensors;
using Nonlinear.Tests.Data;
using Xunit;
using static Nonlinear.Tests.Serialization.Onnx.SequenceOnnxHarness;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// The CLI's sequence models (<c>train --data words --model rnn|lstm|gru|transformer</c> and the Fashion-MNIST
/// rows models), exported and run in ONNX Runtime, match <c>SavedModel.Predict</c> within 1e-5; the graphs use
/// ONNX's own recurrent operators and take int64 token ids with symbolic N and T.
/// </summary>
public sealed class SequenceModelExportTests
{
    private const int Steps = 12;

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("transformer")]
    public void The_words_models_match_on_padded_token_ids(string name)
    {
        // The exact stacks of --data words at their default widths: next-character probabilities at every step.
        string spec = SequenceModels.ForWords(name, hidden: null);
        var model = Model(spec, new TensorShape(Steps), seed: 21, outputActivation: "softmax", task: TaskKind.Sequence,
            classNames: WordList.SymbolNames);
        double error = MaxError($"words {name} ({spec})", model, Ids(22, CharacterVocabulary.SymbolCount, 8, Steps), ids: true);
        Assert.InRange(error, 0, Tolerance);
    }

    [Theory]
    [InlineData("lstm", null)]
    [InlineData("gru", 32)]
    [InlineData("rnn", 32)]
    [InlineData("transformer", 16)]
    public void The_fashion_rows_models_match_on_the_shipped_test_images(string name, int? hidden)
    {
        // Images read row by row ([N, 28, 28]), normalised as in train: the image constants once per row.
        string subset = Path.Combine(DataFiles.RepositoryRoot(), FashionMnist.SubsetDirectory);
        var (images, imageTest) = FashionMnist.Load(subset);
        var norm = Normalization.FitStandardization(images, perChannel: true);
        var (_, test) = ImageRows.LoadFashionMnist(subset);
        string spec = SequenceModels.ForRows(name, hidden, 10);
        var model = Model(spec, new TensorShape(28, 28), seed: 23, outputActivation: "softmax", task: TaskKind.Multiclass,
            mean: Enumerable.Repeat(norm.Mean[0], 28).ToArray(), std: Enumerable.Repeat(norm.Std[0], 28).ToArray(), classNames: FashionMnist.ClassNames);
        const int count = 24;
        var x = new Tensor(count, 28, 28);
        test.Features.Span[..(count * 28 * 28)].CopyTo(x.Span);
        Assert.Equal(imageTest.Features.Span[..(count * 28 * 28)].ToArray(), x.Span.ToArray());
        double error = MaxError($"fashion rows {name} ({spec})", model, x, ids: false);
        Assert.InRange(error, 0, Tolerance);

        // The per-row normalisation constants fix T = 28 in the graph's input; without one, T is symbolic.
        var dims = global::Onnx.ModelProto.Parser.ParseFrom(Export(model)).Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal([0, 28, 28], dims.Select(d => d.DimValue));
        Assert.Equal("N", dims[0].DimParam);
    }

    [Theory]
    [InlineData("lstm:6", "LSTM")]
    [InlineData("gru:6:seq", "GRU")]
    [InlineData("rnn:6:relu", "RNN")]
    public void Recurrent_layers_become_onnx_recurrent_operators(string spec, string op)
    {
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(Export(Model(spec, new TensorShape(4, 3), seed: 1))).Graph;
        var node = Assert.Single(graph.Node, n => n.OpType == op);
        Assert.Equal(6, node.Attribute.Single(a => a.Name == "hidden_size").I);
        if (op == "GRU")
        {
            Assert.Equal(1, node.Attribute.Single(a => a.Name == "linear_before_reset").I);
        }

        if (op == "RNN")
        {
            Assert.Equal("Relu", node.Attribute.Single(a => a.Name == "activations").Strings.Single().ToStringUtf8());
        }
    }

    [Fact]
    public void A_recurrent_model_on_features_without_normalisation_takes_a_symbolic_T()
    {
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(Export(Model("lstm:4,dense:2", new TensorShape(7, 3), seed: 5))).Graph;
        var dims = graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", "T", ""], dims.Select(d => d.DimParam));
        Assert.Equal(3, dims[2].DimValue);
    }

    [Fact]
    public void A_words_model_takes_int64_ids_with_symbolic_batch_and_steps()
    {
        var model = Model(SequenceModels.ForWords("transformer", 8), new TensorShape(Steps), seed: 2, outputActivation: "softmax", task: TaskKind.Sequence);
        var graph = global::Onnx.ModelProto.Parser.ParseFrom(Export(model)).Graph;
        var input = Assert.Single(graph.Input, i => i.Name == "input");
        Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Int64, input.Type.TensorType.ElemType);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal(2, dims.Count);
        Assert.False(string.IsNullOrEmpty(dims[0].DimParam));
        Assert.False(string.IsNullOrEmpty(dims[1].DimParam));
    }

    [Theory]
    [InlineData("transformer")]
    [InlineData("lstm")]
    public void A_causal_model_runs_on_shorter_sequences_and_gives_the_same_first_steps(string name)
    {
        // The graph's T is symbolic: learned positions and the causal mask are sliced to the input's length. A
        // causal model's first steps do not depend on later ones, so a prefix gives the prefix of our output.
        var model = Model(SequenceModels.ForWords(name, 8), new TensorShape(Steps), seed: 3, outputActivation: "softmax", task: TaskKind.Sequence);
        var full = Ids(4, CharacterVocabulary.SymbolCount, 3, Steps);
        var expected = model.Predict(full);
        const int prefix = 5;
        var x = new Tensor(3, prefix);
        for (int n = 0; n < 3; n++)
        {
            for (int t = 0; t < prefix; t++)
            {
                x[n, t] = full[n, t];
            }
        }

        var (values, shape) = Run(Export(model), x, ids: true);
        Assert.Equal([3, prefix, CharacterVocabulary.SymbolCount], shape);
        int k = CharacterVocabulary.SymbolCount;
        for (int n = 0; n < 3; n++)
        {
            for (int t = 0; t < prefix; t++)
            {
                for (int c = 0; c < k; c++)
                {
                    Assert.InRange(Math.Abs(expected[n, t, c] - values[((n * prefix) + t) * k + c]), 0, Tolerance);
                }
            }
        }
    }
}
