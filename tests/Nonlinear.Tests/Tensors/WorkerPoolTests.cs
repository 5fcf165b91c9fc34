using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

/// <summary>
/// The worker team: every part runs once, failures reach the caller, nested and concurrent calls, and the spin-then-park
/// protocol (asserted through the pool's counters, never through timings). In the kernel-settings collection because
/// some tests change <see cref="WorkerPool.SpinMicroseconds"/>, a process-wide setting.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
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

    /// <summary>Sets the spin window for one test and restores it afterwards.</summary>
    private sealed class SpinSetting : IDisposable
    {
        private readonly int _before = WorkerPool.SpinMicroseconds;

        public SpinSetting(int microseconds) => WorkerPool.SpinMicroseconds = microseconds;

        public void Dispose() => WorkerPool.SpinMicroseconds = _before;
    }

    [Fact]
    public void Every_part_runs_once_part_zero_on_the_caller_the_others_on_workers_or_taken_back()
    {
        int caller = Environment.CurrentManagedThreadId;
        var onWorkers = new HashSet<int>();
        for (int round = 0; round < 200; round++)
        {
            var counts = new int[3];
            var names = new string?[3];
            var job = new RecordingJob(3, part =>
            {
                Interlocked.Increment(ref counts[part]);
                names[part] = Thread.CurrentThread.Name;
            });
            WorkerPool.Run(3, job);
            Assert.Equal([1, 1, 1], counts);
            Assert.Equal(caller, job.Threads[0]);
            for (int p = 1; p < 3; p++)
            {
                Assert.True(job.Threads[p] == caller || names[p]?.StartsWith("Nonlinear worker", StringComparison.Ordinal) == true, $"part {p} ran on thread '{names[p]}'");
                if (job.Threads[p] != caller)
                {
                    onWorkers.Add(job.Threads[p]);
                }
            }
        }

        Assert.DoesNotContain(caller, onWorkers);
    }

    [Fact]
    public void Parts_whose_worker_is_asleep_are_taken_back_by_the_caller()
    {
        // With no spin window the workers park right after each part; waking one takes microseconds, while part 0
        // here takes nanoseconds, so the caller finds the part unclaimed and runs it itself (and the woken worker
        // then finds nothing to do). Each part still runs exactly once.
        using var spin = new SpinSetting(0);
        long before = WorkerPool.TakenBack;
        for (int r = 0; r < 500; r++)
        {
            var counts = new int[2];
            WorkerPool.Run(2, new RecordingJob(2, part => Interlocked.Increment(ref counts[part])));
            Assert.Equal([1, 1], counts);
        }

        Assert.True(WorkerPool.TakenBack > before, "no part was ever taken back from a parked worker");
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
    public void An_exception_on_the_caller_is_rethrown_only_after_the_workers_finish()
    {
        int finished = 0;
        var job = new RecordingJob(3, part =>
        {
            if (part == 0)
            {
                throw new ArgumentException("boom in part 0");
            }

            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
        });
        var e = Assert.Throws<ArgumentException>(() => WorkerPool.Run(3, job));
        Assert.Equal("boom in part 0", e.Message);
        Assert.Equal(2, Volatile.Read(ref finished));
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

    [Fact]
    public void Runs_from_several_threads_at_once_never_overlap()
    {
        // Every part notes which run it belongs to while it executes; parts of two different runs must never be
        // in flight together (one team, one run at a time), and every part of every run must execute.
        var inFlight = new List<int>();
        int overlaps = 0, executed = 0;
        const int Callers = 3, Runs = 150;
        var callers = Enumerable.Range(0, Callers).Select(c => new Thread(() =>
        {
            for (int r = 0; r < Runs; r++)
            {
                int id = c * Runs + r + 1;
                WorkerPool.Run(2, new RecordingJob(2, _ =>
                {
                    lock (inFlight)
                    {
                        if (inFlight.Any(other => other != id))
                        {
                            overlaps++;
                        }

                        inFlight.Add(id);
                    }

                    Thread.SpinWait(200);
                    lock (inFlight)
                    {
                        inFlight.Remove(id);
                    }

                    Interlocked.Increment(ref executed);
                }));
            }
        })).ToArray();
        foreach (var t in callers)
        {
            t.Start();
        }

        foreach (var t in callers)
        {
            t.Join();
        }

        Assert.Equal(0, overlaps);
        Assert.Equal(Callers * Runs * 2, executed);
    }

    [Fact]
    public void Idle_workers_park_and_a_post_wakes_them()
    {
        using var spin = new SpinSetting(1000);
        WorkerPool.Run(2, new RecordingJob(2));
        long parksBefore = WorkerPool.Parks;

        // Nothing runs now, so after the 1 ms window every worker parks: wait for the counter (generous bound for
        // a loaded machine), then post again and check the post went through the event. Tests of other classes
        // may run kernels meanwhile and find the worker awake first, so a few attempts.
        bool woken = false;
        for (int attempt = 0; attempt < 5 && !woken; attempt++)
        {
            // (A worker counts its park just after it moves to Parked: wait for both.)
            Assert.True(SpinUntil(() => WorkerPool.ParkedWorkers == WorkerPool.WorkerCount && WorkerPool.Parks > parksBefore), "the idle workers never parked");
            long wakesBefore = WorkerPool.Wakes;
            var job = new RecordingJob(2);
            WorkerPool.Run(2, job); // part 1 runs on the woken worker or, if it has not started yet, on the caller
            Assert.NotEqual(0, job.Threads[1]);
            woken = WorkerPool.Wakes > wakesBefore;
        }

        Assert.True(woken, "a post to a parked worker did not wake it through the event");

        // The woken worker goes back to spinning and, idle again, parks again.
        long parksAfter = WorkerPool.Parks;
        Assert.True(SpinUntil(() => WorkerPool.Parks > parksAfter && WorkerPool.ParkedWorkers == WorkerPool.WorkerCount), "the woken worker never parked again");
    }

    [Fact]
    public void Back_to_back_runs_find_the_worker_spinning_and_never_wake_it()
    {
        // A window far longer than the test: between runs the worker is still spinning, so no post may go through
        // the kernel event. (Before, a worker parked after SemaphoreSlim's few dozen yields, however short they were.)
        using var spin = new SpinSetting(60_000_000);
        int all = Math.Max(3, WorkerPool.WorkerCount + 1);
        WorkerPool.Run(all, new RecordingJob(all)); // every worker awake (and spinning from now on)
        long wakesBefore = WorkerPool.Wakes;
        for (int r = 0; r < 300; r++)
        {
            var job = new RecordingJob(2);
            WorkerPool.Run(2, job);
            Assert.NotEqual(0, job.Threads[1]);
            if (r % 50 == 0)
            {
                Thread.Sleep(2); // single-threaded work between kernels, longer than the old spin window
            }
        }

        Assert.Equal(wakesBefore, WorkerPool.Wakes);
    }

    [Fact]
    public void Posts_racing_with_a_worker_that_is_parking_are_never_lost()
    {
        // A zero window makes every worker park right after its part, so posts land before, during and after the
        // worker's move to Parked: every run must still complete with every part done (a lost post would hang).
        using var spin = new SpinSetting(0);
        var rng = new Random(3);
        for (int r = 0; r < 2000; r++)
        {
            int done = 0;
            WorkerPool.Run(3, new RecordingJob(3, _ => Interlocked.Increment(ref done)));
            Assert.Equal(3, done);
            Thread.SpinWait(rng.Next(0, 400));
        }
    }

    private static bool SpinUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }
}
