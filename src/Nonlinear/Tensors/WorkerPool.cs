using System.Diagnostics;

namespace Nonlinear.Tensors;

/// <summary>A unit of parallel work split into parts; part 0 runs on the calling thread.</summary>
internal interface IParallelJob
{
    void Execute(int part);
}

/// <summary>
/// Persistent worker threads for kernels, in the style of an OpenMP team: the caller runs part 0 itself while the
/// workers run the others, then it spins (and only then blocks) until they are done. A worker that finishes a part
/// keeps spinning for <see cref="SpinMicroseconds"/> (pause instructions, no system calls), so the next kernel of
/// the same forward or training step finds it awake; after that it parks on an event and costs nothing while idle.
/// </summary>
/// <remarks>
/// Why not Parallel.For: a kernel on 1M floats takes 50-400 µs, and Parallel.For's hand-off (queueing to the
/// thread pool, waking a pool thread, allocating its state) cost a measurable part of that: GELU on two threads
/// ran only 1.2x faster than on one. Calls from several threads at once are serialised (one team); a call made
/// from inside a part (nested parallelism) runs its parts in turn on that thread.
/// <para>
/// Why the workers spin on a clock rather than wait on a SemaphoreSlim (as they did): SemaphoreSlim spins for 35
/// rounds of SpinWait, most of them Thread.Yield / Thread.Sleep(0) system calls, so its spin window lasts however
/// long those calls take (about 10-50 µs on this machine, varying from one process to the next), and that was
/// about the single-threaded gap between the two-thread kernels of a batch-1 CNN forward (about 50 µs). A process
/// whose window came out shorter than the gap found the worker asleep on every forward and paid a wake-up from a
/// halted virtual CPU each time (35 µs or more): the "53 or 90 µs" batch-1 latency and the 1.6× slower two-thread
/// training steps of docs/benchmarks.md. A window measured on the clock is the same in every process.
/// </para>
/// </remarks>
internal static class WorkerPool
{
    private const int Running = 0, Spinning = 1, Parked = 2, Posted = 3;

    private static readonly Lock Gate = new();
    private static readonly Countdown Done = new();
    private static Worker[] _workers = [];
    private static long _spinTicks = MicrosecondsToTicks(DefaultSpinMicroseconds);
    private static long _wakes;
    private static long _parks;

    [ThreadStatic]
    private static bool _inside;

    /// <summary>The default of <see cref="SpinMicroseconds"/>.</summary>
    public const int DefaultSpinMicroseconds = 200;

    /// <summary>
    /// How long a worker (and the caller waiting for the workers) spins before it parks (default 200 µs): longer than
    /// the single-threaded stretches between the kernels of one forward pass or training step, short enough that an
    /// idle process burns at most this much of a core after its last kernel. 0 parks at once.
    /// </summary>
    public static int SpinMicroseconds
    {
        get => (int)(Volatile.Read(ref _spinTicks) * 1_000_000 / Stopwatch.Frequency);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _spinTicks, MicrosecondsToTicks(value));
        }
    }

    /// <summary>How many posts found their worker parked and had to wake it (a system call and a scheduler wake-up).</summary>
    public static long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>How many times a worker, idle for <see cref="SpinMicroseconds"/>, parked.</summary>
    public static long Parks => Interlocked.Read(ref _parks);

    /// <summary>How many workers exist (they are created on first use, one fewer than the largest part count asked for).</summary>
    public static int WorkerCount => Volatile.Read(ref _workers).Length;

    /// <summary>How many workers are parked right now (idle longer than <see cref="SpinMicroseconds"/>).</summary>
    public static int ParkedWorkers
    {
        get
        {
            int parked = 0;
            foreach (var w in Volatile.Read(ref _workers))
            {
                parked += w.IsParked ? 1 : 0;
            }

            return parked;
        }
    }

    /// <summary>
    /// Bytes the worker threads have allocated on the managed heap since they started, as of the end of each one's
    /// latest part (GC.GetAllocatedBytesForCurrentThread on the worker): with the caller's own count, what a parallel
    /// kernel allocates, unaffected by unrelated threads of the process. Allocates nothing itself.
    /// </summary>
    public static long WorkerAllocatedBytes
    {
        get
        {
            long bytes = 0;
            foreach (var w in Volatile.Read(ref _workers))
            {
                bytes += w.AllocatedBytes;
            }

            return bytes;
        }
    }

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

    private static long MicrosecondsToTicks(int microseconds) => microseconds * Stopwatch.Frequency / 1_000_000;

    /// <summary>Whether a spin that began at <paramref name="start"/> has lasted the window (read afresh, so a shortened setting applies at once).</summary>
    private static bool SpinExpired(long start) => Stopwatch.GetTimestamp() - start > Volatile.Read(ref _spinTicks);

    /// <summary>One pause: the x86 PAUSE (or ARM YIELD) instruction, scaled by the runtime to a few tens of ns.</summary>
    private static void Pause() => Thread.SpinWait(1);

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

        Volatile.Write(ref _workers, grown);
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

        /// <summary>Spins with pause instructions for up to <see cref="SpinMicroseconds"/>, then blocks until every part is done.</summary>
        public void Wait()
        {
            if (Volatile.Read(ref _remaining) == 0)
            {
                return;
            }

            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _remaining) > 0)
            {
                Pause();
                if (SpinExpired(start))
                {
                    _zero.Wait();
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One worker thread. Its state goes Posted → Running (the worker takes the job) → Spinning (done, watching for
    /// the next post) → either Posted again or, after the spin window, Parked (blocked on <see cref="_wake"/>). The
    /// caller posts by exchanging the state for Posted and sets the event only when the exchange found Parked, so
    /// a post is never lost and a spinning worker is never signalled through the kernel.
    /// </summary>
    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private IParallelJob? _job;
        private int _part;
        private int _state = Spinning;
        private long _allocated;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Nonlinear worker {index}" };
            thread.Start();
        }

        public bool IsParked => Volatile.Read(ref _state) == Parked;

        public long AllocatedBytes => Volatile.Read(ref _allocated);

        public void Post(IParallelJob job, int part)
        {
            _job = job;
            _part = part;
            if (Interlocked.Exchange(ref _state, Posted) == Parked)
            {
                Interlocked.Increment(ref _wakes);
                _wake.Set();
            }
        }

        private void Loop()
        {
            while (true)
            {
                WaitForPost();
                Volatile.Write(ref _state, Running);
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
                Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread());

                // Spinning before the part is counted done: the caller may post the next job as soon as it is.
                Volatile.Write(ref _state, Spinning);
                Done.Signal(failure);
            }
        }

        private void WaitForPost()
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _state) != Posted)
            {
                Pause();
                if (!SpinExpired(start))
                {
                    continue;
                }

                if (Interlocked.CompareExchange(ref _state, Parked, Spinning) == Spinning)
                {
                    Interlocked.Increment(ref _parks);
                    _wake.Wait();
                    _wake.Reset();
                }

                // Posted: either it arrived just before the worker parked, or its poster has just set the event.
                return;
            }
        }
    }
}
