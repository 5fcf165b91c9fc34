using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class BatchIteratorTests
{
    [Fact]
    public void Every_sample_appears_exactly_once_per_epoch_with_its_own_target()
    {
        var batches = new BatchIterator(DatasetTests.Numbered(23), batchSize: 5, shuffle: true, seed: 3);
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var seen = new List<int>();
            foreach (var (x, y) in batches.Epoch(epoch))
            {
                for (int r = 0; r < x.BatchSize; r++)
                {
                    int id = (int)y[r, 0];
                    Assert.Equal(10f * id, x[r, 0]);
                    Assert.Equal(10f * id + 1, x[r, 1]);
                    seen.Add(id);
                }
            }

            Assert.Equal(Enumerable.Range(0, 23), seen.Order());
        }
    }

    [Fact]
    public void The_last_batch_holds_the_remainder_in_its_own_buffer()
    {
        var batches = new BatchIterator(DatasetTests.Numbered(23), batchSize: 5, shuffle: false, seed: 0);
        Assert.Equal(5, batches.BatchesPerEpoch);
        var sizes = new List<int>();
        foreach (var (x, y) in batches.Epoch(0))
        {
            sizes.Add(x.BatchSize);
            Assert.Equal(x.BatchSize, y.BatchSize);
        }

        Assert.Equal([5, 5, 5, 5, 3], sizes);

        batches.Fill(0, 0, out var full, out _);
        batches.Fill(0, 1, out var full2, out _);
        batches.Fill(0, 4, out var last, out _);
        Assert.Same(full, full2);
        Assert.NotSame(full, last);
        Assert.Equal(new TensorShape(3, 2), last.Shape);
        Assert.Equal([200f, 201f, 210f, 211f, 220f, 221f], last.Span.ToArray());
    }

    [Fact]
    public void Without_shuffle_batches_follow_dataset_order_and_a_batch_larger_than_the_data_is_one_partial_batch()
    {
        var ordered = new BatchIterator(DatasetTests.Numbered(6), batchSize: 4, shuffle: false, seed: 0);
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], Order(ordered, 7));

        var big = new BatchIterator(DatasetTests.Numbered(3), batchSize: 10, shuffle: true, seed: 0);
        Assert.Equal(1, big.BatchesPerEpoch);
        big.Fill(0, 0, out var x, out _);
        Assert.Equal(3, x.BatchSize);
    }

    [Fact]
    public void The_shuffle_depends_only_on_seed_and_epoch_and_differs_between_epochs()
    {
        var data = DatasetTests.Numbered(40);
        var a = new BatchIterator(data, 8, shuffle: true, seed: 11);
        var b = new BatchIterator(data, 8, shuffle: true, seed: 11);
        var c = new BatchIterator(data, 8, shuffle: true, seed: 12);

        var a3 = Order(a, 3);
        Order(b, 0);
        Order(b, 7);
        Assert.Equal(a3, Order(b, 3));  // visiting other epochs first changes nothing
        Assert.NotEqual(a3, Order(a, 4));
        Assert.NotEqual(a3, Order(c, 3));
        Assert.NotEqual(Enumerable.Range(0, 40).Select(i => (float)i), a3);
    }

    [Fact]
    public void Batches_are_identical_bit_for_bit_for_the_same_seed()
    {
        var data = SyntheticData.Spiral(101, 0.1, seed: 5, classes: 3);
        var a = new BatchIterator(data, 16, shuffle: true, seed: 2);
        var b = new BatchIterator(data, 16, shuffle: true, seed: 2);
        for (int i = 0; i < a.BatchesPerEpoch; i++)
        {
            a.Fill(1, i, out var xa, out var ya);
            b.Fill(1, i, out var xb, out var yb);
            Assert.Equal(Bits(xa), Bits(xb));
            Assert.Equal(Bits(ya), Bits(yb));
        }
    }

    [Fact]
    public void Steady_state_batching_allocates_nothing()
    {
        var data = SyntheticData.Moons(1000, 0.1, seed: 1);
        var batches = new BatchIterator(data, 64, shuffle: true, seed: 4);   // 15 full batches and one of 40
        float sink = 0;

        // Warm-up: JIT-compile both paths before measuring.
        for (int e = 0; e < 2; e++)
        {
            sink += Consume(batches, e);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int e = 2; e < 50; e++)
        {
            sink += Consume(batches, e);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var data = DatasetTests.Numbered(10);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchIterator(data, 0, true, 1));
        var batches = new BatchIterator(data, 4, true, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Fill(0, 3, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Fill(-1, 0, out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => batches.Epoch(-1));
    }

    // Both APIs: foreach over the struct enumerable (even epochs) and direct Fill calls (odd epochs).
    private static float Consume(BatchIterator batches, int epoch)
    {
        float sum = 0;
        if (epoch % 2 == 0)
        {
            foreach (var (x, y) in batches.Epoch(epoch))
            {
                sum += x.Span[0] + y.Span[^1];
            }
        }
        else
        {
            for (int i = 0; i < batches.BatchesPerEpoch; i++)
            {
                batches.Fill(epoch, i, out var x, out var y);
                sum += x.Span[0] + y.Span[^1];
            }
        }

        return sum;
    }

    private static float[] Order(BatchIterator batches, int epoch)
    {
        var ids = new List<float>();
        foreach (var (_, y) in batches.Epoch(epoch))
        {
            ids.AddRange(y.Span.ToArray());
        }

        return [.. ids];
    }

    private static int[] Bits(Tensor t) => t.Span.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
