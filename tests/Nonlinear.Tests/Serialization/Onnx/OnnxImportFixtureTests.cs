using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;
using Xunit;
using Xunit.Abstractions;


namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// Every fixture PyTorch 1.13 exported (tests/Nonlinear.Tests/Golden/onnx, tools/make_onnx_fixtures.py) imports, and
/// the imported model reproduces PyTorch's outputs within 1e-5.
/// </summary>
public sealed class OnnxImportFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures => ImportFixture.Names();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Imported_model_matches_pytorch(string name)
    {
        var fixture = ImportFixture.Load(name);
        var saved = OnnxImport.Load(fixture.OnnxPath);
        var actual = Outputs(saved, fixture);
        Assert.Equal(fixture.Output.Shape, actual.Shape);
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual.Span[i] - fixture.Output.Span[i]));
        }

        output.WriteLine($"{name}: {saved.Model.Spec} ({saved.Metadata.Task}, {saved.Metadata.OutputActivation}); max |error| {max:E2}");
        Assert.True(max <= 1e-5, $"{name}: max error {max:E2} (spec {saved.Model.Spec})");
    }

    [Fact]
    public void Endings_become_the_task_and_output_activation()
    {
        var mlp = OnnxImport.Load(ImportFixture.Load("mlp_fashion_13").OnnxPath);
        Assert.Equal(TaskKind.Multiclass, mlp.Metadata.Task);
        Assert.Equal("softmax", mlp.Metadata.OutputActivation);
        Assert.Equal("cross_entropy", mlp.Metadata.Loss);
        Assert.Equal(FashionMnist.ClassNames, mlp.Metadata.ClassNames);
        Assert.Equal("flatten,dense:16,relu,dense:10", mlp.Model.Spec);

        var small = OnnxImport.Load(ImportFixture.Load("cnn_small_13").OnnxPath);
        Assert.Equal(TaskKind.Binary, small.Metadata.Task);
        Assert.Equal("sigmoid", small.Metadata.OutputActivation);
        Assert.Null(small.Metadata.ClassNames);

        var acts = OnnxImport.Load(ImportFixture.Load("mlp_acts_a_17").OnnxPath);
        Assert.Equal(TaskKind.Regression, acts.Metadata.Task);
        Assert.Equal("dense:8,gelu,dense:8,gelu:tanh,dense:8,silu,dense:8,mish,dense:8,hardswish,dense:8,softplus:beta=2,dense:8,sigmoid,dense:3", acts.Model.Spec);
    }

    [Fact]
    public void Every_pattern_of_the_second_activation_model_is_recognised()
    {
        foreach (var name in new[] { "mlp_acts_b_13", "mlp_acts_b_17" })
        {
            var saved = OnnxImport.Load(ImportFixture.Load(name).OnnxPath);
            Assert.Equal(
                "dense:8,elu:0.7,dense:8,leaky_relu:0.1,batchnorm,tanh,dense:8,selu,dense:8,elu,dense:8,hardsigmoid,dense:8,relu6,dense:8,hardtanh:min=-2:max=2,dense:8,prelu,dense:8,prelu:channel,dense:8,relu,dense:4",
                saved.Model.Spec);
        }
    }

    [Theory]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(4.0, 0.9999999845827421)]
    public void Erf_used_to_evaluate_patterns_is_accurate(double x, double expected)
        => Assert.Equal(expected, ImportActivations.Erf(x), 1e-12);

    /// <summary>The model's outputs in the form the graph ends with: probabilities, log-probabilities, or raw values.</summary>
    internal static Tensor Outputs(SavedModel saved, ImportFixture fixture)
    {
        if (fixture.Final != "log_softmax")
        {
            return saved.Predict(fixture.Input);
        }

        var logits = saved.Model.Forward(fixture.Input);
        var result = new Tensor(logits.Shape);
        ActivationRegistry.Parse("log_softmax").Forward(logits, result);
        return result;
    }
}
