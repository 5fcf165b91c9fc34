using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class BatchNormThreadingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Channels_split_over_threads_give_what_one_thread_gives_bit_for_bit(bool training)
    {
        var x = FiniteDifferences.RandomInput(3, 16, 7, 9, 9);
        var dy = FiniteDifferences.RandomInput(4, 16, 7, 9, 9);
        (float[] Y, float[] Dx, float[] DGamma, float[] DBeta, float[] Mean, float[] Var) Run(int threads, int parallelElements)
        {
            int beforeThreads = Engine.MaxThreads, beforeElements = BatchNorm.ParallelElements;
            try
            {
                Engine.MaxThreads = threads;
                BatchNorm.ParallelElements = parallelElements;
                var layer = new BatchNorm();
                layer.Build(new TensorShape(7, 9, 9), Initializer.Auto, new Random(1));
                var rng = new Random(2);
                for (int c = 0; c < 7; c++)
                {
                    layer.Gamma.Value.Span[c] = (float)(0.5 + rng.NextDouble());
                    layer.Beta.Value.Span[c] = (float)(rng.NextDouble() - 0.5);
                }

                // Two batches, so that the second one's backward follows a forward that used updated running statistics.
                layer.Forward(x, training);
                layer.Backward(dy);
                var y = layer.Forward(x, training).Span.ToArray();
                layer.Gamma.ZeroGradient();
                layer.Beta.ZeroGradient();
                var dx = layer.Backward(dy).Span.ToArray();
                return (y, dx, layer.Gamma.Gradient.Span.ToArray(), layer.Beta.Gradient.Span.ToArray(),
                        layer.RunningMean.Span.ToArray(), layer.RunningVariance.Span.ToArray());
            }
            finally
            {
                Engine.MaxThreads = beforeThreads;
                BatchNorm.ParallelElements = beforeElements;
            }
        }

        var one = Run(1, int.MaxValue);
        foreach (int threads in new[] { 2, 3 })
        {
            var split = Run(threads, 0);
            Assert.Equal(one.Y, split.Y);
            Assert.Equal(one.Dx, split.Dx);
            Assert.Equal(one.DGamma, split.DGamma);
            Assert.Equal(one.DBeta, split.DBeta);
            Assert.Equal(one.Mean, split.Mean);
            Assert.Equal(one.Var, split.Var);
        }
    }
}
