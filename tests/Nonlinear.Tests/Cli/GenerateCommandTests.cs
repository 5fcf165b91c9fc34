using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Plots;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// <c>nonlinear generate</c> on a small word model trained here (a few hundred words, one epoch: seconds), saved
/// as <c>train --data words --save</c> saves it.
/// </summary>
public sealed class GenerateCommandTests : IClassFixture<GenerateCommandTests.WordModel>
{
    private readonly WordModel _model;

    public GenerateCommandTests(WordModel model) => _model = model;

    [Fact]
    public void Json_lists_the_words_and_the_next_letter_distributions()
    {
        var run = CliRun.Of("generate", "--model", _model.Path, "--count", "12", "--temperature", "0.8", "--seed", "1", "--prefix", "st", "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(12, doc.GetProperty("count").GetInt32());
        Assert.Equal(0.8, doc.GetProperty("temperature").GetDouble());
        Assert.Equal(_model.Steps, doc.GetProperty("steps").GetInt32());
        var words = doc.GetProperty("words").EnumerateArray().ToList();
        Assert.Equal(12, words.Count);
        Assert.All(words, w => Assert.Matches("^st[a-z]*$", w.GetProperty("text").GetString()));
        Assert.All(words, w => Assert.Contains(w.GetProperty("inWordList").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False }));

        var next = doc.GetProperty("next");
        Assert.Equal("^st", next.GetProperty("context").GetString());
        Assert.Equal(WordList.SymbolNames, next.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        var rows = next.GetProperty("distributions").EnumerateArray().ToList();
        Assert.Equal([0.5, 0.8, 1, 1.5], rows.Select(r => r.GetProperty("temperature").GetDouble()));
        var entropies = rows.Select(r => r.GetProperty("entropy").GetDouble()).ToList();
        Assert.Equal(entropies.Order(), entropies); // colder rows first: the entropy rises with the temperature
        Assert.All(rows, r =>
        {
            var p = r.GetProperty("probabilities").EnumerateArray().Select(v => v.GetDouble()).ToList();
            Assert.Equal(CharacterVocabulary.SymbolCount, p.Count);
            Assert.Equal(1, p.Sum(), 1e-5);
            Assert.Equal(5, r.GetProperty("top").GetArrayLength());
            Assert.Equal(p.Max(), r.GetProperty("top")[0].GetProperty("probability").GetDouble());
        });
    }

    [Fact]
    public void The_same_seed_prints_the_same_words_and_another_seed_others()
    {
        string[] Words(string seed) => [.. JsonDocument.Parse(CliRun.Of("generate", "--model", _model.Path, "--count", "15", "--seed", seed, "--json").Stdout)
            .RootElement.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("text").GetString()!)];
        Assert.Equal(Words("4"), Words("4"));
        Assert.NotEqual(Words("4"), Words("5"));
    }

    [Fact]
    public void The_table_shows_the_words_and_a_row_per_temperature_marking_the_one_sampled()
    {
        var run = CliRun.Of("generate", "--model", _model.Path, "--count", "3", "--temperature", "0.7");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("3 word(s), temperature 0.7, seed 1:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("next letter after '^'", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("0.7 (sampled)", run.Stdout, StringComparison.Ordinal);
        foreach (string t in new[] { "0.5", "0.8", "1", "1.5" })
        {
            Assert.Matches($@"\n\W*{t.Replace(".", @"\.", StringComparison.Ordinal)}\s", run.Stdout);
        }
    }

    [Fact]
    public void Temperature_zero_is_greedy_and_the_same_for_every_word()
    {
        var run = CliRun.Of("generate", "--model", _model.Path, "--count", "4", "--temperature", "0", "--json");
        Assert.Equal(0, run.ExitCode);
        var doc = JsonDocument.Parse(run.Stdout).RootElement;
        var words = doc.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("text").GetString()).ToList();
        Assert.Single(words.Distinct());

        // The arg-max has all the mass: only it is listed among the top letters.
        var greedy = doc.GetProperty("next").GetProperty("distributions")[0];
        Assert.Equal(0, greedy.GetProperty("temperature").GetDouble());
        Assert.Equal(0, greedy.GetProperty("entropy").GetDouble());
        Assert.Equal(1, greedy.GetProperty("top").GetArrayLength());
        Assert.Equal(1, greedy.GetProperty("top")[0].GetProperty("probability").GetDouble());
    }

    [Theory]
    [InlineData("--temperature", "-1", "--temperature")]
    [InlineData("--temperature", "abc", "--temperature")]
    [InlineData("--count", "0", "--count")]
    [InlineData("--prefix", "x1", "prefix")]
    [InlineData("--prefix", "abcdefghijklmnopqrstuvwxyz", "prefix")]
    public void Bad_options_are_usage_errors_on_one_line(string option, string value, string named)
    {
        var run = CliRun.Of("generate", "--model", _model.Path, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(named, run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_model_that_is_not_a_word_model_is_refused_on_one_line()
    {
        string path = Path.Combine(_model.Directory.Path, "moons.nlm");
        Assert.Equal(0, CliRun.Of("train", "--data", "moons", "--count", "50", "--layers", "4", "--epochs", "1", "--save", path).ExitCode);
        var run = CliRun.Of("generate", "--model", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is not a word model (it is a binary model trained on 'moons')", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    /// <summary>A GRU word model trained for one epoch on 400 words of the list, saved once for the class.</summary>
    public sealed class WordModel : IDisposable
    {
        public WordModel()
        {
            var words = WordList.FromLines(WordList.Load().Train.Take(400));
            Steps = words.MaxSteps;
            var (train, _, _) = words.ToDatasets();
            var model = Sequential.Parse($"embedding:{CharacterVocabulary.SymbolCount}:8,gru:32:seq,dense:{CharacterVocabulary.SymbolCount}");
            model.Build(train.FeatureShape, seed: 1);
            new Trainer(model, new SequenceCrossEntropy(), new Adam(0.01) { ClipNorm = 1 }).Fit(train, epochs: 1, batchSize: 32, seed: 1);
            Path = System.IO.Path.Combine(Directory.Path, "words.nlm");
            ModelFile.Save(Path, model, new ModelMetadata
            {
                Task = TaskKind.Sequence,
                OutputActivation = "softmax",
                Loss = "sequence_cross_entropy",
                ClassNames = WordList.SymbolNames,
                Extra = new Dictionary<string, string> { ["data"] = "words" },
            });
        }

        public TempDirectory Directory { get; } = new();

        public string Path { get; }

        public int Steps { get; }

        public void Dispose() => Directory.Dispose();
    }
}
