using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Tensors;
using Nonlinear.Tests.Data;
using Xunit;

namespace Nonlinear.Tests.Data.Sequences;

public sealed class ImageRowsTests
{
    private static string Subset => Path.Combine(DataFiles.RepositoryRoot(), FashionMnist.SubsetDirectory);

    [Fact]
    public void The_fashion_mnist_subset_becomes_28_steps_of_28_pixel_rows()
    {
        var (images, imageTest) = FashionMnist.Load(Subset);
        var (train, test) = ImageRows.LoadFashionMnist(Subset);
        Assert.Equal(new TensorShape(2000, 28, 28), train.Features.Shape);
        Assert.Equal(new TensorShape(500, 28, 28), test.Features.Shape);
        Assert.Equal(new TensorShape(28, 28), train.FeatureShape);
        Assert.Equal(images.Targets.Span.ToArray(), train.Targets.Span.ToArray());
        Assert.Equal(imageTest.Targets.Span.ToArray(), test.Targets.Span.ToArray());
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames!);
        Assert.Equal(TaskKind.Multiclass, test.Task);
        Assert.Equal(10, test.ClassCount);

        // Step t of sample n is pixel row t of image n, left to right.
        foreach (int n in new[] { 0, 1, 777, 1999 })
        {
            foreach (int t in new[] { 0, 13, 27 })
            {
                for (int w = 0; w < 28; w++)
                {
                    Assert.Equal(images.Features[n, 0, t, w], train.Features[n, t, w]);
                }
            }
        }
    }

    [Fact]
    public void Only_single_channel_images_read_as_rows()
    {
        var rgb = new Dataset("rgb", new Tensor(2, 3, 4, 4), Tensor.FromArray([0f, 1f], 2), TaskKind.Multiclass, 2);
        var e = Assert.Throws<ArgumentException>(() => ImageRows.FromImages(rgb));
        Assert.Contains("[N, 1, H, W]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 4, 4]", e.Message, StringComparison.Ordinal);

        var rows = new Dataset("rows", new Tensor(2, 5, 4), Tensor.FromArray([0f, 1f], 2), TaskKind.Multiclass, 2);
        Assert.Same(rows, ImageRows.FromImages(rows));
    }
}
