using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Serialization;
using Nonlinear.Cli.Commands;
using Nonlinear.Tests.Data;
using Nonlinear.Tests.Training;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// <c>train --data words</c> and <c>--data fashion-mnist --model lstm|gru|rnn|transformer</c> (images as rows):
/// small runs on a word file of a few hundred words and on the shipped Fashion-MNIST subset, and the errors.
/// </summary>
public sealed class SequenceCommandTests : IDisposable
{
    private static readonly string Subset = Path.Combine(DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset");
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string WordFile() => _files.WriteText("words.txt", string.Join('\n', SequenceTrainingTests.MakeWords(300, seed: 5)) + "\n");

    [Fact]
    public void Train_on_words_reports_nats_per_character_and_evaluate_reproduces_the_test_loss()
    {
        string words = WordFile(), model = _files.Path("words.nlm");
        var train = CliRun.Of("train", "--data", "words", "--words", words, "--model", "lstm", "--hidden", "16", "--epochs", "3", "--lr", "0.01", "--batch", "32", "--save", model, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        var summary = JsonDocument.Parse(train.Stdout).RootElement;
        Assert.Equal("embedding:27:32,lstm:16:seq,dense:27", summary.GetProperty("model").GetString());
        Assert.Equal("Sequence", summary.GetProperty("task").GetString());
        Assert.Equal("sequence_cross_entropy", summary.GetProperty("loss").GetString());
        Assert.Equal("softmax", summary.GetProperty("outputActivation").GetString());
        Assert.False(summary.GetProperty("normalized").GetBoolean());
        Assert.Equal("nats per character", summary.GetProperty("lossUnit").GetString());

        // The fixed 80/10/10 split of the 300 words; the test loss is over the test words' characters (letters + end).
        var list = WordList.Load(words);
        Assert.Equal(240, summary.GetProperty("trainSamples").GetInt32());
        Assert.Equal(30, summary.GetProperty("validationSamples").GetInt32());
        Assert.Equal(list.Test.Count, summary.GetProperty("finalSamples").GetInt32());
        Assert.Equal(list.Test.Sum(w => w.Length + 1), summary.GetProperty("finalCharacters").GetInt64());
        double nats = summary.GetProperty("finalNatsPerCharacter").GetDouble();
        Assert.Equal(summary.GetProperty("finalLoss").GetDouble(), nats);
        Assert.True(nats < Math.Log(27) - 0.3, $"test loss {nats} nats per character");
        Assert.Equal(nats / Math.Log(2), summary.GetProperty("finalBitsPerCharacter").GetDouble(), 9);
        Assert.InRange(summary.GetProperty("finalCharacterAccuracy").GetDouble(), 0.1, 1);
        Assert.True(summary.GetProperty("validationNatsPerCharacter").GetDouble() < Math.Log(27));

        var saved = ModelFile.Load(model);
        Assert.Equal(TaskKind.Sequence, saved.Metadata.Task);
        Assert.Equal("words", saved.Metadata.Extra!["data"]);
        Assert.Equal(WordList.SymbolNames, saved.Metadata.ClassNames);

        var evaluate = CliRun.Of("evaluate", "--model", model, "--data", "words", "--words", words, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        var metrics = JsonDocument.Parse(evaluate.Stdout).RootElement;
        Assert.Equal(nats, metrics.GetProperty("natsPerCharacter").GetDouble(), 5);
        Assert.Equal(summary.GetProperty("finalCharacterAccuracy").GetDouble(), metrics.GetProperty("characterAccuracy").GetDouble(), 9);
        Assert.Equal(summary.GetProperty("finalCharacters").GetInt64(), metrics.GetProperty("characters").GetInt64());

        var text = CliRun.Of("evaluate", "--model", model, "--data", "words", "--words", words);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("nats per character", text.Stdout, StringComparison.Ordinal);

        var predict = CliRun.Of("predict", "--model", model, "1", "2");
        Assert.Equal(2, predict.ExitCode);
        Assert.Contains("at every step", predict.Stderr, StringComparison.Ordinal);
        Assert.Contains("nonlinear evaluate", predict.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_summary_of_a_word_model_names_the_unit()
    {
        var run = CliRun.Of("train", "--data", "words", "--words", WordFile(), "--model", "gru", "--hidden", "8", "--epochs", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("nats/char", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("embedding:27:32,gru:8:seq,dense:27", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("chars)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_word_list_is_one_line_naming_the_file_and_the_package()
    {
        string missing = _files.Path("no-words");
        var run = CliRun.Of("train", "--data", "words", "--words", missing);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(missing, run.Stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install wamerican", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("the sequence model", "train", "--data", "moons", "--model", "lstm")]
    [InlineData("--hidden sets the width", "train", "--data", "moons", "--hidden", "8")]
    [InlineData("multiple of its 4 heads", "train", "--data", "words", "--words", "WORDS", "--model", "transformer", "--hidden", "30")]
    [InlineData("--hidden must be a positive width", "train", "--data", "words", "--words", "WORDS", "--hidden", "0")]
    [InlineData("symbol ids", "train", "--data", "words", "--words", "WORDS", "--normalize", "standard")]
    [InlineData("fixed split", "train", "--data", "words", "--words", "WORDS", "--validation", "0.2")]
    [InlineData("--words gives the word list", "train", "--data", "moons", "--words", "WORDS")]
    public void Bad_sequence_options_are_named(string expected, params string[] args)
    {
        string words = WordFile();
        var run = CliRun.Of(args.Select(a => a == "WORDS" ? words : a).ToArray());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected.Replace("the sequence model", "is a sequence model", StringComparison.Ordinal), run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_are_read_as_rows_by_a_recurrent_model_and_evaluate_reads_them_the_same_way()
    {
        string model = _files.Path("rows.nlm");
        var train = CliRun.Of("train", "--data", Subset, "--model", "gru", "--hidden", "16", "--epochs", "2", "--save", model, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        var summary = JsonDocument.Parse(train.Stdout).RootElement;
        Assert.Equal("gru:16,dense:10", summary.GetProperty("model").GetString());
        Assert.Equal("Multiclass", summary.GetProperty("task").GetString());
        Assert.True(summary.GetProperty("normalized").GetBoolean());
        double accuracy = summary.GetProperty("finalAccuracy").GetDouble();
        Assert.InRange(accuracy, 0.3, 1.0);     // ten classes: chance is 0.10

        var saved = ModelFile.Load(model);
        Assert.Equal([28, 28], saved.Model.InputShape);
        Assert.Equal("rows", saved.Metadata.Extra!["input"]);
        Assert.Equal(28, saved.Metadata.NormalizationMean!.Count);     // the images' one mean, once per row
        Assert.Single(saved.Metadata.NormalizationMean.Distinct());

        var evaluate = CliRun.Of("evaluate", "--model", model, "--data", Subset, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        Assert.Equal(accuracy, JsonDocument.Parse(evaluate.Stdout).RootElement.GetProperty("accuracy").GetDouble(), 6);

        var text = CliRun.Of("train", "--data", Subset, "--model", "rnn", "--hidden", "4", "--epochs", "1");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("images read row by row: 28 steps of 28 pixels", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_presets_are_the_issues_models()
    {
        Assert.Equal("embedding:27:32,lstm:128:seq,dense:27", SequenceModels.ForWords("lstm", null));
        Assert.Equal("embedding:27:32,rnn:64:seq,dense:27", SequenceModels.ForWords("RNN", 64));
        Assert.Equal("embedding:27:64,positions:learned,transformer:d=64,heads=4,ff=256:causal,dense:27", SequenceModels.ForWords("transformer", null));
        Assert.Equal("embedding:27:32,positions:learned,transformer:d=32,heads=4,ff=128:causal,dense:27", SequenceModels.ForWords("transformer", 32));
        Assert.Equal("lstm:128,dense:10", SequenceModels.ForRows("lstm", null, 10));
        Assert.Equal("gru:32,dense:10", SequenceModels.ForRows("gru", 32, 10));
        Assert.Equal("dense:64,positions:learned,transformer:d=64,heads=4,ff=256,seqpool:mean,dense:10", SequenceModels.ForRows("transformer", null, 10));
        Assert.True(SequenceModels.IsName(" Lstm "));
        Assert.False(SequenceModels.IsName("cnn"));

        // The recurrent presets build and produce what the task needs.
        var words = Nonlinear.Models.Sequential.Parse(SequenceModels.ForWords("gru", null));
        words.Build(new Nonlinear.Tensors.TensorShape(23), seed: 1);
        Assert.Equal(new Nonlinear.Tensors.TensorShape(23, 27), words.OutputShape);
        var rows = Nonlinear.Models.Sequential.Parse(SequenceModels.ForRows("rnn", null, 10));
        rows.Build(new Nonlinear.Tensors.TensorShape(28, 28), seed: 1);
        Assert.Equal(new Nonlinear.Tensors.TensorShape(10), rows.OutputShape);
    }
}
