using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class Im2ColTests
{
    [Theory]
    [InlineData(3, 0, 13, 13)]
    [InlineData(3, 1, 5, 7)]
    [InlineData(5, 2, 20, 37)]
    [InlineData(3, 2, 2, 3)]
    [InlineData(1, 0, 17, 16)]
    [InlineData(4, 3, 33, 9)]
    [InlineData(3, 0, 3, 3)]
    [InlineData(3, 1, 1, 1)]
    [InlineData(2, 0, 9, 4)]
    [InlineData(3, 1, 6, 8)]
    public void The_gather_fold_gives_the_same_bits_as_the_scatter_fold(int k, int padding, int h, int w)
    {
        var x = Nonlinear.Tests.Layers.FiniteDifferences.RandomInput(1, 2, 3, h, w);
        float[] InputGradient(int width)
        {
            int before = Im2Col.Width;
            try
            {
                Im2Col.Width = width;
                var layer = new Conv2D(4, k, 1, padding);
                layer.Build(new TensorShape(3, h, w), Initializer.Glorot, new Random(2));
                var y = layer.Forward(x, training: true);
                var dy = Nonlinear.Tests.Layers.FiniteDifferences.RandomInput(3, y.Shape.ToArray());
                return layer.Backward(dy).Span.ToArray();
            }
            finally
            {
                Im2Col.Width = before;
            }
        }

        var scatter = InputGradient(0);
        Assert.Equal(scatter, InputGradient(128));
        Assert.Equal(scatter, InputGradient(256));
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            Assert.Equal(scatter, InputGradient(512));
        }
    }

    [Theory]
    [InlineData(1, 3, 1, 0, 28, 28)]
    [InlineData(32, 3, 1, 0, 13, 13)]
    [InlineData(3, 3, 2, 1, 11, 9)]
    [InlineData(2, 5, 1, 2, 7, 12)]
    [InlineData(2, 2, 3, 2, 8, 5)]
    [InlineData(1, 3, 1, 1, 1, 1)]
    [InlineData(4, 1, 1, 0, 9, 7)]
    [InlineData(2, 4, 1, 3, 3, 2)]
    public void Every_unfold_writes_the_same_bits_as_the_reference_unfold(int channels, int k, int stride, int pad, int h, int w)
    {
        int outH = Im2Col.OutputSize(h, k, stride, pad), outW = Im2Col.OutputSize(w, k, stride, pad);
        int pixels = outH * outW, patch = channels * k * k;
        var image = Nonlinear.Tests.Layers.FiniteDifferences.RandomInput(5, channels, h, w).Span.ToArray();
        // Values whose bits a copy must keep: NaN, infinities, -0, the largest float, a subnormal.
        float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.MaxValue, float.Epsilon];
        for (int s = 0; s < special.Length; s++)
        {
            image[(s * 37) % image.Length] = special[s];
        }

        // The table path runs everywhere: AVX2 gathers where supported (nr a multiple of 8), scalar loads otherwise.
        bool canGather = true;
        var reference = new float[patch * pixels];
        Im2Col.UnfoldSpan(image, channels, h, w, k, stride, pad, 0, 0, gather: false, reference);
        if (canGather)
        {
            var gathered = new float[patch * pixels];
            Im2Col.UnfoldSpan(image, channels, h, w, k, stride, pad, 0, 0, gather: true, gathered);
            Assert.Equal(Bits(reference), Bits(gathered));
        }

        foreach (int nr in new[] { 8, 12, 16, 32 })
        {
            // Packed strips of the whole image, and of the range from the second strip on.
            foreach (int q0 in new[] { 0, nr })
            {
                if (q0 >= pixels)
                {
                    continue;
                }

                int strips = (pixels - q0 + nr - 1) / nr;
                var expected = new float[strips * nr * patch];
                for (int s = 0; s < strips; s++)
                {
                    for (int r = 0; r < patch; r++)
                    {
                        for (int lane = 0; lane < nr; lane++)
                        {
                            int q = q0 + s * nr + lane;
                            expected[(s * patch + r) * nr + lane] = q < pixels ? reference[r * pixels + q] : 0f;
                        }
                    }
                }

                var copied = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                Im2Col.UnfoldSpan(image, channels, h, w, k, stride, pad, q0, nr, gather: false, copied);
                Assert.Equal(Bits(expected), Bits(copied));
                if (canGather)
                {
                    var gathered = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                    Im2Col.UnfoldSpan(image, channels, h, w, k, stride, pad, q0, nr, gather: true, gathered);
                    Assert.Equal(Bits(expected), Bits(gathered));
                }
            }
        }
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
