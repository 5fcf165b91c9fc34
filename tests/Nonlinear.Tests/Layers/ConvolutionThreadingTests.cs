using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class ConvolutionThreadingTests
{
    [Fact]
    public void A_batch_split_over_threads_gives_what_one_thread_gives()
    {
        // Big enough for the per-sample split (and for the matrix products to split when only one part runs).
        var x = FiniteDifferences.RandomInput(3, 16, 8, 12, 12);
        float[] Run(int threads, out float[][] gradients, out float[] dx)
        {
            int before = Engine.MaxThreads;
            try
            {
                Engine.MaxThreads = threads;
                var model = Sequential.Parse("conv:16x3:p1,relu,conv:8x3");
                model.Build(new TensorShape(8, 12, 12), seed: 3);
                var y = model.Forward(x, training: true).Span.ToArray();
                model.ZeroGradients();
                dx = model.Backward(Tensor.FromArray([.. y.Select((v, i) => (float)Math.Sin(i))], 16, 8, 10, 10)).Span.ToArray();
                gradients = [.. model.Parameters.Select(p => p.Gradient.Span.ToArray())];
                return y;
            }
            finally
            {
                Engine.MaxThreads = before;
            }
        }

        var y1 = Run(1, out var g1, out var dx1);
        var y2 = Run(Math.Max(2, Environment.ProcessorCount), out var g2, out var dx2);
        Assert.Equal(y1, y2);
        Assert.Equal(dx1, dx2);
        for (int p = 0; p < g1.Length; p++)
        {
            for (int i = 0; i < g1[p].Length; i++)
            {
                Assert.Equal(g1[p][i], g2[p][i], 1e-3f * Math.Max(1, Math.Abs(g1[p][i])));
            }
        }
    }
}
