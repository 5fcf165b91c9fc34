using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

/// <summary>Rank-4 features [N, C, H, W] go through Dataset, Subset, Split and BatchIterator sample by sample.</summary>
public sealed class ImageDatasetTests
{
    // Sample i: 2 channels of 3x3 pixels, pixel k holding 100 i + k; label i mod 3.
    private static Dataset Images(int n)
    {
        var x = new float[n * 18];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 18; k++)
            {
                x[i * 18 + k] = 100 * i + k;
            }

            y[i] = i % 3;
        }

        return new Dataset("img", Tensor.FromArray(x, n, 2, 3, 3), Tensor.FromArray(y, n), TaskKind.Multiclass, 3);
    }

    private static void AssertSample(Tensor x, int row, int id)
    {
        for (int k = 0; k < 18; k++)
        {
            Assert.Equal(100f * id + k, x.Span[row * 18 + k]);
        }
    }

    [Fact]
    public void Subset_and_split_keep_whole_images_and_their_shape()
    {
        var d = Images(10);
        var s = d.Subset([7, 2, 7]);
        Assert.Equal(new TensorShape(3, 2, 3, 3), s.Features.Shape);
        AssertSample(s.Features, 0, 7);
        AssertSample(s.Features, 1, 2);
        AssertSample(s.Features, 2, 7);

        var (a, b) = d.Split(0.3, seed: 4);
        Assert.Equal(new TensorShape(7, 2, 3, 3), a.Features.Shape);
        Assert.Equal(new TensorShape(3, 2, 3, 3), b.Features.Shape);
        var ids = new List<int>();
        foreach (var part in new[] { a, b })
        {
            for (int r = 0; r < part.Count; r++)
            {
                int id = (int)(part.Features.Span[r * 18] / 100);
                AssertSample(part.Features, r, id);
                Assert.Equal(id % 3, part.Targets.Span[r]);
                ids.Add(id);
            }
        }

        Assert.Equal(Enumerable.Range(0, 10), ids.Order());
    }

    [Fact]
    public void Batches_of_images_hold_whole_samples_with_their_labels()
    {
        var batches = new BatchIterator(Images(11), batchSize: 4, shuffle: true, seed: 9);
        var seen = new List<int>();
        foreach (var (x, y) in batches.Epoch(1))
        {
            Assert.Equal(4, x.Rank);
            Assert.Equal([2, 3, 3], x.Shape.Skip(1));
            for (int r = 0; r < x.BatchSize; r++)
            {
                int id = (int)(x.Span[r * 18] / 100);
                AssertSample(x, r, id);
                Assert.Equal(id % 3, y.Span[r]);
                seen.Add(id);
            }
        }

        Assert.Equal(Enumerable.Range(0, 11), seen.Order());
    }
}
