using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>Our model → OnnxExport → OnnxImport: the same layers, metadata and outputs.</summary>
public sealed class OnnxRoundTripTests
{
    private static SavedModel Model(string spec, TensorShape input, ModelMetadata metadata, int seed = 3)
    {
        var model = Sequential.Parse(spec);
        model.Build(input, seed);
        var random = new Random(seed);
        foreach (var layer in model.Layers)
        {
            if (layer is BatchNorm bn)
            {
                // Non-trivial running statistics and affine parameters, so that inference differs from identity.
                for (int c = 0; c < bn.RunningMean.Length; c++)
                {
                    bn.RunningMean.Span[c] = (float)(random.NextDouble() - 0.5);
                    bn.RunningVariance.Span[c] = (float)(0.5 + random.NextDouble());
                    bn.Gamma.Value.Span[c] = (float)(0.5 + random.NextDouble());
                    bn.Beta.Value.Span[c] = (float)(random.NextDouble() - 0.5) * 0.4f;
                }
            }

            if (layer is PRelu prelu)
            {
                for (int i = 0; i < prelu.Slope.Length; i++)
                {
                    prelu.Slope.Value.Span[i] = (float)random.NextDouble() * 0.5f;
                }
            }
        }

        return new SavedModel(model, metadata);
    }

    private static Tensor Inputs(TensorShape sample, int count, int seed)
    {
        int[] dims = new int[sample.Rank + 1];
        dims[0] = count;
        for (int i = 0; i < sample.Rank; i++)
        {
            dims[i + 1] = sample[i];
        }

        var x = new Tensor(dims);
        var random = new Random(seed);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = (float)(random.NextDouble() * 6 - 3);
        }

        return x;
    }

    private static SavedModel RoundTrip(SavedModel saved)
    {
        using var stream = new MemoryStream();
        OnnxExport.Save(stream, saved);
        stream.Position = 0;
        return OnnxImport.Load(stream, "roundtrip.onnx");
    }

    private static void SameOutputs(SavedModel expected, SavedModel actual, Tensor x)
    {
        var a = expected.Predict(x);
        var b = actual.Predict(x);
        Assert.Equal(a.Shape, b.Shape);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a.Span[i] - b.Span[i]) <= 1e-5, $"{expected.Model.Spec}: output {i}: {a.Span[i]} vs {b.Span[i]}");
        }
    }

    [Fact]
    public void An_mlp_with_normalisation_and_class_names_comes_back_whole()
    {
        var input = new TensorShape(1, 28, 28);
        var saved = Model("flatten,dense:16,gelu,dropout:0.2,dense:10", input, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            ClassNames = FashionMnist.ClassNames,
            NormalizationMean = [0.25f],
            NormalizationStd = [0.5f],
            Extra = new Dictionary<string, string> { ["epochs"] = "4" },
        });
        var back = RoundTrip(saved);
        Assert.Equal(saved.Model.Spec, back.Model.Spec);
        Assert.Equal(saved.Metadata.Task, back.Metadata.Task);
        Assert.Equal(saved.Metadata.ClassNames, back.Metadata.ClassNames);
        Assert.Equal(saved.Metadata.Loss, back.Metadata.Loss);
        Assert.Equal(saved.Metadata.OutputActivation, back.Metadata.OutputActivation);
        Assert.Equal(saved.Metadata.NormalizationMean, back.Metadata.NormalizationMean);
        Assert.Equal(saved.Metadata.NormalizationStd, back.Metadata.NormalizationStd);
        Assert.Equal("4", back.Metadata.Extra!["epochs"]);
        SameOutputs(saved, back, Inputs(input, 4, 1));
    }

    [Fact]
    public void A_cnn_comes_back_with_the_same_outputs()
    {
        var input = new TensorShape(2, 9, 9);
        var saved = Model("conv:4x3:same,batchnorm,relu,pool:2,conv:6x3:s2:p1,prelu:channel,flatten,dense:8,mish,dense:1", input, new ModelMetadata
        {
            Task = TaskKind.Binary,
            OutputActivation = "sigmoid",
            Loss = "bce_logits",
            NormalizationMean = [0.1f, -0.2f],
            NormalizationStd = [0.9f, 1.3f],
        });
        var back = RoundTrip(saved);
        Assert.Equal(saved.Model.Spec, back.Model.Spec);
        Assert.Equal(TaskKind.Binary, back.Metadata.Task);
        SameOutputs(saved, back, Inputs(input, 3, 2));
    }

    public static TheoryData<string> Activations()
    {
        var data = new TheoryData<string>();
        foreach (var d in ActivationRegistry.All)
        {
            if (d.Name is not ("softmax" or "log_softmax" or "identity"))
            {
                data.Add(d.Name);
            }
        }

        foreach (var spec in new[] { "leaky_relu:0.2", "elu:0.5", "softplus:beta=2:threshold=5", "hardtanh:min=-2:max=3", "gelu:tanh" })
        {
            data.Add(spec);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Every_activation_comes_back_as_itself(string activation)
    {
        var input = new TensorShape(6);
        string spec = $"dense:8,{activation},dense:3";
        var saved = Model(spec, input, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var back = RoundTrip(saved);
        Assert.Equal(ActivationRegistry.Parse(activation).Spec, back.Model.Layers[1].Spec);
        SameOutputs(saved, back, Inputs(input, 16, 4));
    }
}
