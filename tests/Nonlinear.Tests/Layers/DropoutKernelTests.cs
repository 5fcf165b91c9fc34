using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class DropoutKernelTests
{
    [Theory]
    [InlineData(0.5, 1)]
    [InlineData(0.5, 15)]
    [InlineData(0.3, 16)]
    [InlineData(0.1, 33)]
    [InlineData(0.5, 1600)]
    [InlineData(0.9, 1037)]
    public void The_vector_masks_equal_the_scalar_ones_bit_for_bit_batch_after_batch(double rate, int features)
    {
        // Every width this machine runs (the 512-, 256- and 128-bit mask loops where the hardware has them).
        foreach (int width in Nonlinear.Tests.Activations.KernelSettings.Widths)
        {
            Nonlinear.Tests.Activations.KernelSettings.WithWidth(width, () =>
            {
                CheckAgainstScalar(rate, features);
                return 0;
            });
        }
    }

    private static void CheckAgainstScalar(double rate, int features)
    {
        var vector = new Dropout(rate);
        var scalar = new Dropout(rate);
        vector.Build(new TensorShape(features), Initializer.Auto, new Random(3));
        scalar.Build(new TensorShape(features), Initializer.Auto, new Random(3));
        var x = FiniteDifferences.RandomInput(2, 3, features);
        var dy = FiniteDifferences.RandomInput(4, 3, features);
        bool saved = Dropout.UseVector;
        try
        {
            for (int batch = 0; batch < 3; batch++)
            {
                Dropout.UseVector = true;
                var yv = vector.Forward(x, training: true).Span.ToArray();
                var dxv = vector.Backward(dy).Span.ToArray();
                Dropout.UseVector = false;
                var ys = scalar.Forward(x, training: true).Span.ToArray();
                var dxs = scalar.Backward(dy).Span.ToArray();
                Assert.Equal(ys, yv);
                Assert.Equal(dxs, dxv);
            }
        }
        finally
        {
            Dropout.UseVector = saved;
        }
    }
}
