using System.Diagnostics;

namespace Nonlinear.Tensors;

/// <summary>A unit of parallel work split into parts; part 0 runs on the calling thread.</summary>
internal interface IParallelJob
{
    void Execute(int part);
}

/// <summary>
/// Persistent worker threads for kernels, in the style of an OpenMP team: the caller runs part 0 itself while the
/// workers run the others, then takes back any part no worker has started yet, then waits for the rest. A worker
/// that finishes a part keeps spinning for <see cref="SpinMicroseconds"/> (pause instructions, a yield every few
/// µs), so the next kernel of the same forward pass or training step finds it awake; after that it parks on an
/// event and costs nothing while idle.
/// </summary>
/// <remarks>
/// Why not Parallel.For: a kernel on 1M floats takes 50-400 µs, and Parallel.For's hand-off (queueing to the
/// thread pool, waking a pool thread, allocating its state) cost a measurable part of that: GELU on two threads
/// ran only 1.2x faster than on one. Calls from several threads at once are serialised (one team); a call made
/// from inside a part (nested parallelism) runs its parts in turn on that thread. Parts must not wait for each
/// other: any of them may run after another on the caller.
/// <para>
/// Why the workers spin on the clock rather than wait on a SemaphoreSlim (as they did): SemaphoreSlim spins for 35
/// rounds of SpinWait, most of them Thread.Yield / Thread.Sleep(0) system calls, so its window lasts however long
/// those calls take (30-60 µs measured here, longer under load), about the single-threaded gap between the
/// two-thread kernels of a batch-1 CNN forward (50-65 µs); a post found the worker in a system call (4-5 µs to
/// notice it) or asleep (a wake-up from a halted virtual CPU: 35 µs or more). Why the take-back: a worker that is
/// asleep, or that the scheduler has put on the caller's own CPU (a loaded machine, or wake-affine placement),
/// would otherwise make the caller wait for its wake-up or its time slice; now the caller runs the part itself,
/// which is never slower than one thread.
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
    private static long _takenBack;

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

    /// <summary>How many posted parts the caller took back and ran itself because their worker had not started them.</summary>
    public static long TakenBack => Interlocked.Read(ref _takenBack);

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

    /// <summary>
    /// Runs parts 0..parts-1 of <paramref name="job"/>, part 0 on this thread; returns when all are done. A part whose
    /// worker has not picked it up by the time this thread has finished its own runs here too.
    /// </summary>
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
                Execute(job, 0, ref failure);

                // Parts still waiting for their worker (asleep, or not given a CPU) are taken back and run here:
                // waiting for a wake-up would cost more than the part.
                for (int p = 1; p < parts; p++)
                {
                    if (_workers[p - 1].TryTakeBack())
                    {
                        Interlocked.Increment(ref _takenBack);
                        Execute(job, p, ref failure);
                        Done.Signal(null);
                    }
                }
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

    /// <summary>Runs one part on this thread; keeps the first exception (rethrown after the workers are done with the caller's buffers).</summary>
    private static void Execute(IParallelJob job, int part, ref Exception? failure)
    {
        try
        {
            job.Execute(part);
        }
#pragma warning disable CA1031 // Rethrown by Run once every part has finished.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure ??= e;
        }
    }

    private static long MicrosecondsToTicks(int microseconds) => microseconds * Stopwatch.Frequency / 1_000_000;

    /// <summary>Whether a spin that began at <paramref name="start"/> has lasted the window (read afresh, so a shortened setting applies at once).</summary>
    private static bool SpinExpired(long start) => Stopwatch.GetTimestamp() - start > Volatile.Read(ref _spinTicks);

    /// <summary>
    /// One step of a spin: a pause (the x86 PAUSE or ARM YIELD instruction, scaled by the runtime to a few tens of ns)
    /// and, every 64th step (a few µs), a Thread.Yield, so that a spinner that shares its CPU with the thread it waits
    /// for (a loaded machine) hands the CPU over instead of holding it for the whole window. On an idle CPU the
    /// yield returns at once.
    /// </summary>
    private static void Pause(ref int step)
    {
        Thread.SpinWait(1);
        if ((++step & 63) == 0)
        {
            Thread.Yield();
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
            int step = 0;
            while (Volatile.Read(ref _remaining) > 0)
            {
                Pause(ref step);
                if (SpinExpired(start))
                {
                    _zero.Wait();
                    return;
                }
            }
        }
    }

    /// <summary>
    /// One worker thread. Its state goes Posted → Running (the worker claims the part) → Spinning (done, watching for
    /// the next post) → either Posted again or, after the spin window, Parked (blocked on <see cref="_wake"/>). The
    /// caller posts by exchanging the state for Posted and sets the event only when the exchange found Parked, so a
    /// post is never lost and a spinning worker is never signalled through the kernel; it may take an unclaimed part
    /// back (Posted → Spinning) and run it itself.
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

        /// <summary>Takes the posted part back if the worker has not claimed it yet; the caller then runs it.</summary>
        public bool TryTakeBack()
        {
            if (Interlocked.CompareExchange(ref _state, Spinning, Posted) != Posted)
            {
                return false;
            }

            _job = null;
            return true;
        }

        private void Loop()
        {
            while (true)
            {
                var (job, part) = WaitForPost();
                Exception? failure = null;
                _inside = true;
                try
                {
                    job.Execute(part);
                }
#pragma warning disable CA1031 // Handed to the caller, who rethrows it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failure = e;
                }

                _inside = false;
                Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread());

                // Spinning before the part is counted done: the caller may post the next job as soon as it is.
                Volatile.Write(ref _state, Spinning);
                Done.Signal(failure);
            }
        }

        /// <summary>Spins until a part is posted and claims it; parks after the spin window (and spins afresh once woken).</summary>
        private (IParallelJob Job, int Part) WaitForPost()
        {
            long start = Stopwatch.GetTimestamp();
            int step = 0;
            while (true)
            {
                if (Volatile.Read(ref _state) == Posted && Interlocked.CompareExchange(ref _state, Running, Posted) == Posted)
                {
                    var job = _job!;
                    _job = null;
                    return (job, _part);
                }

                Pause(ref step);
                if (SpinExpired(start) && Interlocked.CompareExchange(ref _state, Parked, Spinning) == Spinning)
                {
                    Interlocked.Increment(ref _parks);
                    _wake.Wait();
                    _wake.Reset();
                    start = Stopwatch.GetTimestamp();
                }
            }
        }
    }
}
