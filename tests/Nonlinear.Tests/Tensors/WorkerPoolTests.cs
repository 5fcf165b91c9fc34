using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

public sealed class WorkerPoolTests
{
    private sealed class RecordingJob(int parts, Action<int>? inside = null) : IParallelJob
    {
        public int[] Threads { get; } = new int[parts];

        public void Execute(int part)
        {
            Threads[part] = Environment.CurrentManagedThreadId;
            inside?.Invoke(part);
        }
    }

    [Fact]
    public void Every_part_runs_once_and_part_zero_runs_on_the_caller()
    {
        for (int round = 0; round < 200; round++)
        {
            var job = new RecordingJob(3);
            WorkerPool.Run(3, job);
            Assert.Equal(Environment.CurrentManagedThreadId, job.Threads[0]);
            Assert.All(job.Threads, t => Assert.NotEqual(0, t));
            Assert.Equal(3, job.Threads.Distinct().Count());
        }
    }

    [Fact]
    public void An_exception_in_a_worker_reaches_the_caller_after_all_parts_finish()
    {
        int finished = 0;
        var job = new RecordingJob(2, part =>
        {
            if (part == 1)
            {
                throw new InvalidOperationException("boom in part 1");
            }

            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
        });
        var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(2, job));
        Assert.Equal("boom in part 1", e.Message);
        Assert.Equal(1, finished);

        // The pool still works afterwards.
        var next = new RecordingJob(2);
        WorkerPool.Run(2, next);
        Assert.NotEqual(0, next.Threads[1]);
    }

    [Fact]
    public void A_nested_run_executes_its_parts_on_the_calling_part()
    {
        var inner = new int[2][];
        var outer = new RecordingJob(2, part =>
        {
            var job = new RecordingJob(2);
            WorkerPool.Run(2, job);
            inner[part] = job.Threads;
        });
        WorkerPool.Run(2, outer);
        for (int p = 0; p < 2; p++)
        {
            Assert.All(inner[p], t => Assert.Equal(outer.Threads[p], t));
        }
    }
}
