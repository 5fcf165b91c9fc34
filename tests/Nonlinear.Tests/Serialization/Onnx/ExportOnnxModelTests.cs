using System.Globalization;
using System.Text.Json;
using GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel;
using InferenceSession = Microsoft.ML.OnnxRuntime.InferenceSession;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;
using Nonlinear.Tests.Data;
using Nonlinear.Training;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// Exported MLPs and CNNs, trained briefly on the shipped Fashion-MNIST images, give in ONNX Runtime the outputs of
/// <see cref="SavedModel.Predict(Tensor)"/> on the shipped test images; the graph carries the metadata; errors are clear.
/// </summary>
public sealed class ExportOnnxModelTests(ITestOutputHelper output) : IDisposable
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> FashionMnistSubset =
        new(() => FashionMnist.Load(Path.Combine(DataFiles.RepositoryRoot(), FashionMnist.SubsetDirectory)));

    private readonly string _directory = Directory.CreateTempSubdirectory("nonlinear-onnx-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A model trained for an epoch or two on the first <paramref name="images"/> training images, with the normalisation fitted on them.</summary>
    internal static SavedModel Trained(string spec, bool flatInput, bool perChannel, int epochs, int images)
    {
        var (train, _) = FashionMnistSubset.Value;
        train = train.Subset([.. Enumerable.Range(0, images)]);
        if (flatInput)
        {
            train = Flat(train);
        }

        var norm = Normalization.FitStandardization(train, perChannel);
        var model = Sequential.Parse(spec);
        model.Build(train.FeatureShape, seed: 7);
        new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.003)).Fit(norm.Apply(train), epochs, batchSize: 32, seed: 3);
        return new SavedModel(model, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            ClassNames = FashionMnist.ClassNames,
            NormalizationMean = norm.Mean,
            NormalizationStd = norm.Std,
        });
    }

    /// <summary>The 500 shipped test images, as [N, 1, 28, 28] or flat [N, 784].</summary>
    internal static Tensor TestImages(bool flat)
    {
        var test = FashionMnistSubset.Value.Test;
        return flat ? Flat(test).Features : test.Features;
    }

    private static Dataset Flat(Dataset data)
        => new(data.Name, data.Features.Clone().Reshape(data.Count, data.FeatureShape.Length), data.Targets.Clone(), data.Task, data.ClassCount, data.ClassNames);

    private void AssertMatches(SavedModel saved, Tensor x, string what)
    {
        var expected = saved.Predict(x);
        var onnx = ExportOnnxRuntime.Export(saved);
        var actual = ExportOnnxRuntime.Run(onnx, x);
        var (error, at) = ExportOnnxRuntime.MaxError(expected.Span, actual);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: max error {error:G3} over {expected.Length} outputs"));
        Assert.True(error <= ExportOnnxRuntime.Tolerance, string.Create(CultureInfo.InvariantCulture, $"{what}: error {error:G3} at output {at}: ours {expected.Span[at]:R}, ONNX Runtime {actual[at]:R}"));

        // The predictions are not degenerate: the model learned something, so a wrong layer would show.
        int rows = expected.Shape[0], k = expected.Shape[1];
        int agree = 0;
        for (int i = 0; i < rows; i++)
        {
            agree += ArgMax(expected.Span.Slice(i * k, k)) == ArgMax(actual.AsSpan(i * k, k)) ? 1 : 0;
        }

        Assert.Equal(rows, agree);
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++)
        {
            best = row[i] > row[best] ? i : best;
        }

        return best;
    }

    [Fact]
    public void An_mlp_with_per_feature_normalisation_matches_on_the_test_images()
    {
        var saved = Trained("dense:64,batchnorm,relu,dropout:0.2,dense:32,gelu,dense:32,prelu,dense:10", flatInput: true, perChannel: false, epochs: 2, images: 600);
        var x = TestImages(flat: true);

        // Training moved the batch-norm statistics away from 0 and 1, so the export must carry the real ones.
        Assert.Contains(saved.Model.State[0].Value.Span.ToArray(), v => Math.Abs(v) > 1e-3);
        AssertMatches(saved, x, "MLP");
        Assert.True(Accuracy(saved, x) > 0.5, "the briefly trained MLP should beat chance by far");
    }

    [Fact]
    public void A_cnn_with_batchnorm_prelu_dropout_and_pooling_matches_on_the_test_images()
    {
        const string Spec = "conv:8x3:same,batchnorm,prelu:channel,pool:2,conv:12x3:s2:p1,batchnorm,silu,pool:3:s2,dropout:0.25,flatten,dense:32,tanh,dense:10";
        var saved = Trained(Spec, flatInput: false, perChannel: true, epochs: 1, images: 300);
        var x = TestImages(flat: false);
        AssertMatches(saved, x, "CNN");
    }

    [Fact]
    public void A_sigmoid_regression_style_output_and_no_normalisation_export_too()
    {
        // dense on a [T, F] sample (MatMul + Add), flatten, and the output activation sigmoid; no normalisation.
        var model = Sequential.Parse("dense:5,softplus:beta=2,flatten,dense:1");
        model.Build(new TensorShape(3, 4), seed: 5);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits" });
        var random = new Random(9);
        var x = Tensor.FromArray([.. Enumerable.Range(0, 40 * 12).Select(_ => (float)(random.NextDouble() * 6 - 3))], 40, 3, 4);
        var expected = saved.Predict(x);
        var actual = ExportOnnxRuntime.Run(ExportOnnxRuntime.Export(saved), x);
        Assert.True(ExportOnnxRuntime.MaxError(expected.Span, actual).Error <= ExportOnnxRuntime.Tolerance);
    }

    [Fact]
    public void The_graph_has_one_input_and_one_output_with_a_symbolic_batch_and_the_metadata_in_its_props()
    {
        var model = Sequential.Parse("conv:2x3,relu,flatten,dense:3");
        model.Build(new TensorShape(1, 5, 5), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            ClassNames = ["cat \"Tom\"", "dog", "Émile"],
            NormalizationMean = [0.25f],
            NormalizationStd = [0.1f],
            Extra = new Dictionary<string, string> { ["epochs"] = "3" },
        });
        var path = Path.Combine(_directory, "small.onnx");
        OnnxExport.Save(path, saved);

        var proto = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(8, proto.IrVersion);
        Assert.Equal(17, Assert.Single(proto.OpsetImport).Version);
        Assert.Equal("Nonlinear", proto.ProducerName);
        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal(["N", "", "", ""], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        Assert.Equal([0L, 1, 5, 5], input.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        var outputValue = Assert.Single(proto.Graph.Output);
        Assert.Equal("output", outputValue.Name);
        Assert.Equal(["N", ""], outputValue.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        Assert.Equal(3, outputValue.Type.TensorType.Shape.Dim[1].DimValue);

        // Normalisation first, the softmax last; parameters under the model's own names.
        Assert.Equal(["Sub", "Div", "Conv", "Relu", "Flatten", "Gemm", "Softmax"], proto.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["normalization.mean", "normalization.std", "0.weight", "0.bias", "3.weight", "3.bias"], proto.Graph.Initializer.Select(t => t.Name));

        var props = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("conv:2x3,relu,flatten,dense:3", props["nonlinear.architecture"]);
        Assert.Equal("multiclass", props["nonlinear.task"]);
        Assert.Equal("softmax", props["nonlinear.output_activation"]);
        Assert.Equal("cross_entropy", props["nonlinear.loss"]);
        Assert.Equal([1, 5, 5], JsonSerializer.Deserialize<int[]>(props["nonlinear.input_shape"])!);
        Assert.Equal(["cat \"Tom\"", "dog", "Émile"], JsonSerializer.Deserialize<string[]>(props["nonlinear.class_names"])!);
        Assert.Equal([0.25f], JsonSerializer.Deserialize<float[]>(props["nonlinear.normalization_mean"])!);
        Assert.Equal([0.1f], JsonSerializer.Deserialize<float[]>(props["nonlinear.normalization_std"])!);
        Assert.Equal("3", props["nonlinear.extra.epochs"]);

        // ONNX Runtime reads the same metadata.
        using var session = new InferenceSession(path);
        Assert.Equal("softmax", session.ModelMetadata.CustomMetadataMap["nonlinear.output_activation"]);
        Assert.Equal("Nonlinear", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void A_model_without_class_names_or_normalisation_leaves_those_props_out_and_a_bare_identity_model_still_has_an_output()
    {
        var model = new Sequential([new Dropout(0.5)]);
        model.Build(new TensorShape(2), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var proto = OnnxExport.Build(saved, new OnnxExportOptions());
        var keys = proto.MetadataProps.Select(p => p.Key).ToList();
        Assert.DoesNotContain("nonlinear.class_names", keys);
        Assert.DoesNotContain("nonlinear.normalization_mean", keys);
        Assert.Equal("Identity", Assert.Single(proto.Graph.Node).OpType);

        var x = Tensor.FromArray([1f, -2f, 3.5f, float.NegativeInfinity], 2, 2);
        Assert.Equal(x.Span.ToArray(), ExportOnnxRuntime.Run(ExportOnnxRuntime.Export(saved), x));
    }

    [Theory]
    [InlineData(14)]
    [InlineData(17)]
    [InlineData(21)]
    public void Every_supported_opset_runs_in_onnx_runtime(int opset)
    {
        var model = Sequential.Parse("dense:4,hardswish,dense:4,gelu,batchnorm,log_softmax");
        model.Build(new TensorShape(3), seed: 2);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var x = Tensor.FromArray([0.5f, -1f, 2f, 3f, 0f, -4f], 2, 3);
        var actual = ExportOnnxRuntime.Run(ExportOnnxRuntime.Export(saved, new OnnxExportOptions { Opset = opset }), x);
        Assert.True(ExportOnnxRuntime.MaxError(saved.Predict(x).Span, actual).Error <= ExportOnnxRuntime.Tolerance);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(22)]
    public void An_opset_out_of_range_is_refused(int opset)
    {
        var model = Sequential.Parse("dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExportOnnxRuntime.Export(saved, new OnnxExportOptions { Opset = opset }));
        Assert.Contains("14 to 21", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_without_an_emitter_is_named_in_a_not_supported_error_and_no_file_is_written()
    {
        var model = new Sequential([new Dense(3), new Unexportable()]);
        model.Build(new TensorShape(2), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var path = Path.Combine(_directory, "odd.onnx");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Save(path, saved));
        Assert.Contains("Layer 2 ('unexportable'", e.Message, StringComparison.Ordinal);
        Assert.Contains("no ONNX emitter", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Saving_replaces_an_existing_file_whole_and_a_missing_directory_is_a_model_file_error()
    {
        var model = Sequential.Parse("dense:2");
        model.Build(new TensorShape(2), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var path = Path.Combine(_directory, "m.onnx");
        File.WriteAllText(path, new string('x', 100_000));
        OnnxExport.Save(path, saved);
        Assert.Equal(ExportOnnxRuntime.Export(saved), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));

        var missing = Path.Combine(_directory, "no-such-folder", "m.onnx");
        var e = Assert.Throws<ModelFileException>(() => OnnxExport.Save(missing, saved));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    private static double Accuracy(SavedModel saved, Tensor x)
    {
        var p = saved.Predict(x);
        var labels = FashionMnistSubset.Value.Test.Targets.Span;
        int k = p.Shape[1], correct = 0;
        for (int i = 0; i < p.Shape[0]; i++)
        {
            correct += ArgMax(p.Span.Slice(i * k, k)) == (int)labels[i] ? 1 : 0;
        }

        return (double)correct / p.Shape[0];
    }

    /// <summary>A layer no emitter knows.</summary>
    private sealed class Unexportable : Layer
    {
        public override string Spec => "unexportable";

        protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random) => inputShape;

        protected override void OnForward(Tensor input, Tensor output, bool training) => input.Span.CopyTo(output.Span);

        protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient) => outputGradient.Span.CopyTo(inputGradient!.Span);
    }
}
