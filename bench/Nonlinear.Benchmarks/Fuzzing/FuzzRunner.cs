using System.Diagnostics;

namespace Nonlinear.Fuzzing;

/// <summary>
/// Generates and runs fuzz cases. Case <c>i</c> of a target under run seed <c>s</c> is always the same input (its
/// random source is seeded from s, the target's name and i), so a failure is replayed from those three values.
/// Each case runs on a worker thread that the runner waits for with a timeout: a hanging reader is reported and
/// abandoned (a new worker takes over), not waited for.
/// </summary>
internal sealed class FuzzRunner(FuzzTarget target, FuzzLimits limits) : IDisposable
{
    /// <summary>The largest input a case feeds to a reader.</summary>
    public const int MaxInputBytes = 1 << 20;

    private Worker? _worker;

    /// <summary>The input of case <paramref name="index"/> under <paramref name="seed"/>, and the mutations that made it.</summary>
    public static (byte[] Input, string Mutations) Generate(FuzzTarget target, int seed, int index)
    {
        var random = new Random(CaseSeed(seed, target.Name, index));
        var input = ByteMutations.Pick(random, target.Seeds);
        var names = new List<string>();

        // Mostly one mutation, so that each finding has one cause; sometimes up to four stacked.
        int count = random.Next(4) == 0 ? 2 + random.Next(3) : 1;
        for (int k = 0; k < count; k++)
        {
            var mutation = target.Mutations.Count > 0 && random.Next(2) == 0
                ? ByteMutations.Pick(random, target.Mutations)
                : ByteMutations.Pick(random, ByteMutations.All);
            var output = mutation.Apply(random, input, ByteMutations.Pick(random, target.Seeds));

            // Stacked growth (a row repeated thousands of times after a huge field was inserted) could reach
            // gigabytes; inputs stay at most 1 MiB, so that the 64 MB allocation limit measures the reader.
            if (output.Length <= MaxInputBytes)
            {
                input = output;
                names.Add(mutation.Name);
            }
        }

        return (input, names.Count == 0 ? "none" : string.Join('+', names));
    }

    /// <summary>The random seed of one case: FNV-1a over the run seed, the target name and the case index.</summary>
    public static int CaseSeed(int seed, string target, int index)
    {
        uint hash = 2166136261;
        void Add(int value)
        {
            for (int b = 0; b < 4; b++)
            {
                hash = (hash ^ (byte)(value >> (8 * b))) * 16777619;
            }
        }

        Add(seed);
        foreach (char c in target)
        {
            Add(c);
        }

        Add(index);
        return (int)(hash & 0x7FFFFFFF);
    }

    /// <summary>Generates case <paramref name="index"/> and runs it.</summary>
    public FuzzCaseResult Run(int seed, int index)
    {
        var (input, mutations) = Generate(target, seed, index);
        return Run(input, index, mutations);
    }

    /// <summary>Runs the reader on <paramref name="input"/> and judges the outcome.</summary>
    public FuzzCaseResult Run(byte[] input, int index, string mutations)
    {
        _worker ??= new Worker();
        var job = new Job(target, input);
        if (!_worker.Start(job, TimeSpan.FromSeconds(limits.HangSeconds)))
        {
            // The thread is stuck in the reader: leave it (it is a background thread) and use a fresh one.
            _worker = null;
            return new FuzzCaseResult(index, mutations, FuzzOutcome.Failure, $"hang: no answer after {limits.HangSeconds:0.#} s", null, limits.HangSeconds, -1);
        }

        return Judge(job, index, mutations);
    }

    public void Dispose() => _worker?.Dispose();

    private FuzzCaseResult Judge(Job job, int index, string mutations)
    {
        FuzzCaseResult Result(FuzzOutcome outcome, string detail) => new(index, mutations, outcome, detail, job.Error?.Message, job.Seconds, job.Allocated) { CpuSeconds = job.CpuSeconds };

        if (job.Allocated > limits.MaxAllocatedBytes)
        {
            return Result(FuzzOutcome.Failure, $"allocated {job.Allocated:N0} bytes, over the {limits.MaxAllocatedBytes:N0} limit ({Describe(job)})");
        }

        // On a shared machine the wall clock also counts the time other processes had the cores; the reader's own
        // CPU time is what it costs. Where the platform does not tell it, the wall clock is judged.
        if (limits.MaxSeconds is { } max && (job.CpuSeconds ?? job.Seconds) > max)
        {
            return Result(FuzzOutcome.Failure, $"took {job.CpuSeconds ?? job.Seconds:0.###} s{(job.CpuSeconds is null ? "" : " of CPU")} ({job.Seconds:0.###} s wall), over the {max} s limit ({Describe(job)})");
        }

        if (job.Error is { } error)
        {
            if (!target.Accepted.Contains(error.GetType()))
            {
                return Result(FuzzOutcome.Failure, $"unexpected {error.GetType().FullName}: {error}");
            }

            if (string.IsNullOrWhiteSpace(error.Message) || error.Message.StartsWith("Exception of type", StringComparison.Ordinal))
            {
                return Result(FuzzOutcome.Failure, $"{error.GetType().Name} without a message");
            }

            return Result(FuzzOutcome.ClearError, error.GetType().Name);
        }

        return job.Problem is { } problem
            ? Result(FuzzOutcome.Failure, $"invalid result: {problem}")
            : Result(FuzzOutcome.Valid, "valid");
    }

    private static string Describe(Job job) => job.Error is { } e ? $"then {e.GetType().Name}: {e.Message}" : "then a result";

    private sealed class Job(FuzzTarget target, byte[] input)
    {
        public string? Problem { get; private set; }

        public Exception? Error { get; private set; }

        public double Seconds { get; private set; }

        public long Allocated { get; private set; }

        /// <summary>CPU time of the reader's thread, when the platform tells it (Linux), else null.</summary>
        public double? CpuSeconds { get; private set; }

        public void Execute()
        {
            double? cpu = ThreadCpu.Seconds();
            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            try
            {
                Problem = target.Read(input);
            }
#pragma warning disable CA1031 // Any exception is an outcome to judge, and must not stop the run.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Error = e;
            }

            Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            Allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            CpuSeconds = ThreadCpu.Seconds() - cpu;
        }
    }

    /// <summary>A background thread that runs one job at a time.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly SemaphoreSlim _ready = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private Job? _job;
        private volatile bool _stopped;

        public Worker()
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "fuzz case", };
            thread.Start();
        }

        /// <summary>Runs the job; false when it did not finish within <paramref name="timeout"/>.</summary>
        public bool Start(Job job, TimeSpan timeout)
        {
            _job = job;
            _ready.Release();
            return _done.Wait(timeout);
        }

        public void Dispose()
        {
            _stopped = true;
            _ready.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _ready.Wait();
                if (_stopped)
                {
                    return;
                }

                _job!.Execute();
                _done.Release();
            }
        }
    }
}
