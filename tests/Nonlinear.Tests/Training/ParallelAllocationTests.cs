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
        // Layers wide enough that products and activations go to the worker team. Counted on the threads that do
        // the work, the caller (GC.GetAllocatedBytesForCurrentThread) and the pool's workers (each publishes its
        // own count after every part), between the 2nd and the last batch of an epoch, so that neither the epoch's
        // own set-up and report nor unrelated threads of the test process (left over from other tests: with
        // DOTNET_EnableHWIntrinsic=0 this test runs for seconds and a process-wide count once picked up 66-87
        // bytes per batch that none of these threads had allocated) enter the count.
        var rng = new Random(1);
        var features = new Tensor(4096, 64);
        var labels = new Tensor(4096);
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
        const int First = 2, Last = 4096 / 128;
        long atFirst = 0, atLast = 0, workersUsed = 0;
        void Probe(BatchReport b)
        {
            if (b.Batch == First || b.Batch == Last)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread() + WorkerPool.WorkerAllocatedBytes;
                if (b.Batch == First)
                {
                    atFirst = bytes;
                }
                else
                {
                    atLast = bytes;
                }

                workersUsed = WorkerPool.WorkerCount;
            }
        }

        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 2;
            trainer.Fit(data, epochs: 1, batchSize: 128, seed: 1);
            trainer.BatchEnded += Probe;
            trainer.Fit(data, epochs: 1, batchSize: 128, seed: 2);
            trainer.BatchEnded -= Probe;
        }
        finally
        {
            Engine.MaxThreads = before;
        }

        Assert.True(workersUsed >= 1, "no worker thread to count");
        Assert.True(atLast > 0 && atFirst > 0);
        double perBatch = (atLast - atFirst) / (double)(Last - First);
        Assert.True(perBatch < 1, $"{perBatch:F1} bytes per batch on the caller and the workers");
    }
}
