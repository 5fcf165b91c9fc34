using Nonlinear.Data;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

/// <summary>Asserts that training allocates nothing per batch on the training thread once it is warm.</summary>
internal static class SteadyAllocation
{
    /// <summary>
    /// Trains two epochs to warm up, then three more counting what this thread allocates between batch
    /// <paramref name="first"/> (default the 2nd) and batch <paramref name="last"/> (default the last) of each (an
    /// epoch's own set-up and report stay outside the count), and asserts the least of the
    /// three is under a byte per batch. An allocation made per batch shows in every epoch, whereas a one-off (a
    /// lock object created the first time a wait blocks) or the counter's own occasional over-count
    /// (GC.GetAllocatedBytesForCurrentThread, dotnet/runtime#63487: a CI run once read 20 bytes per batch in the
    /// CNN test that a thousand local runs never showed) shows in one epoch at most.
    /// </summary>
    public static void AssertNonePerBatch(Trainer trainer, Dataset data, int batchSize, int first = 2, int? last = null)
    {
        int end = last ?? (data.Count + batchSize - 1) / batchSize;
        Assert.True(end >= first + 8 && end <= (data.Count + batchSize - 1) / batchSize, "too few batches per epoch to count");
        trainer.Fit(data, epochs: 2, batchSize: batchSize, seed: 1);

        var perBatch = new List<double>(3);
        long atFirst = 0;
        void Probe(BatchReport b)
        {
            if (b.Batch == first)
            {
                atFirst = GC.GetAllocatedBytesForCurrentThread();
            }
            else if (b.Batch == end)
            {
                perBatch.Add((GC.GetAllocatedBytesForCurrentThread() - atFirst) / (double)(end - first));
            }
        }

        trainer.BatchEnded += Probe;
        try
        {
            trainer.Fit(data, epochs: 3, batchSize: batchSize, seed: 1);
        }
        finally
        {
            trainer.BatchEnded -= Probe;
        }

        Assert.Equal(3, perBatch.Count);
        Assert.True(perBatch.Min() < 1, $"bytes allocated per batch in three epochs: {string.Join(", ", perBatch.Select(p => p.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");
    }
}
