using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Tests.Data;
using Nonlinear.Tests.Serialization.Onnx;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// Train in PyTorch, diagnose in Nonlinear: <c>nonlinear import</c> of the PyTorch-exported Fashion-MNIST models
/// (Golden/onnx), then predict, evaluate on the shipped subset, advise, and fine-tune with train --from.
/// </summary>
public sealed class ImportCommandTests : IDisposable
{
    private static readonly string Subset = Path.Combine(DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset");
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Import(string fixture)
    {
        string path = _files.Path(fixture + ".nlm");
        var run = CliRun.Of("import", Path.Combine(ImportFixture.Directory, fixture + ".onnx"), "--out", path, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(path, json.GetProperty("output").GetString());
        Assert.Equal("multiclass", json.GetProperty("task").GetString());
        Assert.Equal(10, json.GetProperty("class_names").GetArrayLength());
        return path;
    }

    [Theory]
    [InlineData("mlp_fashion_13", 0.806)]
    [InlineData("cnn_fashion_17", 0.832)]
    public void Imported_pytorch_models_evaluate_predict_and_advise(string fixture, double pytorchAccuracy)
    {
        string path = Import(fixture);
        var saved = ModelFile.Load(path);
        Assert.Equal(FashionMnist.ClassNames, saved.Metadata.ClassNames);

        // PyTorch's accuracy on the same 500 test images (printed by tools/make_onnx_fixtures.py).
        var evaluate = CliRun.Of("evaluate", "--model", path, "--data", Subset, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Equal(pytorchAccuracy, JsonDocument.Parse(evaluate.Stdout).RootElement.GetProperty("accuracy").GetDouble(), 3);

        var predict = CliRun.Of("predict", "--model", path, "--idx", Path.Combine(Subset, "t10k-images-idx3-ubyte.gz"), "--index", "0", "--json");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        Assert.Contains("Ankle boot", predict.Stdout, StringComparison.Ordinal); // test image 0 is an ankle boot

        var advise = CliRun.Of("advise", "--model", path, "--json");
        Assert.True(advise.ExitCode == 0, advise.Stderr);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(advise.Stdout).RootElement.ValueKind);
    }

    [Fact]
    public void Train_from_an_imported_model_fine_tunes_it_with_diagnostics()
    {
        string path = Import("cnn_fashion_17");
        string tuned = _files.Path("tuned.nlm");
        var run = CliRun.Of("train", "--from", path, "--data", Subset, "--epochs", "1", "--diagnostics", "--save", tuned, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(ModelFile.Load(path).Model.Spec, summary.GetProperty("model").GetString());
        Assert.False(summary.GetProperty("normalized").GetBoolean()); // the file has no normalisation and none is refitted
        Assert.InRange(summary.GetProperty("finalAccuracy").GetDouble(), 0.75, 1.0); // starts from 0.832, not from chance
        var before = ModelFile.Load(path).Model.Parameters[0].Value.Span.ToArray();
        var after = ModelFile.Load(tuned).Model.Parameters[0].Value.Span.ToArray();
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Import_errors_are_one_line_and_exit_2()
    {
        var lstm = CliRun.Of("import", Path.Combine(ImportFixture.Directory, "lstm_13.onnx"), "--out", _files.Path("x.nlm"));
        Assert.Equal(2, lstm.ExitCode);
        Assert.Contains("(op LSTM)", lstm.Stderr, StringComparison.Ordinal);
        Assert.Single(lstm.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(_files.Path("x.nlm")));

        string text = _files.Path("notes.onnx");
        File.WriteAllText(text, "not a model");
        var bad = CliRun.Of("import", text, "--out", _files.Path("y.nlm"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("not an ONNX model", bad.Stderr, StringComparison.Ordinal);

        var from = CliRun.Of("train", "--from", _files.Path("missing.nlm"), "--data", "moons", "--epochs", "1");
        Assert.Equal(2, from.ExitCode);
    }
}
