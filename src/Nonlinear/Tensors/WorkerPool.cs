namespace Nonlinear.Tensors;

/// <summary>A unit of parallel work split into parts; part 0 runs on the calling thread.</summary>
internal interface IParallelJob
{
    void Execute(int part);
}

/// <summary>
/// Persistent worker threads for kernels, in the style of an OpenMP team: the caller runs part 0 itself while
/// parked workers run the others, then it spins briefly (and only then blocks) until they are done.
/// </summary>
/// <remarks>
/// Why not Parallel.For: a kernel on 1M floats takes 50-400 µs, and Parallel.For's hand-off (queueing to the
/// thread pool, waking a pool thread, allocating its state) cost a measurable part of that: GELU on two threads
/// ran only 1.2x faster than on one. Workers here wait on a semaphore that spins before it sleeps, so a
/// back-to-back kernel finds them awake. Calls from several threads at once are serialised (one team); a call
/// made from inside a part (nested parallelism) runs its parts in turn on that thread.
/// </remarks>
internal static class WorkerPool
{
    private static readonly Lock Gate = new();
    private static readonly Countdown Done = new();
    private static Worker[] _workers = [];

    [ThreadStatic]
    private static bool _inside;

    /// <summary>Runs parts 0..parts-1 of <paramref name="job"/>, part 0 on this thread; returns when all are done.</summary>
    public static void Run(int parts, IParallelJob job)
    {
        if (parts <= 1 || _inside)
        {
            for (int p = 0; p < parts; p++)
            {
                job.Execute(p);
            }

            return;
        }

        lock (Gate)
        {
            EnsureWorkers(parts - 1);
            Done.Reset(parts - 1);
            for (int p = 1; p < parts; p++)
            {
                _workers[p - 1].Post(job, p);
            }

            Exception? failure = null;
            _inside = true;
            try
            {
                job.Execute(0);
            }
#pragma warning disable CA1031 // Rethrown below, after the workers have finished with the caller's buffers.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
            finally
            {
                _inside = false;
            }

            Done.Wait();
            failure ??= Done.Failure;
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        var grown = new Worker[count];
        _workers.CopyTo(grown, 0);
        for (int i = _workers.Length; i < count; i++)
        {
            grown[i] = new Worker(i + 1);
        }

        _workers = grown;
    }

    /// <summary>Counts finished parts; the caller spins on it, then blocks. Reused by every run (runs are serialised).</summary>
    private sealed class Countdown
    {
        private readonly ManualResetEventSlim _zero = new(false, spinCount: 0);
        private int _remaining;

        public Exception? Failure { get; private set; }

        public void Reset(int count)
        {
            Failure = null;
            _zero.Reset();
            Volatile.Write(ref _remaining, count);
        }

        public void Signal(Exception? failure)
        {
            if (failure is not null)
            {
                Failure = failure;
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _zero.Set();
            }
        }

        public void Wait()
        {
            var spin = new SpinWait();
            for (int i = 0; i < 2000 && Volatile.Read(ref _remaining) > 0; i++)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            _zero.Wait();
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _ready = new(0);
        private IParallelJob? _job;
        private int _part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Nonlinear worker {index}" };
            thread.Start();
        }

        public void Post(IParallelJob job, int part)
        {
            _job = job;
            _part = part;
            _ready.Release();
        }

        private void Loop()
        {
            while (true)
            {
                // SemaphoreSlim spins before it blocks, so a worker posted again within microseconds is still awake.
                _ready.Wait();
                Exception? failure = null;
                _inside = true;
                try
                {
                    _job!.Execute(_part);
                }
#pragma warning disable CA1031 // Handed to the caller, who rethrows it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }

                _inside = false;
                _job = null;
                Done.Signal(failure);
            }
        }
    }
}
