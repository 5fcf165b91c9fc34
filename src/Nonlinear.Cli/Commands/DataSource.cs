using System.CommandLine;
using System.Globalization;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// What <c>--data</c> names, resolved to datasets: a synthetic set (moons, spiral, ...), <c>fashion-mnist</c>
/// (the Debian package's files, or <c>--data-dir</c>), <c>words</c> (Debian's word list for next-character
/// prediction, or <c>--words</c>), a directory of MNIST-style IDX files (such as data/fashion-mnist-subset), or a
/// CSV file (label column <c>--label</c>, a held-out test split).
/// </summary>
internal static class DataSource
{
    public const string FashionMnistName = "fashion-mnist";

    public const string WordsName = "words";

    /// <summary>The <c>--data</c> help text shared by train, evaluate and compare.</summary>
    public static string Help => $"Dataset: {string.Join(", ", SyntheticData.Names)}; {FashionMnistName}; {WordsName} (next-character prediction on a word list); a directory of IDX files (e.g. data/fashion-mnist-subset); or a .csv file";

    /// <summary>The options that shape the data, shared by the commands that read data.</summary>
    internal sealed class Options
    {
        public Option<string> Data { get; } = new("--data") { Description = Help, Required = true };

        public Option<string?> DataDir { get; } = new("--data-dir") { Description = $"Where the Fashion-MNIST IDX files are (default {FashionMnist.StandardDirectory})" };

        public Option<string?> Label { get; } = new("--label") { Description = "CSV: the label column, by name or 0-based index (default: the last column)" };

        public Option<int> Count { get; } = new("--count") { Description = "Synthetic data: samples to generate", DefaultValueFactory = _ => 400 };

        public Option<double> Noise { get; } = new("--noise") { Description = "Synthetic data: noise", DefaultValueFactory = _ => 0.1 };

        public Option<double> TestSplit { get; } = new("--test-split") { Description = "CSV: share of rows held out as the test set", DefaultValueFactory = _ => 0.2 };

        public Option<string?> Words { get; } = new("--words") { Description = $"--data {WordsName}: the word list, one word per line (default {WordList.StandardPath}, Debian package {WordList.Package})" };

        public IEnumerable<Option> All => [Data, DataDir, Label, Count, Noise, TestSplit, Words];

        public Loaded Load(ParseResult parse, int seed)
        {
            double split = parse.GetValue(TestSplit);
            if (!(split >= 0 && split < 1))
            {
                throw new CliUsageException($"--test-split must be in [0, 1); found {split.ToString(CultureInfo.InvariantCulture)}.");
            }

            return DataSource.Load(parse.GetValue(Data)!, parse.GetValue(DataDir), parse.GetValue(Label), parse.GetValue(Count), parse.GetValue(Noise), seed, split, parse.GetValue(Words));
        }
    }

    /// <summary>
    /// Training data, the test set when the source has one, how to describe it, and a fixed validation split when
    /// the source has one (the word list).
    /// </summary>
    internal sealed record Loaded(Dataset Train, Dataset? Test, string Description, DataKind Kind, Dataset? Validation = null);

    internal enum DataKind
    {
        Synthetic,
        Images,
        Table,
        Words,
    }

    public static Loaded Load(string data, string? dataDir, string? label, int count, double noise, int seed, double testSplit, string? words = null)
    {
        if (data.Equals(WordsName, StringComparison.OrdinalIgnoreCase))
        {
            var list = WordList.Load(words);
            var (train, validation, test) = list.ToDatasets(WordsName);
            return new Loaded(train, test,
                $"words from {list.Source}: {list.All.Count} words (a-z), {list.MaxSteps} steps of {CharacterVocabulary.SymbolCount} symbols; split 80/10/10 with seed {list.Seed}",
                DataKind.Words, validation);
        }

        if (words is not null)
        {
            throw new CliUsageException($"--words gives the word list of --data {WordsName}; the data here is '{data}'.");
        }

        if (SyntheticData.Names.Contains(data, StringComparer.OrdinalIgnoreCase))
        {
            var all = SyntheticData.Create(data.ToLowerInvariant(), count, noise, seed);
            return new Loaded(all, null, $"{all.Name}: {all.Count} generated samples (noise {noise.ToString(CultureInfo.InvariantCulture)}, seed {seed})", DataKind.Synthetic);
        }

        if (data.Equals(FashionMnistName, StringComparison.OrdinalIgnoreCase))
        {
            string directory = FashionMnist.Locate(dataDir);
            var (train, test) = FashionMnist.Load(directory);
            return new Loaded(train, test, $"Fashion-MNIST from {directory}: {train.Count} training and {test.Count} test images", DataKind.Images);
        }

        if (Directory.Exists(data))
        {
            bool fashion = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data))).Contains("fashion", StringComparison.OrdinalIgnoreCase);
            var (train, test) = IdxDataset.LoadDirectory(data, fashion ? FashionMnist.ClassNames : null);
            return new Loaded(train, test, $"IDX images from {data}: {train.Count} training and {test.Count} test images", DataKind.Images);
        }

        if (data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || File.Exists(data))
        {
            var all = CsvDataset.Load(data, new CsvOptions { LabelColumn = label });
            if (testSplit > 0 && all.Count >= 5)
            {
                var (train, test) = all.Split(testSplit, seed);
                return new Loaded(train, test, $"{data}: {all.Count} rows, {all.FeatureShape.Length} features, {Describe(all)}; {test.Count} held out for testing (--test-split {testSplit.ToString(CultureInfo.InvariantCulture)})", DataKind.Table);
            }

            return new Loaded(all, null, $"{data}: {all.Count} rows, {all.FeatureShape.Length} features, {Describe(all)}", DataKind.Table);
        }

        throw new CliUsageException($"unknown dataset '{data}': expected one of {string.Join(", ", SyntheticData.Names)}, {FashionMnistName}, {WordsName}, a directory of IDX files, or a .csv file.");
    }

    private static string Describe(Dataset d) => d.Task switch
    {
        TaskKind.Regression => "regression",
        TaskKind.Sequence => $"{d.Targets.Shape[1]} steps of {d.ClassCount} classes",
        _ => $"{d.ClassCount} classes ({string.Join(", ", (d.ClassNames ?? []).Take(6))}{(d.ClassCount > 6 ? ", ..." : "")})",
    };
}
