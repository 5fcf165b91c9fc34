using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class ImageAugmentationTests
{
    private static Tensor Batch(int n, int c, int h, int w)
    {
        var t = new Tensor(n, c, h, w);
        for (int i = 0; i < t.Span.Length; i++)
        {
            t.Span[i] = i; // every pixel distinct, so moves are visible
        }

        return t;
    }

    [Fact]
    public void Flips_mirror_about_half_of_the_images_exactly()
    {
        var batch = Batch(400, 1, 3, 4);
        var original = batch.Clone();
        new ImageAugmentation(flip: true, maxShift: 0, seed: 5).Apply(batch, epoch: 0, batchIndex: 0);
        int mirrored = 0;
        for (int i = 0; i < 400; i++)
        {
            var a = original.Span.Slice(i * 12, 12).ToArray();
            var b = batch.Span.Slice(i * 12, 12).ToArray();
            if (a.SequenceEqual(b))
            {
                continue;
            }

            mirrored++;
            for (int y = 0; y < 3; y++)
            {
                for (int x = 0; x < 4; x++)
                {
                    Assert.Equal(a[(y * 4) + (3 - x)], b[(y * 4) + x]);
                }
            }
        }

        Assert.InRange(mirrored, 160, 240);
    }

    [Fact]
    public void Shifts_move_pixels_and_repeat_the_edge_and_keep_channels_together()
    {
        var batch = Batch(200, 2, 6, 6);
        var original = batch.Clone();
        new ImageAugmentation(flip: false, maxShift: 2, seed: 9).Apply(batch, 3, 7);
        var seen = new HashSet<(int, int)>();
        for (int i = 0; i < 200; i++)
        {
            // Find the shift that explains channel 0, then check it explains channel 1 too.
            bool found = false;
            for (int dy = -2; dy <= 2 && !found; dy++)
            {
                for (int dx = -2; dx <= 2 && !found; dx++)
                {
                    if (Explains(original, batch, i, dy, dx, 0) && Explains(original, batch, i, dy, dx, 1))
                    {
                        found = true;
                        seen.Add((dy, dx));
                    }
                }
            }

            Assert.True(found, $"image {i} is not a shift of the original");
        }

        Assert.True(seen.Count >= 20, $"only {seen.Count} of the 25 shifts occurred"); // uniform over [-2, 2]^2

        static bool Explains(Tensor before, Tensor after, int i, int dy, int dx, int ch)
        {
            int offset = ((i * 2) + ch) * 36;
            for (int y = 0; y < 6; y++)
            {
                for (int x = 0; x < 6; x++)
                {
                    int sy = Math.Clamp(y - dy, 0, 5), sx = Math.Clamp(x - dx, 0, 5);
                    if (after.Span[offset + (y * 6) + x] != before.Span[offset + (sy * 6) + sx])
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }

    [Fact]
    public void The_same_seed_epoch_and_batch_give_the_same_images_and_others_differ()
    {
        var a = Batch(64, 1, 8, 8);
        var b = Batch(64, 1, 8, 8);
        var c = Batch(64, 1, 8, 8);
        new ImageAugmentation(true, 2, 1).Apply(a, 2, 5);
        new ImageAugmentation(true, 2, 1).Apply(b, 2, 5);
        new ImageAugmentation(true, 2, 1).Apply(c, 3, 5);
        Assert.True(a.Span.SequenceEqual(b.Span));
        Assert.False(a.Span.SequenceEqual(c.Span));
    }

    [Fact]
    public void Parse_reads_the_cli_form_and_rejects_anything_else()
    {
        var both = ImageAugmentation.Parse("flip, shift:3", 1)!;
        Assert.True(both.Flip);
        Assert.Equal(3, both.MaxShift);
        Assert.Equal("flip,shift:3", both.ToString());
        Assert.Equal(2, ImageAugmentation.Parse("shift", 1)!.MaxShift);
        Assert.Null(ImageAugmentation.Parse("none", 1));
        Assert.Contains("'rotate'", Assert.Throws<FormatException>(() => ImageAugmentation.Parse("flip,rotate", 1)).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => ImageAugmentation.Parse("shift:9", 1));
        Assert.Throws<ArgumentException>(() => new ImageAugmentation(true, 1, 0).Apply(new Tensor(4, 16), 0, 0));
    }
}
