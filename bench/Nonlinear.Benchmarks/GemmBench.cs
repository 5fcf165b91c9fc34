using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The matrix-multiply report: this machine's FP32 FMA peak (an FMA loop), then SGEMM GFLOP/s of ours
/// (<see cref="Gemm"/>) against PyTorch's torch.mm (bench/peer/torch_gemm.py, run first in its own process) on
/// square sizes, the dense training shapes and the im2col shapes of two convolutions, with 1 and 2 threads.
/// </summary>
internal static partial class GemmBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One product C[M, N] = A[M, K] B[K, N] and what it stands for.</summary>
    private sealed record Shape(int M, int K, int N, string What)
    {
        public string Key => string.Create(CultureInfo.InvariantCulture, $"{M}x{K}x{N}");

        public double Flops => 2.0 * M * K * N;
    }

    private sealed record Options(bool Quick, string? Out, int[] Threads, Shape[] Shapes, bool Peer, int Width, string Op, string CommandLine)
    {
        public int Samples => Quick ? 7 : 15;

        public double SampleSeconds => Quick ? 0.01 : 0.02;
    }

    private sealed record Timing(double Median, double Min);

    private static readonly Shape[] DefaultShapes =
    [
        new(128, 128, 128, "square"),
        new(256, 256, 256, "square"),
        new(512, 512, 512, "square"),
        new(1024, 1024, 1024, "square"),
        new(2048, 2048, 2048, "square"),
        new(128, 784, 256, "dense 784→256, batch 128"),
        new(128, 256, 128, "dense 256→128, batch 128"),
        // im2col, batch-wide: C[filters, batch*pixels] = W[filters, channels*9] x columns[channels*9, batch*pixels].
        new(32, 9, 128 * 26 * 26, "conv 3×3 1→32 on 28×28, batch 128"),
        new(64, 288, 128 * 11 * 11, "conv 3×3 32→64 on 13×13, batch 128"),
    ];

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

        var cpuAtStart = CpuMeter.Read();
        var (peerVersion, peerError, peer) = o.Peer ? RunPeer(o) : (null, "peer not run (--no-peer)", new Dictionary<(string, int), Timing>());
        if (peerError is not null)
        {
            Console.Error.WriteLine(peerError);
        }

        int before = Gemm.Width;
        Gemm.Width = o.Width;
        int peakWidth = Gemm.UseKernel ? Gemm.Width : 0;
        var peaks = new Dictionary<int, double>();
        foreach (int t in o.Threads)
        {
            peaks[t] = _noPeak ? double.NaN : FmaPeak(t, o.Quick, peakWidth);
            Console.Error.WriteLine(string.Create(Inv, $"  {PeakName(peakWidth)} peak, {t} thread(s): {peaks[t]:F1} GFLOP/s"));
        }

        var ours = new Dictionary<(string, int), Timing>();
        foreach (int t in o.Threads)
        {
            Engine.MaxThreads = t;
            foreach (var s in o.Shapes)
            {
                var r = MeasureOurs(o, s);
                ours[(s.Key, t)] = r;
                Console.Error.WriteLine(string.Create(Inv, $"  ours  T={t} {s.Key}: {s.Flops / r.Median / 1e9:F1} GFLOP/s (best {s.Flops / r.Min / 1e9:F1})"));
            }
        }

        var epilogues = new List<(Shape Shape, int Threads, Timing Separate, Timing Fused)>();
        foreach (int t in o.Threads)
        {
            Engine.MaxThreads = t;
            foreach (var s in o.Shapes.Where(s => s.What.StartsWith("dense", StringComparison.Ordinal) || s.What.StartsWith("conv", StringComparison.Ordinal)))
            {
                var (separate, fused) = MeasureEpilogue(o, s);
                epilogues.Add((s, t, separate, fused));
                Console.Error.WriteLine(string.Create(Inv, $"  bias  T={t} {s.Key}: separate pass {separate.Median * 1e6:F1} µs, fused {fused.Median * 1e6:F1} µs"));
            }
        }

        Gemm.Width = before;
        if (_json)
        {
            WriteJson(peaks, ours, o.Shapes);
        }

        var others = CpuMeter.OthersSince(cpuAtStart);
        var section = Report(o, peaks, ours, peer, peerVersion, peerError, others, epilogues);
        Console.WriteLine(section);
        if (o.Out is not null)
        {
            MarkdownSection.WriteInto(o.Out, MarkdownSection.MatrixMultiplyHeading, section);
            Console.Error.WriteLine($"wrote the '{MarkdownSection.MatrixMultiplyHeading}' section of {o.Out}");
        }

        return 0;
    }

    private static Options Parse(string[] args)
    {
        bool quick = false, peer = true;
        int width = Gemm.Width;
        string? output = null;
        string op = "nn";
        int? kc = null, mc = null, nc = null;
        int[] threads = [1, Environment.ProcessorCount];
        var shapes = DefaultShapes;
        new BenchArguments("gemm", "[--quick] [--out docs/benchmarks.md] [--threads 1,2] [--shapes 512x512x512,...] [--no-peer] [--op nn|nt|tn|tt] [--small-rows N] [--width 512|256|128] [--vector256] [--kc N] [--mc N] [--nc N]")
            .Flag("--quick", () => quick = true)
            .Flag("--no-peer", () => peer = false)
            .Flag("--vector256", () => width = 256)
            .Value("--width", v => width = BenchArguments.Int(v) is var w && w is 512 or 256 or 128 && w <= Math.Max(128, Gemm.WidestAccelerated)
                ? w : throw new ArgumentException($"--width is 512, 256 or 128, at most this machine's widest accelerated kernel ({Gemm.WidestAccelerated})"))
            .Flag("--json", () => _json = true)
            .Flag("--no-peak", () => _noPeak = true)
            .Value("--out", v => output = v)
            .Value("--threads", v => threads = BenchArguments.Ints(v))
            .Value("--shapes", v => shapes = [.. v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseShape)])
            .Value("--op", v => op = v is "nn" or "nt" or "tn" or "tt" ? v : throw new ArgumentException("--op is nn, nt, tn or tt (which of A, B are stored transposed; PyTorch always runs nn)"))
            .Value("--small-rows", v => Gemm.SmallRows = BenchArguments.Int(v))
            .Value("--kc", v => kc = BenchArguments.Int(v))
            .Value("--mc", v => mc = BenchArguments.Int(v))
            .Value("--nc", v => nc = BenchArguments.Int(v))
            .Parse(args);
        // Block sizes apply to the kernel that runs (each width has its own).
        if (width == 128)
        {
            (GemmBlocking.Kc128, GemmBlocking.Mc128, GemmBlocking.Nc128) = (kc ?? GemmBlocking.Kc128, mc ?? GemmBlocking.Mc128, nc ?? GemmBlocking.Nc128);
        }
        else
        {
            (GemmBlocking.Kc, GemmBlocking.Mc, GemmBlocking.Nc) = (kc ?? GemmBlocking.Kc, mc ?? GemmBlocking.Mc, nc ?? GemmBlocking.Nc);
        }

        return new Options(quick, output, threads, shapes, peer, width, op, BenchArguments.Command("gemm", args));
    }

    private static Shape ParseShape(string s)
    {
        var p = s.Split('x');
        if (p.Length != 3)
        {
            throw new ArgumentException($"shape '{s}' must be MxKxN");
        }

        var (m, k, n) = (int.Parse(p[0], Inv), int.Parse(p[1], Inv), int.Parse(p[2], Inv));
        return DefaultShapes.FirstOrDefault(d => d.M == m && d.K == k && d.N == n) ?? new Shape(m, k, n, m == k && k == n ? "square" : "");
    }

    /// <summary>Median and best per-call seconds: `samples` samples of enough back-to-back calls to last SampleSeconds each.</summary>
    private static Timing MeasureOurs(Options o, Shape s)
    {
        var rng = new Random(0);
        var a = new float[s.M * s.K];
        var b = new float[s.K * s.N];
        var c = new float[s.M * s.N];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        bool ta = o.Op[0] == 't', tb = o.Op[1] == 't';
        return Time(() => Gemm.Product(a, ta, b, tb, c, s.M, s.K, s.N, accumulate: false), o.Samples, o.SampleSeconds);
    }

    /// <summary>
    /// The bias of a layer added by a separate pass over C (TensorPrimitives.Add per row, as Dense did) against the
    /// same bias fused into the GEMM epilogue. Dense shapes: x[M, K] W[N, K]^T + bias[N] per column; convolution
    /// shapes: W[M, K] columns[K, N] + bias[M] per row.
    /// </summary>
    private static (Timing Separate, Timing Fused) MeasureEpilogue(Options o, Shape s)
    {
        var rng = new Random(1);
        bool dense = s.What.StartsWith("dense", StringComparison.Ordinal);
        var a = new float[s.M * s.K];
        var b = new float[s.K * s.N];
        var c = new float[s.M * s.N];
        var bias = new float[dense ? s.N : s.M];
        foreach (var x in new[] { a, b, bias })
        {
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)(rng.NextDouble() * 2 - 1);
            }
        }

        var separate = Time(() =>
        {
            Gemm.Product(a, false, b, dense, c, s.M, s.K, s.N, accumulate: false);
            for (int i = 0; i < s.M; i++)
            {
                var row = c.AsSpan(i * s.N, s.N);
                if (dense)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(row, bias[i], row);
                }
            }
        }, o.Samples, o.SampleSeconds);
        var fused = Time(() => Gemm.Product(a, false, b, dense, c, s.M, s.K, s.N, false, bias, dense ? GemmBias.PerColumn : GemmBias.PerRow, relu: false), o.Samples, o.SampleSeconds);
        return (separate, fused);
    }

    private static Timing Time(Action f, int samples, double sampleSeconds)
    {
        f();
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < 0.4 || calls < 3) // past tiered JIT compilation (its delay is 100 ms after the last new method)
        {
            f();
            calls++;
        }

        double perCall = sw.Elapsed.TotalSeconds / calls;
        int inner = Math.Max(1, (int)(sampleSeconds / perCall));
        var times = new double[samples];
        for (int s = 0; s < samples; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++)
            {
                f();
            }

            times[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / inner;
        }

        Array.Sort(times);
        return new Timing(times[samples / 2], times[0]);
    }

    /// <summary>
    /// FP32 peak in GFLOP/s at <paramref name="width"/> bits on <paramref name="threads"/> threads at once: each runs
    /// independent chains of fused multiply-adds on vectors of that width (at 128 bits without FMA, as SSE: a multiply
    /// then an add, which is what the 128-bit kernel issues there; at width 0, no SIMD: scalar multiply-adds), enough
    /// chains to cover the latency on every pipe; best of several runs.
    /// </summary>
    internal static double FmaPeak(int threads, bool quick, int width)
    {
        const long Iterations = 20_000_000;
        double best = 0;
        for (int rep = 0; rep < (quick ? 3 : 7); rep++)
        {
            using var go = new ManualResetEventSlim(false);
            var workers = new Thread[threads];
            var flops = new double[threads];
            for (int t = 0; t < threads; t++)
            {
                int index = t;
                workers[t] = new Thread(() =>
                {
                    Chains(1000, width); // JIT and wake-up
                    go.Wait();
                    flops[index] = Chains(Iterations, width);
                });
                workers[t].Start();
            }

            Thread.Sleep(20);
            long start = Stopwatch.GetTimestamp();
            go.Set();
            foreach (var w in workers)
            {
                w.Join();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, flops.Sum() / seconds / 1e9);
        }

        return best;
    }

    /// <summary>What <see cref="FmaPeak"/> measures at a width, for the report.</summary>
    internal static string PeakName(int width) => width switch
    {
        512 => "512-bit FMA",
        256 => "256-bit FMA",
        128 => GemmKernel128.Fused ? "128-bit FMA" : "128-bit multiply+add (no FMA)",
        _ => "scalar multiply+add (no SIMD)",
    };

    private static double Chains(long iterations, int width) => width switch
    {
        512 => FmaChains512(iterations),
        256 => FmaChains256(iterations),
        128 => GemmKernel128.Fused ? FmaChains128(iterations) : MulAddChains128(iterations),
        _ => ScalarChains(iterations / 4),
    };

    /// <summary>Runs the FMA loop; returns the floating-point operations done (2 per lane per FMA).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double FmaChains512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var d = Vector512.Create(1e-7f);
        Vector512<float> x0 = Vector512.Create(1f), x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d, x6 = x5 + d, x7 = x6 + d;
        Vector512<float> x8 = x7 + d, x9 = x8 + d, xa = x9 + d, xb = xa + d, xc = xb + d, xd = xc + d, xe = xd + d, xf = xe + d;
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector512.FusedMultiplyAdd(x0, m, d); x1 = Vector512.FusedMultiplyAdd(x1, m, d);
            x2 = Vector512.FusedMultiplyAdd(x2, m, d); x3 = Vector512.FusedMultiplyAdd(x3, m, d);
            x4 = Vector512.FusedMultiplyAdd(x4, m, d); x5 = Vector512.FusedMultiplyAdd(x5, m, d);
            x6 = Vector512.FusedMultiplyAdd(x6, m, d); x7 = Vector512.FusedMultiplyAdd(x7, m, d);
            x8 = Vector512.FusedMultiplyAdd(x8, m, d); x9 = Vector512.FusedMultiplyAdd(x9, m, d);
            xa = Vector512.FusedMultiplyAdd(xa, m, d); xb = Vector512.FusedMultiplyAdd(xb, m, d);
            xc = Vector512.FusedMultiplyAdd(xc, m, d); xd = Vector512.FusedMultiplyAdd(xd, m, d);
            xe = Vector512.FusedMultiplyAdd(xe, m, d); xf = Vector512.FusedMultiplyAdd(xf, m, d);
        }

        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb + xc + xd + xe + xf;
        GC.KeepAlive(sum.ToString());
        return iterations * 16.0 * 16 * 2;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double FmaChains256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var d = Vector256.Create(1e-7f);
        Vector256<float> x0 = Vector256.Create(1f), x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d, x6 = x5 + d, x7 = x6 + d;
        Vector256<float> x8 = x7 + d, x9 = x8 + d, xa = x9 + d, xb = xa + d;
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector256.FusedMultiplyAdd(x0, m, d); x1 = Vector256.FusedMultiplyAdd(x1, m, d);
            x2 = Vector256.FusedMultiplyAdd(x2, m, d); x3 = Vector256.FusedMultiplyAdd(x3, m, d);
            x4 = Vector256.FusedMultiplyAdd(x4, m, d); x5 = Vector256.FusedMultiplyAdd(x5, m, d);
            x6 = Vector256.FusedMultiplyAdd(x6, m, d); x7 = Vector256.FusedMultiplyAdd(x7, m, d);
            x8 = Vector256.FusedMultiplyAdd(x8, m, d); x9 = Vector256.FusedMultiplyAdd(x9, m, d);
            xa = Vector256.FusedMultiplyAdd(xa, m, d); xb = Vector256.FusedMultiplyAdd(xb, m, d);
        }

        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb;
        GC.KeepAlive(sum.ToString());
        return iterations * 12.0 * 8 * 2;
    }

    /// <summary>12 chains of Vector128 FMAs (x86 FMA3 on xmm, ARM64 FMLA).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double FmaChains128(long iterations)
    {
        var m = Vector128.Create(0.999999f);
        var d = Vector128.Create(1e-7f);
        Vector128<float> x0 = Vector128.Create(1f), x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d, x6 = x5 + d, x7 = x6 + d;
        Vector128<float> x8 = x7 + d, x9 = x8 + d, xa = x9 + d, xb = xa + d;
        for (long i = 0; i < iterations; i++)
        {
            x0 = Vector128.FusedMultiplyAdd(x0, m, d); x1 = Vector128.FusedMultiplyAdd(x1, m, d);
            x2 = Vector128.FusedMultiplyAdd(x2, m, d); x3 = Vector128.FusedMultiplyAdd(x3, m, d);
            x4 = Vector128.FusedMultiplyAdd(x4, m, d); x5 = Vector128.FusedMultiplyAdd(x5, m, d);
            x6 = Vector128.FusedMultiplyAdd(x6, m, d); x7 = Vector128.FusedMultiplyAdd(x7, m, d);
            x8 = Vector128.FusedMultiplyAdd(x8, m, d); x9 = Vector128.FusedMultiplyAdd(x9, m, d);
            xa = Vector128.FusedMultiplyAdd(xa, m, d); xb = Vector128.FusedMultiplyAdd(xb, m, d);
        }

        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb;
        GC.KeepAlive(sum.ToString());
        return iterations * 12.0 * 4 * 2;
    }

    /// <summary>
    /// 12 chains of Vector128 multiply-then-add (SSE without FMA: MULPS and ADDPS go to separate pipes on current x86,
    /// so a multiply and an add per cycle and pipe pair count as one multiply-add, 2 FLOP per lane).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double MulAddChains128(long iterations)
    {
        var m = Vector128.Create(0.999999f);
        var d = Vector128.Create(1e-7f);
        Vector128<float> x0 = Vector128.Create(1f), x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d, x6 = x5 + d, x7 = x6 + d;
        Vector128<float> x8 = x7 + d, x9 = x8 + d, xa = x9 + d, xb = xa + d;
        for (long i = 0; i < iterations; i++)
        {
            x0 = x0 * m + d; x1 = x1 * m + d; x2 = x2 * m + d; x3 = x3 * m + d;
            x4 = x4 * m + d; x5 = x5 * m + d; x6 = x6 * m + d; x7 = x7 * m + d;
            x8 = x8 * m + d; x9 = x9 * m + d; xa = xa * m + d; xb = xb * m + d;
        }

        var sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb;
        GC.KeepAlive(sum.ToString());
        return iterations * 12.0 * 4 * 2;
    }

    /// <summary>12 chains of scalar multiply-then-add (no SIMD at all).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double ScalarChains(long iterations)
    {
        float m = 0.999999f, d = 1e-7f;
        float x0 = 1f, x1 = x0 + d, x2 = x1 + d, x3 = x2 + d, x4 = x3 + d, x5 = x4 + d, x6 = x5 + d, x7 = x6 + d;
        float x8 = x7 + d, x9 = x8 + d, xa = x9 + d, xb = xa + d;
        for (long i = 0; i < iterations; i++)
        {
            x0 = x0 * m + d; x1 = x1 * m + d; x2 = x2 * m + d; x3 = x3 * m + d;
            x4 = x4 * m + d; x5 = x5 * m + d; x6 = x6 * m + d; x7 = x7 * m + d;
            x8 = x8 * m + d; x9 = x9 * m + d; xa = xa * m + d; xb = xb * m + d;
        }

        float sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + xa + xb;
        GC.KeepAlive(sum.ToString(CultureInfo.InvariantCulture));
        return iterations * 12.0 * 2;
    }
}
