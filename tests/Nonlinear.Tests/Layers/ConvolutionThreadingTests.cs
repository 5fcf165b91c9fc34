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

    [Fact]
    public void Cnn_training_split_over_two_threads_allocates_nothing_per_batch_in_any_thread()
    {
        // Batches big enough that both convolutions split their samples over the worker team.
        var rng = new Random(1);
        var features = new Tensor(256, 4, 12, 12);
        var labels = new Tensor(256);
        for (int i = 0; i < features.Length; i++)
        {
            features.Span[i] = (float)rng.NextDouble();
        }

        for (int i = 0; i < labels.Length; i++)
        {
            labels.Span[i] = rng.Next(3);
        }

        var data = new Nonlinear.Data.Dataset("images", features, labels, Nonlinear.Data.TaskKind.Multiclass, classCount: 3);
        var model = Sequential.Parse("conv:16x3:p1,batchnorm,relu,pool:2,conv:16x3,relu,flatten,dropout:0.1,dense:3");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Nonlinear.Training.Trainer(model, new Nonlinear.Losses.SoftmaxCrossEntropy(), new Nonlinear.Optimizers.Adam());
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 2;
            trainer.Fit(data, epochs: 2, batchSize: 32, seed: 1);

            // The whole process is measured, and the test runner's own threads may allocate meanwhile: the best of
            // three tries is the model's own share.
            double best = double.MaxValue;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                long start = GC.GetTotalAllocatedBytes(precise: true);
                trainer.Fit(data, epochs: 1, batchSize: 32, seed: 1);
                long one = GC.GetTotalAllocatedBytes(precise: true) - start;
                start = GC.GetTotalAllocatedBytes(precise: true);
                trainer.Fit(data, epochs: 6, batchSize: 32, seed: 1);
                long six = GC.GetTotalAllocatedBytes(precise: true) - start;
                best = Math.Min(best, (six - one) / (5.0 * 8));
            }

            // 5 more epochs of 8 batches: only the per-epoch history entry may allocate.
            Assert.True(best < 64, $"{best:F1} bytes per batch across all threads");
        }

        finally
        {
            Engine.MaxThreads = before;
        }
    }
}
