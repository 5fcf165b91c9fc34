using System.Text.Json;
using Nonlinear.Cli;
using Nonlinear.Data;
using Nonlinear.Tests.Data;
using Xunit;

namespace Nonlinear.Tests.Cli;

/// <summary>
/// The Fashion-MNIST workflow on the subset shipped in data/ (train, evaluate, predict), CSV tables, and the
/// errors a user meets on the way.
/// </summary>
public sealed class RealDataCommandTests : IDisposable
{
    private static readonly string Subset = Path.Combine(DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset");
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string TrainSubsetModel(string model, int epochs)
    {
        string path = _files.Path($"{model}.nlm");
        var run = CliRun.Of("train", "--data", Subset, "--model", model, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", path, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return path;
    }

    [Fact]
    public void Train_evaluate_and_predict_on_the_shipped_subset()
    {
        string path = _files.Path("mlp.nlm");
        var train = CliRun.Of("train", "--data", Subset, "--model", "mlp", "--epochs", "4", "--save", path, "--json");
        Assert.True(train.ExitCode == 0, train.Stderr);
        var summary = JsonDocument.Parse(train.Stdout).RootElement;
        Assert.Equal("flatten,dense:256,relu,dense:128,relu,dense:10", summary.GetProperty("model").GetString());
        Assert.Equal("test", summary.GetProperty("finalOn").GetString());
        Assert.Equal(500, summary.GetProperty("finalSamples").GetInt32());
        Assert.Equal(1800, summary.GetProperty("trainSamples").GetInt32()); // 10% of the 2,000 held out for validation
        Assert.True(summary.GetProperty("normalized").GetBoolean());
        double accuracy = summary.GetProperty("finalAccuracy").GetDouble();
        Assert.InRange(accuracy, 0.70, 1.0); // ten classes: chance is 0.10

        var evaluate = CliRun.Of("evaluate", "--model", path, "--data", Subset, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        var metrics = JsonDocument.Parse(evaluate.Stdout).RootElement;
        Assert.Equal(500, metrics.GetProperty("samples").GetInt32());
        Assert.Equal(accuracy, metrics.GetProperty("accuracy").GetDouble(), 6); // the saved normalisation reproduces training's test accuracy
        var classes = metrics.GetProperty("classes").EnumerateArray().ToList();
        Assert.Equal(FashionMnist.ClassNames, classes.Select(c => c.GetProperty("name").GetString()));
        var confusion = metrics.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        Assert.Equal(500, confusion.Sum(r => r.Sum()));
        Assert.Equal(classes.Select(c => c.GetProperty("samples").GetInt32()), confusion.Select(r => r.Sum()));
        int diagonal = Enumerable.Range(0, 10).Sum(i => confusion[i][i]);
        Assert.Equal(accuracy, diagonal / 500.0, 6);

        var table = CliRun.Of("evaluate", "--model", path, "--data", Subset);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Ankle boot", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", table.Stdout, StringComparison.Ordinal);

        // Test image 17 is a coat; its label is read from the labels file beside the images.
        var predict = CliRun.Of("predict", "--model", path, "--idx", Path.Combine(Subset, "t10k-images-idx3-ubyte.gz"), "--index", "17", "--json");
        Assert.True(predict.ExitCode == 0, predict.Stderr);
        var p = JsonDocument.Parse(predict.Stdout).RootElement;
        Assert.Equal("Coat", p.GetProperty("actual").GetString());
        var top = p.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("probability").GetDouble()).ToArray();
        Assert.Equal(3, top.Length);
        Assert.True(top[0] >= top[1] && top[1] >= top[2]);
        Assert.InRange(top.Sum(), 0.0, 1.0 + 1e-6);
    }

    [Fact]
    public void Predict_reads_a_png_and_inverts_a_dark_object_on_white()
    {
        string model = TrainSubsetModel("mlp", 2);
        var idx = IdxFile.Read(Path.Combine(Subset, "t10k-images-idx3-ubyte.gz"));
        var pixels = idx.Data.AsSpan(17 * 784, 784).ToArray();
        var inverted = pixels.Select(b => (byte)(255 - b)).ToArray();
        string png = _files.Write("coat.png", Data.PngImageTests.Encode(inverted, 28, 28, colorType: 0, filter: 4));

        var fromPng = JsonDocument.Parse(CliRun.Of("predict", "--model", model, "--image", png, "--json").Stdout).RootElement;
        Assert.Contains("inverted", fromPng.GetProperty("input").GetString(), StringComparison.Ordinal);
        var fromIdx = JsonDocument.Parse(CliRun.Of("predict", "--model", model, "--idx", Path.Combine(Subset, "t10k-images-idx3-ubyte.gz"), "--index", "17", "--json").Stdout).RootElement;
        // Inverting the inverted image gives the IDX pixels back exactly, so the predictions agree.
        Assert.Equal(Top(fromIdx), Top(fromPng));

        var notInverted = JsonDocument.Parse(CliRun.Of("predict", "--model", model, "--image", png, "--invert", "no", "--json").Stdout).RootElement;
        Assert.DoesNotContain("inverted", notInverted.GetProperty("input").GetString(), StringComparison.Ordinal);

        static string[] Top(JsonElement e) => e.GetProperty("top").EnumerateArray().Select(t => $"{t.GetProperty("class").GetString()} {t.GetProperty("probability").GetDouble():F5}").ToArray();
    }

    [Fact]
    public void A_cnn_trains_on_the_subset()
    {
        var run = CliRun.Of("train", "--data", Subset, "--model", "cnn", "--epochs", "2", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal(225_034, summary.GetProperty("parameters").GetInt32());
        Assert.InRange(summary.GetProperty("finalAccuracy").GetDouble(), 0.6, 1.0);
    }

    [Fact]
    public void Augmentation_is_for_images_and_names_a_bad_token()
    {
        var ok = CliRun.Of("train", "--data", Subset, "--layers", "16", "--activation", "relu", "--epochs", "1", "--augment", "flip,shift:1", "--json");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        var bad = CliRun.Of("train", "--data", Subset, "--epochs", "1", "--augment", "rotate");
        Assert.Equal(CliApp.UsageError, bad.ExitCode);
        Assert.Contains("'rotate'", bad.Stderr, StringComparison.Ordinal);
        var table = CliRun.Of("train", "--data", "moons", "--epochs", "1", "--augment", "flip");
        Assert.Equal(CliApp.UsageError, table.ExitCode);
        Assert.Contains("--augment works on images", table.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_tables_train_with_string_labels_and_a_held_out_test_split()
    {
        var rows = new System.Text.StringBuilder("width;height;kind\n");
        var rng = new Random(3);
        for (int i = 0; i < 300; i++)
        {
            int c = i % 3;
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{c * 2 + rng.NextDouble():F3};{10 + c + rng.NextDouble():F3};{new[] { "small", "medium", "large" }[c]}\n");
        }

        string csv = _files.WriteText("sizes.csv", rows.ToString());
        string model = _files.Path("sizes.nlm");
        var run = CliRun.Of("train", "--data", csv, "--label", "kind", "--layers", "16", "--activation", "relu", "--epochs", "60", "--save", model, "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("test", summary.GetProperty("finalOn").GetString());
        Assert.Equal(60, summary.GetProperty("finalSamples").GetInt32()); // --test-split 0.2 of 300
        Assert.True(summary.GetProperty("finalAccuracy").GetDouble() > 0.9);

        // Evaluating on a file holding only two of the classes maps them to the model's classes by name.
        string part = _files.WriteText("part.csv", "width;height;kind\n4.5;12.5;large\n0.5;10.5;small\n4.2;12.1;large\n");
        var evaluate = JsonDocument.Parse(CliRun.Of("evaluate", "--model", model, "--data", part, "--label", "kind", "--test-split", "0", "--json").Stdout).RootElement;
        Assert.Equal(["large", "medium", "small"], evaluate.GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(1.0, evaluate.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void Bad_data_gets_one_line_naming_the_file_and_the_fix()
    {
        var missing = CliRun.Of("train", "--data", "fashion-mnist", "--data-dir", _files.Path("nowhere"), "--epochs", "1");
        Assert.Equal(CliApp.UsageError, missing.ExitCode);
        Assert.Contains("apt-get install dataset-fashion-mnist", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist-subset", missing.Stderr, StringComparison.Ordinal);

        string ragged = _files.WriteText("ragged.csv", "a,b,label\n1,2,x\n3,4,y\n5,y\n");
        var csv = CliRun.Of("train", "--data", ragged, "--epochs", "1");
        Assert.Equal(CliApp.UsageError, csv.ExitCode);
        Assert.Contains("ragged.csv, line 4", csv.Stderr, StringComparison.Ordinal);

        var unknown = CliRun.Of("train", "--data", "imagenet", "--epochs", "1");
        Assert.Equal(CliApp.UsageError, unknown.ExitCode);
        Assert.Contains("unknown dataset 'imagenet'", unknown.Stderr, StringComparison.Ordinal);

        string model = TrainSubsetModel("mlp", 1);
        var index = CliRun.Of("predict", "--model", model, "--idx", Path.Combine(Subset, "t10k-images-idx3-ubyte.gz"), "--index", "500");
        Assert.Equal(CliApp.UsageError, index.ExitCode);
        Assert.Contains("holds 500 images", index.Stderr, StringComparison.Ordinal);

        string notPng = _files.WriteText("fake.png", "hello");
        var png = CliRun.Of("predict", "--model", model, "--image", notPng);
        Assert.Equal(CliApp.UsageError, png.ExitCode);
        Assert.Contains("fake.png: not a PNG file", png.Stderr, StringComparison.Ordinal);

        foreach (var run in new[] { missing, csv, unknown, index, png })
        {
            Assert.Single(run.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        }
    }
}
