using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Data;

/// <summary>
/// Tests on the full Fashion-MNIST of the Debian package dataset-fashion-mnist, which .ci/run installs. They fail
/// (with the install command) rather than pass silently when the package is missing; run the rest of the suite
/// without them with <c>--filter "Category!=FullData"</c>.
/// </summary>
[Trait("Category", "FullData")]
public sealed class FullDataTests
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> Full = new(() =>
    {
        bool installed = IdxDataset.StandardFileNames.All(
            f => File.Exists(Path.Combine(FashionMnist.StandardDirectory, f + ".gz")) || File.Exists(Path.Combine(FashionMnist.StandardDirectory, f)));
        Assert.True(installed, $"The full Fashion-MNIST is not under {FashionMnist.StandardDirectory}: sudo apt-get install dataset-fashion-mnist (or run the suite with --filter \"Category!=FullData\").");
        return FashionMnist.Load(FashionMnist.Locate(null));
    });

    [Fact]
    public void The_package_holds_60000_balanced_training_and_10000_test_images()
    {
        var (train, test) = Full.Value;
        Assert.Equal(new TensorShape(60000, 1, 28, 28), train.Features.Shape);
        Assert.Equal(new TensorShape(10000, 1, 28, 28), test.Features.Shape);
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(6000, train.Targets.Span.ToArray().Count(v => v == c)); // Fashion-MNIST is exactly balanced
            Assert.Equal(1000, test.Targets.Span.ToArray().Count(v => v == c));
        }
    }

    [Fact]
    public void The_shipped_subset_is_the_first_records_of_the_package()
    {
        _ = Full.Value;
        string subset = Path.Combine(DataFiles.RepositoryRoot(), FashionMnist.SubsetDirectory);
        foreach (var name in IdxDataset.StandardFileNames)
        {
            var part = IdxFile.Read(Path.Combine(subset, name + ".gz"));
            var full = IdxFile.Read(IdxDataset.FindFile(FashionMnist.StandardDirectory, name));
            Assert.Equal(full.Dimensions.Skip(1), part.Dimensions.Skip(1));
            Assert.Equal(name.StartsWith("train", StringComparison.Ordinal) ? 2000 : 500, part.Count);
            Assert.True(full.Data.AsSpan(0, part.Data.Length).SequenceEqual(part.Data), $"{name} differs from the package's first {part.Count} records");
        }
    }

    [Fact]
    public void One_epoch_of_the_mlp_on_all_60000_images_passes_80_percent_on_the_test_set()
    {
        var (train, test) = Full.Value;
        var normalization = Normalization.FitStandardization(train, perChannel: true);
        var model = Sequential.Parse("flatten,dense:256,relu,dense:128,relu,dense:10");
        model.Build(train.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.001));
        trainer.Fit(normalization.Apply(train), epochs: 1, batchSize: 128, seed: 1);
        var result = trainer.Evaluate(normalization.Apply(test), 1000);
        Assert.True(result.Accuracy >= 0.80, $"test accuracy {result.Accuracy:F4} after one epoch");
        Assert.Equal(10000, result.Count);
    }
}
