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
}
