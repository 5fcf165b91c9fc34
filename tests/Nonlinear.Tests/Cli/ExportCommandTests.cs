using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Serialization.Onnx;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nonlinear-cli-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_dir, name);

    private string SaveModel(string spec, TensorShape input, string name = "m.nlm")
    {
        var model = Sequential.Parse(spec);
        model.Build(input, seed: 4);
        string path = Path(name);
        ModelFile.Save(path, model, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            ClassNames = ["a", "b", "c"],
            NormalizationMean = [0.5f, 1f],
            NormalizationStd = [2f, 0.25f],
        });
        return path;
    }

    [Fact]
    public void Export_writes_an_onnx_model_that_onnx_runtime_runs_like_predict()
    {
        string model = SaveModel("dense:6,mish,dense:3", new TensorShape(2));
        string onnx = Path("m.onnx");
        var run = CliRun.Of("export", model, "--to", onnx);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains($"Exported {model} (dense:6,mish,dense:3) to {onnx}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ONNX opset 17", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("'input' [N, 2] float32", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("'output' [N, 3] float32 (after softmax", run.Stdout, StringComparison.Ordinal);

        var saved = ModelFile.Load(model);
        var x = Tensor.FromArray([0.1f, 0.9f, -3f, 2f, 7f, -0.5f], 3, 2);
        var actual = ExportOnnxRuntime.Run(File.ReadAllBytes(onnx), x);
        Assert.True(ExportOnnxRuntime.MaxError(saved.Predict(x).Span, actual).Error <= ExportOnnxRuntime.Tolerance);
    }

    [Fact]
    public void Export_json_reports_the_file_and_the_opset_asked_for()
    {
        string model = SaveModel("dense:4,relu,dense:3", new TensorShape(2));
        string onnx = Path("out.ONNX");
        var run = CliRun.Of("export", model, "--to", onnx, "--opset", "18", "--json");
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("onnx", json.GetProperty("format").GetString());
        Assert.Equal(onnx, json.GetProperty("file").GetString());
        Assert.Equal(18, json.GetProperty("opset").GetInt32());
        Assert.Equal(new FileInfo(onnx).Length, json.GetProperty("bytes").GetInt64());
        Assert.Equal(27, json.GetProperty("parameters").GetInt32());
        var outputValue = json.GetProperty("output");
        Assert.Equal("output", outputValue.GetProperty("name").GetString());
        Assert.Equal("N", outputValue.GetProperty("shape")[0].GetString());
        Assert.Equal(3, outputValue.GetProperty("shape")[1].GetInt32());
        Assert.Equal("float32", outputValue.GetProperty("type").GetString());
        Assert.Equal(2, json.GetProperty("input").GetProperty("shape")[1].GetInt32());
        Assert.Equal(18, global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(onnx)).OpsetImport[0].Version);
    }

    [Fact]
    public void Export_to_py_writes_pytorch_source_that_loads_the_model_file()
    {
        string model = SaveModel("dense:6,mish,dense:3", new TensorShape(2));
        Directory.CreateDirectory(Path("code"));
        string py = Path(System.IO.Path.Combine("code", "net.py"));
        var run = CliRun.Of("export", model, "--to", py);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains($"Exported {model} (dense:6,mish,dense:3) to {py}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("PyTorch source: class Model(nn.Module), 3 layers, 39 parameters", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("load() reads the weights from ../m.nlm", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("predict() applies softmax", run.Stdout, StringComparison.Ordinal);

        string source = File.ReadAllText(py);
        Assert.Contains("class Model(nn.Module):", source, StringComparison.Ordinal);
        Assert.Contains("            nn.Mish(),\n", source, StringComparison.Ordinal);
        Assert.Contains("MODEL_FILE = \"../m.nlm\"\n", source, StringComparison.Ordinal);
        Assert.Equal(Nonlinear.Serialization.PyTorch.PyTorchExport.Generate(ModelFile.Load(model), "../m.nlm", "net.py"), source);
    }

    [Fact]
    public void Export_to_py_json_reports_the_file_and_the_weights_it_reads()
    {
        string model = SaveModel("dense:4,relu,dense:3", new TensorShape(2));
        string py = Path("Out.PY");
        var run = CliRun.Of("export", model, "--to", py, "--json");
        Assert.Equal(0, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("pytorch", json.GetProperty("format").GetString());
        Assert.Equal(py, json.GetProperty("file").GetString());
        Assert.Equal(new FileInfo(py).Length, json.GetProperty("bytes").GetInt64());
        Assert.Equal(27, json.GetProperty("parameters").GetInt32());
        Assert.Equal(3, json.GetProperty("layers").GetInt32());
        Assert.Equal("m.nlm", json.GetProperty("weights").GetString());
        Assert.Equal("softmax", json.GetProperty("output_activation").GetString());
    }

    [Fact]
    public void Export_to_py_in_a_missing_folder_is_an_error_naming_it()
    {
        string model = SaveModel("dense:3", new TensorShape(2));
        var run = CliRun.Of("export", model, "--to", Path(System.IO.Path.Combine("nowhere", "m.py")));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("m.txt", "'.txt' is not one")]
    [InlineData("m", "no extension is not one")]
    public void Export_to_an_unknown_extension_is_a_usage_error(string target, string expected)
    {
        string model = SaveModel("dense:3", new TensorShape(2));
        var run = CliRun.Of("export", model, "--to", Path(target));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_model_that_cannot_be_exported_is_a_usage_error_in_one_line_and_writes_nothing()
    {
        // Token ids with a saved normalisation: an ONNX graph takes int64 ids, which cannot be normalised, so the
        // library throws NotSupportedException, which the command reports as a usage error.
        var model = Sequential.Parse("embedding:10:4,seqpool:mean,dense:3");
        model.Build(new TensorShape(5), seed: 1);
        string path = Path("seq.nlm");
        ModelFile.Save(path, model, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            NormalizationMean = [0f, 0f, 0f, 0f, 0f],
            NormalizationStd = [1f, 1f, 1f, 1f, 1f],
        });
        var run = CliRun.Of("export", path, "--to", Path("seq.onnx"));
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {path}: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(Path("seq.onnx")));
        Assert.Equal(["seq.nlm"], Directory.GetFiles(_dir).Select(System.IO.Path.GetFileName));
    }

    [Fact]
    public void A_sequence_model_exports_with_int64_token_ids()
    {
        // Every layer of the catalog has an ONNX form now that the sequence emitters landed (the library-level
        // NotSupportedException path is tested with an unexportable layer in ExportOnnxModelTests).
        var model = Sequential.Parse("embedding:10:4,seqpool:mean,dense:3");
        model.Build(new TensorShape(5), seed: 1);
        string path = Path("seq.nlm");
        ModelFile.Save(path, model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" });
        var run = CliRun.Of("export", path, "--to", Path("seq.onnx"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("int64", run.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path("seq.onnx")));
    }

    [Fact]
    public void A_missing_model_a_missing_to_and_a_bad_opset_are_usage_errors()
    {
        var missing = CliRun.Of("export", Path("nope.nlm"), "--to", Path("x.onnx"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.nlm", missing.Stderr, StringComparison.Ordinal);

        string model = SaveModel("dense:3", new TensorShape(2));
        var noTarget = CliRun.Of("export", model);
        Assert.Equal(2, noTarget.ExitCode);
        Assert.Contains("--to", noTarget.Stderr, StringComparison.Ordinal);

        var opset = CliRun.Of("export", model, "--to", Path("x.onnx"), "--opset", "9");
        Assert.Equal(2, opset.ExitCode);
        Assert.Contains("--opset must be from 14 to 21; found 9", opset.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path("x.onnx")));
    }
}
