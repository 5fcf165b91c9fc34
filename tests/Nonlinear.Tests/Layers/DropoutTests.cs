using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class DropoutTests
{
    private static Dropout Built(double rate, int seed, params int[] shape)
    {
        var layer = new Dropout(rate);
        layer.Build(new TensorShape(shape), Initializer.Auto, new Random(seed));
        return layer;
    }

    [Fact]
    public void Evaluation_is_the_identity_forward_and_backward()
    {
        var layer = Built(0.5, 1, 3, 4, 4);
        var x = FiniteDifferences.RandomInput(1, 2, 3, 4, 4);
        Assert.Equal(x.Span.ToArray(), layer.Forward(x, training: false).Span.ToArray());
        var dy = FiniteDifferences.RandomInput(2, 2, 3, 4, 4);
        Assert.Equal(dy.Span.ToArray(), layer.Backward(dy).Span.ToArray());
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Training_scales_the_kept_elements_and_backward_uses_the_same_mask(double rate)
    {
        var layer = Built(rate, 2, 50);
        var x = FiniteDifferences.RandomInput(3, 40, 50);
        var y = layer.Forward(x, training: true).Span.ToArray();
        var dy = FiniteDifferences.RandomInput(4, 40, 50);
        var dx = layer.Backward(dy).Span.ToArray();
        float scale = (float)(1 / (1 - rate));
        int zeros = 0;
        for (int i = 0; i < y.Length; i++)
        {
            bool kept = y[i] != 0;
            zeros += kept ? 0 : 1;
            Assert.Equal(kept ? x.Span[i] * scale : 0f, y[i]);
            Assert.Equal(kept ? dy.Span[i] * scale : 0f, dx[i]);
        }

        Assert.Equal(rate, zeros / (double)y.Length, 0.03);
    }

    [Fact]
    public void The_share_of_zeros_is_the_rate()
    {
        var layer = Built(0.3, 5, 1000);
        var x = new Tensor(200, 1000);
        x.Fill(1f);
        int zeros = layer.Forward(x, training: true).Span.ToArray().Count(v => v == 0);
        Assert.Equal(0.3, zeros / 200_000.0, 0.005);
    }

    [Fact]
    public void The_same_seed_gives_the_same_masks_and_every_batch_a_new_one()
    {
        var x = new Tensor(8, 64);
        x.Fill(1f);
        var a = Built(0.5, 7, 64);
        var b = Built(0.5, 7, 64);
        var c = Built(0.5, 8, 64);
        var first = a.Forward(x, training: true).Span.ToArray();
        Assert.Equal(first, b.Forward(x, training: true).Span.ToArray());
        Assert.NotEqual(first, c.Forward(x, training: true).Span.ToArray());
        Assert.NotEqual(first, a.Forward(x, training: true).Span.ToArray());

        // Through a model: the same model seed gives the same masks.
        var m1 = Sequential.Parse("dense:32,dropout:0.5,dense:1");
        var m2 = Sequential.Parse("dense:32,dropout:0.5,dense:1");
        m1.Build(new TensorShape(3), seed: 4);
        m2.Build(new TensorShape(3), seed: 4);
        var input = FiniteDifferences.RandomInput(1, 16, 3);
        Assert.Equal(m1.Forward(input, training: true).Span.ToArray(), m2.Forward(input, training: true).Span.ToArray());
    }

    [Fact]
    public void A_zero_rate_keeps_everything_and_a_rate_of_one_is_rejected()
    {
        var layer = Built(0, 1, 10);
        var x = FiniteDifferences.RandomInput(1, 4, 10);
        Assert.Equal(x.Span.ToArray(), layer.Forward(x, training: true).Span.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(double.NaN));
    }
}
