using Google.Protobuf;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Onnx;
using Xunit;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>What cannot be imported is one <see cref="ModelFileException"/> that names the node and its operator.</summary>
public sealed class OnnxImportErrorTests
{
    private static string Fixture(string file) => Path.Combine(ImportFixture.Directory, file);

    private static ModelFileException Refused(byte[] bytes)
        => Assert.Throws<ModelFileException>(() => OnnxImport.Load(new MemoryStream(bytes), "model.onnx"));

    [Fact]
    public void An_lstm_is_refused_naming_the_node()
    {
        var e = Assert.Throws<ModelFileException>(() => OnnxImport.Load(Fixture("lstm_13.onnx")));
        Assert.Matches(@"node '[^']*LSTM[^']*' \(op LSTM\): operator LSTM is not supported", e.Message);
    }

    [Fact]
    public void A_grouped_convolution_is_refused_naming_the_node()
    {
        var e = Assert.Throws<ModelFileException>(() => OnnxImport.Load(Fixture("conv_groups_13.onnx")));
        Assert.Matches(@"node '[^']+' \(op Conv\): group=2 is not supported; Nonlinear imports groups of 1", e.Message);
    }

    [Fact]
    public void An_erf_node_without_its_input_is_a_ModelFileException_not_an_ArithmeticException()
    {
        // Found by fuzzing (docs/fuzzing.md): the missing input evaluates to NaN, and Erf's Math.Sign threw on it.
        Assert.True(double.IsNaN(ImportActivations.Erf(double.NaN)));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("mlp_acts_a_13.onnx")));
        model.Graph.Node.First(n => n.OpType == "Erf").Input.Clear();

        var e = Record.Exception(() => OnnxImport.Load(new MemoryStream(model.ToByteArray()), "model.onnx"));

        Assert.True(e is null or ModelFileException, $"{e?.GetType().Name}: {e?.Message}");
    }

    [Fact]
    public void A_normalisation_div_without_its_divisor_is_not_an_ArgumentOutOfRangeException()
    {
        // Found by fuzzing (docs/fuzzing.md): the normalisation pattern read the Div node's second input unchecked.
        var model = Nonlinear.Models.Sequential.Parse("dense:3,relu,dense:2");
        model.Build(new Nonlinear.Tensors.TensorShape(2), seed: 1);
        var metadata = new ModelMetadata
        {
            Task = Nonlinear.Data.TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits",
            NormalizationMean = [0.5f, 1f], NormalizationStd = [2f, 3f],
        };
        using var exported = new MemoryStream();
        OnnxExport.Save(exported, new SavedModel(model, metadata));
        var proto = ModelProto.Parser.ParseFrom(exported.ToArray());
        var div = proto.Graph.Node.First(n => n.OpType == "Div");
        div.Input.RemoveAt(1);

        var e = Record.Exception(() => OnnxImport.Load(new MemoryStream(proto.ToByteArray()), "model.onnx"));

        Assert.True(e is null or ModelFileException, $"{e?.GetType().Name}: {e?.Message}");
    }

    [Fact]
    public void A_made_up_operator_is_refused_naming_the_node()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("mlp_acts_a_13.onnx")));
        var erf = model.Graph.Node.First(n => n.OpType == "Erf");
        erf.OpType = "FooBar";
        erf.Name = "my_node";
        var e = Refused(model.ToByteArray());
        Assert.StartsWith("model.onnx: node 'my_node' (op FooBar): operator FooBar is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_elementwise_run_that_is_no_activation_is_refused_naming_its_first_node()
    {
        // GELU's 0.5 becomes 0.7: x * 0.7 * (1 + erf(x / sqrt 2)) is no activation in the catalog.
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("mlp_acts_a_13.onnx")));
        var erf = model.Graph.Node.First(n => n.OpType == "Erf");
        var last = model.Graph.Node.Skip(model.Graph.Node.IndexOf(erf)).First(n => n.OpType == "Mul" && n.Input.Any(i => Scalar(model, i) == 0.5f));
        string half = last.Input.First(i => Scalar(model, i) == 0.5f);
        SetScalar(model, half, 0.7f);
        var e = Refused(model.ToByteArray());
        Assert.Contains("compute a function that is not a Nonlinear activation", e.Message, StringComparison.Ordinal);
        Assert.Contains("(op Div)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixture("mlp_fashion_13.onnx"));
        foreach (int length in new[] { 10, bytes.Length / 3, bytes.Length / 2, bytes.Length - 7 })
        {
            var e = Refused(bytes[..length]);
            Assert.StartsWith("model.onnx: ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused()
    {
        var e = Refused("this is a text file, not a model\n"u8.ToArray());
        Assert.Contains("not an ONNX model", e.Message, StringComparison.Ordinal);
        Assert.Contains("not an ONNX model", Refused([]).Message, StringComparison.Ordinal);
        var missing = Assert.Throws<ModelFileException>(() => OnnxImport.Load(Fixture("no-such-file.onnx")));
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_forged_tensor_size_is_refused_before_allocating()
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Fixture("mlp_fashion_13.onnx")));
        var weight = model.Graph.Initializer.First(t => t.Dims.Count == 2);
        weight.Dims[0] = 1 << 20;
        var e = Refused(model.ToByteArray());
        Assert.Contains("elements", e.Message, StringComparison.Ordinal);

        weight.Dims[0] = 17;
        e = Refused(model.ToByteArray());
        Assert.Contains("(truncated or corrupted)", e.Message, StringComparison.Ordinal);
    }

    private static float? Scalar(ModelProto model, string name)
    {
        var node = model.Graph.Node.FirstOrDefault(n => n.OpType == "Constant" && n.Output.Contains(name));
        var t = node?.Attribute[0].T ?? model.Graph.Initializer.FirstOrDefault(i => i.Name == name);
        return t is { RawData.Length: 4 } ? BitConverter.ToSingle(t.RawData.Span) : null;
    }

    private static void SetScalar(ModelProto model, string name, float value)
    {
        var node = model.Graph.Node.FirstOrDefault(n => n.OpType == "Constant" && n.Output.Contains(name));
        var t = node?.Attribute[0].T ?? model.Graph.Initializer.First(i => i.Name == name);
        t.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
    }
}
