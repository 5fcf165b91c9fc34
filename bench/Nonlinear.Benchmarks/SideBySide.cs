using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using Nonlinear.Activations;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The side-by-side report: every activation (forward, forward+backward) against PyTorch on this machine and
/// against a same-size memory copy, at each size and thread count, as markdown tables with the targets of the
/// issue marked. The peer runs first (its own process), then ours, never at the same time.
/// </summary>
internal static unsafe partial class SideBySide
{
    private const double CheapCopyTarget = 0.90;
    private const double LargeRatioTarget = 1.0;
    private const double SmallRatioTarget = 3.0;
    private static readonly string[] CheapOps = ["identity", "relu", "leaky_relu", "relu6", "hardtanh"];
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Same as the library's kernels (Elementwise.ParallelThreshold): below 262,144 floats the diagnostic copy loops stay on one thread.</summary>
    private const int ParallelThreshold = 1 << 18;

    private sealed record Options(bool Quick, string? Out, int[] Sizes, int[] Threads, bool Peer, HashSet<string> Ops, bool Array, string CommandLine);

    /// <summary>One thing to time: an activation on [Rows, Cols] (elementwise: Rows = 1, Cols = N).</summary>
    private sealed record Case(string Name, Activation Activation, int RowLength)
    {
        public (int Rows, int Cols) Shape(int n) => RowLength == 0 ? (1, n) : (n / RowLength, RowLength);

        public string ShapeText(int n) => RowLength == 0 ? $"[{n}]" : $"[{Shape(n).Rows},{RowLength}]";
    }

    private sealed record Timing(double Fwd, double FwdBwd);

    private sealed record Baselines(double Memmove, double MemmoveSingle, double LoopCopy, double NonTemporalCopy);

    private sealed record PeerData(string? Version, string? Error, Dictionary<(string Name, int Cols, int N, int T), Timing> Ops, Dictionary<(int N, int T), double> Copies);

    public static int Run(string[] args)
    {
        Options o;
        try
        {
            o = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var cases = BuildCases(o);
        if (cases.Count == 0)
        {
            Console.Error.WriteLine("no activation matches --ops");
            return 2;
        }

        var cpuAtStart = CpuMeter.Read();
        var peer = o.Peer ? RunPeer(o) : new PeerData(null, "peer not run (--no-peer)", [], []);
        if (peer.Error is not null)
        {
            Console.Error.WriteLine(peer.Error);
        }

        var ours = RunOurs(o, cases);
        var others = CpuMeter.OthersSince(cpuAtStart);
        var markdown = Report(o, cases, peer, ours, others);
        Console.WriteLine(markdown);
        if (o.Out is not null)
        {
            // The other modes own their sections of the same file: carry them over.
            foreach (var heading in new[] { MarkdownSection.TrainingStepHeading, MarkdownSection.MatrixMultiplyHeading, FashionBench.Heading, DiagnosticsBench.Heading, PlaygroundLoad.Heading, SequenceBench.Heading })
            {
                var kept = File.Exists(o.Out) ? MarkdownSection.Extract(File.ReadAllText(o.Out), heading) : null;
                if (kept is not null)
                {
                    markdown = MarkdownSection.Replace(markdown, heading, kept);
                    Console.Error.WriteLine($"kept the existing '{heading}' section of {o.Out}");
                }
            }

            File.WriteAllText(o.Out, markdown);
            Console.Error.WriteLine($"wrote {o.Out}");
        }

        return 0;
    }

    private static Options Parse(string[] args)
    {
        bool quick = false, peer = true, array = false;
        string? output = null;
        int[] sizes = [4096, 1 << 20, 1 << 24], threads = [1, Environment.ProcessorCount];
        var ops = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        new BenchArguments("side-by-side", "[--quick] [--out docs/benchmarks.md] [--sizes 4096,1048576,16777216] [--threads 1,2] [--ops relu,gelu] [--no-peer] [--array]")
            .Flag("--quick", () => quick = true)
            .Flag("--no-peer", () => peer = false)
            .Flag("--array", () => array = true)
            .Value("--out", v => output = v)
            .Value("--sizes", v => sizes = BenchArguments.Ints(v))
            .Value("--threads", v => threads = BenchArguments.Ints(v))
            .Value("--ops", v => ops.UnionWith(v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            .Parse(args);
        return new Options(quick, output, sizes, threads.Distinct().ToArray(), peer, ops, array, BenchArguments.Command("side-by-side", args));
    }

    private static List<Case> BuildCases(Options o)
    {
        var cases = new List<Case>();
        foreach (var d in ActivationRegistry.All)
        {
            var a = d.CreateDefault();
            if (a.IsRowWise)
            {
                cases.Add(new Case(d.Name, a, 10));
                cases.Add(new Case(d.Name, a, 1000));
            }
            else
            {
                cases.Add(new Case(d.Name, a, 0));
                if (d.Name == "gelu")
                {
                    cases.Add(new Case("gelu:tanh", ActivationRegistry.Parse("gelu:tanh"), 0));
                }
            }
        }

        return o.Ops.Count == 0 ? cases : cases.Where(c => o.Ops.Contains(c.Name)).ToList();
    }

    // ---------------------------------------------------------------- timing

    private static int Reps(int n, bool quick)
    {
        int r = n <= 4096 ? 2000 : n <= 1 << 20 ? 50 : 8;
        return quick ? Math.Max(3, r / 5) : r;
    }

    /// <summary>
    /// Median seconds per call: warm up for at least 0.2 s (and 3 calls), then <c>reps</c> samples, each timing
    /// <c>inner = max(1, 65536 / n)</c> back-to-back calls (so a 4K sample is ~16 calls, far above timer resolution).
    /// </summary>
    private static double Measure(Action f, int n, bool quick)
    {
        int inner = Math.Max(1, 65536 / n), reps = Reps(n, quick);
        double warm = quick ? 0.05 : 0.2;
        long t0 = Stopwatch.GetTimestamp();
        for (int count = 0; count < 3 || Stopwatch.GetElapsedTime(t0).TotalSeconds < warm; count++)
        {
            f();
        }

        var samples = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long t = Stopwatch.GetTimestamp();
            for (int k = 0; k < inner; k++)
            {
                f();
            }

            samples[r] = (Stopwatch.GetTimestamp() - t) / (double)Stopwatch.Frequency / inner; // not GetElapsedTime: TimeSpan rounds to 100 ns
        }

        Array.Sort(samples);
        return reps % 2 == 1 ? samples[reps / 2] : (samples[(reps / 2) - 1] + samples[reps / 2]) / 2;
    }

    private static Dictionary<(int N, int T), (Baselines Copy, Dictionary<Case, Timing> Ops, int Misalignment)> RunOurs(Options o, List<Case> cases)
    {
        PreWarm(o, cases);
        var results = new Dictionary<(int, int), (Baselines, Dictionary<Case, Timing>, int)>();
        foreach (int t in o.Threads)
        {
            Engine.MaxThreads = t;
            foreach (int n in o.Sizes)
            {
                using var x = new Buffer(n, o.Array);
                using var y = new Buffer(n, o.Array);
                using var dy = new Buffer(n, o.Array);
                using var dx = new Buffer(n, o.Array);
                Buffers.FillNormal(x.Span(n), seed: 0);
                dy.Span(n).Fill(1f);
                y.Span(n).Clear();
                dx.Span(n).Clear();

                var copy = MeasureCopies(x, y, n, t, o.Quick);
                var timings = new Dictionary<Case, Timing>();
                Console.Error.WriteLine($"  ours  T={t} N={n} copy {8.0 * n / copy.Memmove / 1e9:F1} GB/s (single-thread memmove {8.0 * n / copy.MemmoveSingle / 1e9:F1}, vector loop {8.0 * n / copy.LoopCopy / 1e9:F1}, non-temporal loop {8.0 * n / copy.NonTemporalCopy / 1e9:F1})");
                foreach (var c in cases)
                {
                    var (rows, cols) = c.Shape(n);
                    int e = rows * cols;
                    var a = c.Activation;
                    bool fromInput = a.BackwardSource == BackwardSource.Input;
                    void Fwd() => a.Forward(x.Span(e), y.Span(e), cols);
                    void FwdBwd()
                    {
                        a.Forward(x.Span(e), y.Span(e), cols);
                        a.Backward(fromInput ? x.Span(e) : default, fromInput ? default : y.Span(e), dy.Span(e), dx.Span(e), cols);
                    }

                    var timing = new Timing(Measure(Fwd, e, o.Quick), Measure(FwdBwd, e, o.Quick));
                    timings[c] = timing;
                    Console.Error.WriteLine($"  ours  T={t} N={n} {c.Name} {c.ShapeText(n)} fwd {timing.Fwd * 1e9 / e:F3} ns/elem fwd+bwd {timing.FwdBwd * 1e9 / e:F3} ns/elem");
                }

                // Bandwidth drifts on a shared VM: measure the copy again after the ops and keep the faster
                // (the stricter baseline).
                var again = MeasureCopies(x, y, n, t, o.Quick);
                copy = new Baselines(
                    Math.Min(copy.Memmove, again.Memmove),
                    Math.Min(copy.MemmoveSingle, again.MemmoveSingle),
                    Math.Min(copy.LoopCopy, again.LoopCopy),
                    Math.Min(copy.NonTemporalCopy, again.NonTemporalCopy));
                results[(n, t)] = (copy, timings, x.Misalignment);
            }
        }

        return results;
    }

    /// <summary>
    /// Gets every kernel to its final JIT tier before anything is timed: many calls at 4K (single thread) and
    /// some at 1M with all threads (the parallel path), twice with a pause so background tier-1 compiles land.
    /// </summary>
    private static void PreWarm(Options o, List<Case> cases)
    {
        Console.Error.WriteLine("  ours  warming up the JIT...");
        for (int round = 0; round < 2; round++)
        {
            foreach (var (n, threads, calls) in new[] { (4096, 1, o.Quick ? 60 : 200), (1 << 20, o.Threads.Max(), o.Quick ? 35 : 40) })
            {
                Engine.MaxThreads = threads;
                using var x = new Buffer(n, o.Array);
                using var y = new Buffer(n, o.Array);
                using var dy = new Buffer(n, o.Array);
                using var dx = new Buffer(n, o.Array);
                Buffers.FillNormal(x.Span(n), seed: 0);
                dy.Span(n).Fill(1f);
                for (int k = 0; k < calls; k++)
                {
                    x.Span(n).CopyTo(y.Span(n));
                    ParallelCopy(x.Pointer, y.Pointer, n, threads);
                }

                foreach (var c in cases)
                {
                    var (rows, cols) = c.Shape(n);
                    int e = rows * cols;
                    for (int k = 0; k < calls; k++)
                    {
                        c.Activation.Forward(x.Span(e), y.Span(e), cols);
                        c.Activation.Backward(x.Span(e), y.Span(e), dy.Span(e), dx.Span(e), cols);
                    }
                }
            }

            Thread.Sleep(500);
        }
    }

    private static Baselines MeasureCopies(Buffer x, Buffer y, int n, int threads, bool quick)
    {
        double single = Measure(() => x.Span(n).CopyTo(y.Span(n)), n, quick);
        double memmove = single;
        if (threads > 1)
        {
            // The baseline is the faster of a single memmove and T parallel chunks (below ~1 MB the split loses).
            memmove = Math.Min(single, Measure(() => ParallelCopy(x.Pointer, y.Pointer, n, threads), n, quick));
        }

        double loop = Measure(() => Split(x.Pointer, y.Pointer, n, threads, &LoopCopy), n, quick);
        double nt = Avx512F.IsSupported && x.Misalignment == 0 && y.Misalignment == 0
            ? Measure(() => Split(x.Pointer, y.Pointer, n, threads, &NonTemporalCopy), n, quick)
            : double.NaN;
        return new Baselines(memmove, single, loop, nt);
    }

    private static void ParallelCopy(float* src, float* dst, int n, int threads) => Split(src, dst, n, threads, &MemmoveCopy);

    private static void MemmoveCopy(float* s, float* d, int n) => new Span<float>(s, n).CopyTo(new Span<float>(d, n));

    /// <summary>Runs <paramref name="body"/> over <paramref name="threads"/> 64-float-aligned chunks in parallel (one chunk: inline).</summary>
    private static void Split(float* src, float* dst, int n, int threads, delegate*<float*, float*, int, void> body)
    {
        if (threads <= 1 || n < ParallelThreshold)
        {
            body(src, dst, n);
            return;
        }

        nint s = (nint)src, d = (nint)dst, f = (nint)body;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            int per = ((n / threads) + 63) & ~63;
            int start = Math.Min(n, per * i);
            int end = i == threads - 1 ? n : Math.Min(n, start + per);
            ((delegate*<float*, float*, int, void>)f)((float*)s + start, (float*)d + start, end - start);
        });
    }

    /// <summary>A plain AVX-512 load/store loop: what an elementwise kernel's memory traffic looks like (regular stores, so the destination lines are read first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LoopCopy(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 64; i += 64)
            {
                var a = Vector512.Load(s + i);
                var b = Vector512.Load(s + i + 16);
                var c = Vector512.Load(s + i + 32);
                var e = Vector512.Load(s + i + 48);
                a.Store(d + i);
                b.Store(d + i + 16);
                c.Store(d + i + 32);
                e.Store(d + i + 48);
            }
        }

        for (; i < n; i++)
        {
            d[i] = s[i];
        }
    }

    /// <summary>The same loop with non-temporal (streaming) stores: no read-for-ownership of the destination.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NonTemporalCopy(float* s, float* d, int n)
    {
        int i = 0;
        for (; i <= n - 64; i += 64)
        {
            Avx512F.StoreAlignedNonTemporal(d + i, Avx512F.LoadAlignedVector512(s + i));
            Avx512F.StoreAlignedNonTemporal(d + i + 16, Avx512F.LoadAlignedVector512(s + i + 16));
            Avx512F.StoreAlignedNonTemporal(d + i + 32, Avx512F.LoadAlignedVector512(s + i + 32));
            Avx512F.StoreAlignedNonTemporal(d + i + 48, Avx512F.LoadAlignedVector512(s + i + 48));
        }

        Sse.StoreFence();
        for (; i < n; i++)
        {
            d[i] = s[i];
        }
    }
}
