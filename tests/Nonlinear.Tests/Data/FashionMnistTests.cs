using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Subset => Path.Combine(DataFiles.RepositoryRoot(), FashionMnist.SubsetDirectory);


    [Fact]
    public void Locate_explains_how_to_get_the_data_when_it_is_missing()
    {
        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Locate(_files.Directory));
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message, StringComparison.Ordinal);
        Assert.Contains("--data-dir", e.Message, StringComparison.Ordinal);
        Assert.Contains("data/fashion-mnist-subset", e.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte[.gz]", e.Message, StringComparison.Ordinal);
        Assert.Equal(_files.Directory, e.FileName);

        Assert.Equal(Subset, FashionMnist.Locate(Subset));
    }

    [Fact]
    public void The_shipped_subset_loads_as_2000_and_500_labelled_28x28_images_of_all_ten_classes()
    {
        var (train, test) = FashionMnist.Load(Subset);
        Assert.Equal(2000, train.Count);
        Assert.Equal(500, test.Count);
        Assert.Equal(new TensorShape(1, 28, 28), train.FeatureShape);
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames!);
        Assert.Equal(10, test.ClassCount);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);

        foreach (var set in new[] { train, test })
        {
            var counts = new int[10];
            foreach (float label in set.Targets.Span)
            {
                counts[(int)label]++;
            }

            // Roughly balanced: each class holds at least half its fair share.
            Assert.All(counts, c => Assert.True(c >= set.Count / 20, $"class counts {string.Join(", ", counts)}"));
            var x = set.Features.Span;
            Assert.True(System.Numerics.Tensors.TensorPrimitives.Min(x) >= 0f);
            Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Max(x));
        }
    }

    [Fact]
    public void Images_that_are_not_28x28_are_not_fashion_mnist()
    {
        foreach (var (name, n) in new[] { ("train", 2), ("t10k", 1) })
        {
            _files.Write($"{name}-images-idx3-ubyte", DataFiles.Idx([n, 2, 2], new byte[4 * n]));
            _files.Write($"{name}-labels-idx1-ubyte", DataFiles.Idx([n], new byte[n]));
        }

        var e = Assert.Throws<DataFormatException>(() => FashionMnist.Load(_files.Directory));
        Assert.Contains("28x28", e.Message, StringComparison.Ordinal);
        Assert.Contains("2x2", e.Message, StringComparison.Ordinal);
    }
}
