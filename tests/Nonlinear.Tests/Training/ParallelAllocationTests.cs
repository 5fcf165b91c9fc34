using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class ParallelAllocationTests
{
    [Fact]
    public void Training_split_over_two_threads_allocates_nothing_per_batch_in_any_thread()
    {
        // Layers wide enough that products and activations go to the worker team; the whole process is
        // measured (this collection runs alone, so no other test allocates meanwhile).
        var rng = new Random(1);
        var features = new Tensor(512, 64);
        var labels = new Tensor(512);
        for (int i = 0; i < features.Length; i++)
        {
            features.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        for (int i = 0; i < labels.Length; i++)
        {
            labels.Span[i] = rng.Next(10);
        }

        var data = new Dataset("random", features, labels, TaskKind.Multiclass, classCount: 10);
        var model = Sequential.Parse("dense:256,relu,dense:256,relu,dense:10");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.01, momentum: 0.9));
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 2;
            trainer.Fit(data, epochs: 2, batchSize: 128, seed: 1);

            // The whole process is counted, so a background thread of an earlier test (a finaliser, a timer) can
            // add a few bytes once; an allocation per batch shows in every attempt, so the smallest of three counts.
            double perBatch = double.MaxValue;
            for (int attempt = 0; attempt < 3 && perBatch >= 64; attempt++)
            {
                long start = GC.GetTotalAllocatedBytes(precise: true);
                trainer.Fit(data, epochs: 1, batchSize: 128, seed: 1);
                long one = GC.GetTotalAllocatedBytes(precise: true) - start;
                start = GC.GetTotalAllocatedBytes(precise: true);
                trainer.Fit(data, epochs: 11, batchSize: 128, seed: 1);
                long eleven = GC.GetTotalAllocatedBytes(precise: true) - start;
                perBatch = Math.Min(perBatch, (eleven - one) / (10.0 * 4));
            }

            Assert.True(perBatch < 64, $"{perBatch:F1} bytes per batch across all threads");
        }
        finally
        {
            Engine.MaxThreads = before;
        }
    }
}
