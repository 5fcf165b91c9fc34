using System.Text.Json;
using Nonlinear.Data.Sequences;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Cli;
using Nonlinear.Tests.Data;
using Nonlinear.Tests.Training;
using Xunit;
using static Nonlinear.Tests.Serialization.Onnx.SequenceOnnxHarness;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// End to end with trained weights: <c>nonlinear train --data words --model ...</c>, then <c>nonlinear export</c>;
/// ONNX Runtime on the test words' ids (padded with the boundary id) gives the saved model's predictions.
/// </summary>
public sealed class SequenceCliExportTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("gru")]
    [InlineData("transformer")]
    public void A_trained_words_model_exports_from_the_command_line_and_matches_on_the_test_words(string name)
    {
        string words = _files.WriteText("words.txt", string.Join('\n', SequenceTrainingTests.MakeWords(300, seed: 5)) + "\n");
        string model = _files.Path("words.nlm"), onnx = _files.Path("words.onnx");
        var train = CliRun.Of("train", "--data", "words", "--words", words, "--model", name, "--hidden", "16", "--epochs", "2", "--lr", "0.01", "--batch", "32", "--save", model);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var export = CliRun.Of("export", model, "--to", onnx, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        var summary = JsonDocument.Parse(export.Stdout).RootElement;
        Assert.Equal("int64", summary.GetProperty("input").GetProperty("type").GetString());

        var saved = ModelFile.Load(model);
        var (_, _, test) = WordList.Load(words).ToDatasets();
        var x = test.Features;
        Assert.Equal(saved.Model.InputShape[0], x.Shape[1]);
        var expected = saved.Predict(x);
        var (actual, shape) = Run(File.ReadAllBytes(onnx), x, ids: true);
        double max = Compare($"cli words {name} (trained, {saved.Model.Spec})", expected, actual, shape);
        Assert.InRange(max, 0, Tolerance);
    }
}
