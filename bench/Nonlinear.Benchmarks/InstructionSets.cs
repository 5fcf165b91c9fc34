using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nonlinear.Data;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The instruction-set report: the same benchmarks at each SIMD level this machine can emulate, each level in child
/// processes of this benchmark (the same dll via <c>dotnet</c>) started with one runtime variable set:
/// <c>DOTNET_EnableAVX512=0</c> (AVX2 is the widest; .NET 10 ignores the older <c>DOTNET_EnableAVX512F</c>, which left
/// AVX-512 on), <c>DOTNET_EnableAVX=0</c> (only 128-bit SSE vectors, the
/// stand-in for ARM64 NEON and WebAssembly) and <c>DOTNET_EnableHWIntrinsic=0</c> (no SIMD at all). Each child runs
/// the <c>gemm</c> mode (one shape, two threads, the level's FMA peak) and the <c>fashion-mnist</c> mode (MLP and CNN
/// epochs, batch-1 latency) with <c>--json</c> and hands its numbers back as JSON lines; PyTorch
/// (bench/peer/torch_fashion.py, which keeps its AVX2 kernels) runs once in the same run. Levels take turns run by run,
/// so that a slow stretch of the machine does not fall on one level only.
/// </summary>
internal static partial class InstructionSets
{
    public const string Heading = "## Instruction sets";

    private const int FullEpochBatches = 469; // 60,000 training images in batches of 128

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>One SIMD level: its name, the runtime variable that selects it (null: the default) and how many processes and batches it gets.</summary>
    private sealed record Level(string Name, string? Variable, int Runs, int Batches, bool Quick);

    private sealed record Options(int Runs, string[] Levels, int Batches, int SlowBatches, int Epochs, string Shape, bool Peer, string? DataDir, string? Out, bool Quick, string CommandLine);

    /// <summary>What one child process of one level measured (NaN where it did not report).</summary>
    private sealed class Sample
    {
        public double GemmGflops = double.NaN, Peak = double.NaN, MlpEpoch = double.NaN, CnnEpoch = double.NaN, CnnGflops = double.NaN, MlpBatch1 = double.NaN, CnnBatch1 = double.NaN;

        public int MlpBatches, CnnBatches;

        public string? Widths;

        /// <summary>The widest hardware vector the child saw (512, 256, 128, or 0 for none); -1 before its level line.</summary>
        public int Widest = -1;

        public string? Error;
    }

    /// <summary>PyTorch's numbers (seconds; epochs scaled to a whole epoch).</summary>
    private sealed class Peer
    {
        public double MlpEpoch = double.NaN, CnnEpoch = double.NaN, MlpBatch1 = double.NaN, CnnBatch1 = double.NaN;

        public int Batches;

        public string? Version, Error;
    }

    /// <summary>
    /// The levels: name, variable, what it leaves, and the widest vector its children may see (a wider one means the
    /// variable did not take effect, which the report says). .NET 10 reads <c>DOTNET_EnableAVX512</c>, not the older
    /// <c>DOTNET_EnableAVX512F</c> (checked: with the latter, Vector512.IsHardwareAccelerated stays true).
    /// </summary>
    private static readonly (string Name, string? Variable, string What, int MaxWidth)[] AllLevels =
    [
        ("default", null, "every instruction set of the machine (AVX-512 here)", 512),
        ("avx512-off", "DOTNET_EnableAVX512", "AVX2 and FMA, 256-bit vectors at most", 256),
        ("avx-off", "DOTNET_EnableAVX", "SSE to SSE4.2 only: 128-bit vectors, no FMA (the stand-in for ARM64 NEON / WebAssembly)", 128),
        ("hwintrinsic-off", "DOTNET_EnableHWIntrinsic", "no SIMD at all: scalar code and software vectors", 0),
    ];

    /// <summary>Variables removed from every child's environment before its level's own is set (the older AVX-512 name too).</summary>
    private static readonly string[] LevelVariables = ["DOTNET_EnableAVX512", "DOTNET_EnableAVX512F", "DOTNET_EnableAVX", "DOTNET_EnableHWIntrinsic"];

    private const string Usage = "[--runs 10] [--levels default,avx512-off,avx-off,hwintrinsic-off] [--batches 0] [--slow-batches 40] [--epochs 2] [--shape 512x512x512] [--data-dir DIR] [--no-peer] [--quick] [--out docs/benchmarks.md]";

    public static int Run(string[] args)
    {
        Options o;
        string directory;
        try
        {
            o = Parse(args);
            directory = FashionMnist.Locate(o.DataDir);
        }
        catch (Exception e) when (e is ArgumentException or DataFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var levels = Plan(o);
        var started = Stopwatch.StartNew();
        var cpuAtStart = CpuMeter.Read();
        var peer = o.Peer ? RunPeer(o, directory) : new Peer { Error = "--no-peer" };
        if (peer.Error is not null)
        {
            Console.Error.WriteLine($"PyTorch: {peer.Error}");
        }

        var samples = levels.ToDictionary(l => l.Name, _ => new List<Sample>());
        int rounds = levels.Max(l => l.Runs);
        for (int r = 0; r < rounds; r++)
        {
            foreach (var level in levels.Where(l => r < l.Runs))
            {
                var s = RunChildren(o, level, directory);
                samples[level.Name].Add(s);
                Console.Error.WriteLine(string.Create(Inv, $"[{started.Elapsed.TotalSeconds:F0} s] {level.Name} run {r + 1}/{level.Runs}: GEMM {s.GemmGflops:F1} GFLOP/s (peak {s.Peak:F0}), MLP epoch {s.MlpEpoch:F2} s, CNN epoch {s.CnnEpoch:F2} s, batch-1 MLP {s.MlpBatch1 * 1e6:F1} µs, CNN {s.CnnBatch1 * 1e6:F1} µs{(s.Error is null ? "" : " (" + s.Error + ")")}"));
            }
        }

        var section = Report(o, levels, samples, peer, directory, CpuMeter.OthersSince(cpuAtStart), started.Elapsed);
        Console.WriteLine(section);
        if (o.Out is not null)
        {
            MarkdownSection.WriteInto(o.Out, Heading, section);
            Console.Error.WriteLine($"wrote the '{Heading}' section of {o.Out}");
        }

        return 0;
    }

    private static Options Parse(string[] args)
    {
        int runs = 10, batches = 0, slowBatches = 40, epochs = 2;
        string[] levels = [.. AllLevels.Select(l => l.Name)];
        string shape = "512x512x512";
        bool peer = true, quick = false;
        string? dataDir = null, output = null;
        new BenchArguments("instruction-sets", Usage)
            .Flag("--no-peer", () => peer = false)
            .Flag("--quick", () => quick = true)
            .Value("--runs", v => runs = Math.Max(1, BenchArguments.Int(v)))
            .Value("--levels", v => levels = CheckLevels(v))
            .Value("--batches", v => batches = Math.Max(0, BenchArguments.Int(v)))
            .Value("--slow-batches", v => slowBatches = Math.Max(1, BenchArguments.Int(v)))
            .Value("--epochs", v => epochs = Math.Max(1, BenchArguments.Int(v)))
            .Value("--shape", v => shape = v)
            .Value("--data-dir", v => dataDir = v)
            .Value("--out", v => output = v)
            .Parse(args);
        if (quick && !args.Contains("--runs"))
        {
            runs = 2;
        }

        if (quick && !args.Contains("--batches"))
        {
            batches = 50;
        }

        if (quick && !args.Contains("--slow-batches"))
        {
            slowBatches = 10;
        }

        return new Options(runs, levels, batches, slowBatches, epochs, shape, peer, dataDir, output, quick, BenchArguments.Command("instruction-sets", args));
    }

    /// <summary>The level names of <c>--levels</c>; <c>avx512f-off</c>, the level's earlier name, still means <c>avx512-off</c>.</summary>
    private static string[] CheckLevels(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => n == "avx512f-off" ? "avx512-off" : n).ToArray();
        return names.FirstOrDefault(n => AllLevels.All(l => l.Name != n)) is { } bad
            ? throw new ArgumentException($"unknown level '{bad}'; expected {string.Join(", ", AllLevels.Select(l => l.Name))}")
            : names;
    }

    /// <summary>
    /// Processes and batches per level: the default level gets --runs processes; AVX2 (about as fast) half as many,
    /// 128-bit a third, no-SIMD a tenth (at least one each). The two SIMD levels with wide vectors time whole epochs
    /// (--batches, 0 = whole); the two slow ones time --slow-batches batches and scale them to a whole epoch.
    /// </summary>
    private static Level[] Plan(Options o) =>
    [
        .. AllLevels.Where(l => o.Levels.Contains(l.Name)).Select(l => l.Name switch
        {
            "default" => new Level(l.Name, l.Variable, o.Runs, o.Batches, o.Quick),
            "avx512-off" => new Level(l.Name, l.Variable, Math.Max(1, o.Runs / 2), o.Batches, o.Quick),
            "avx-off" => new Level(l.Name, l.Variable, Math.Max(1, o.Runs / 3), o.SlowBatches, true),
            _ => new Level(l.Name, l.Variable, Math.Max(1, o.Runs / 10), o.SlowBatches, true),
        }),
    ];

    /// <summary>One run of a level: the gemm child, then the fashion-mnist child.</summary>
    private static Sample RunChildren(Options o, Level level, string directory)
    {
        var s = new Sample();
        // No FMA peak without SIMD: its loop would run on software vectors for minutes (and there is no vector peak to reach).
        string[] gemm = level.Variable == "DOTNET_EnableHWIntrinsic"
            ? ["gemm", "--quick", "--no-peer", "--threads", "2", "--shapes", o.Shape, "--json", "--no-peak"]
            : ["gemm", "--quick", "--no-peer", "--threads", "2", "--shapes", o.Shape, "--json"];
        s.Error = RunChild(level, gemm, (kind, r) =>
        {
            switch (kind)
            {
                case "level":
                    (s.Widths, s.Widest) = (Widths(r), Widest(r));
                    break;
                case "peak" when r.GetProperty("threads").GetInt32() == 2:
                    s.Peak = r.GetProperty("gflops").GetDouble();
                    break;
                case "gemm" when r.GetProperty("threads").GetInt32() == 2:
                    s.GemmGflops = r.GetProperty("gflops").GetDouble();
                    break;
            }
        });

        // --no-peak: the gemm child measured the level's peak; the fashion child's epoch lines carry their counted GFLOP.
        var fashion = new List<string> { "fashion-mnist", "--no-peer", "--no-ort", "--no-peak", "--threads", "2", "--models", "mlp,cnn", "--epochs", o.Epochs.ToString(Inv), "--data-dir", directory, "--json" };
        if (level.Batches > 0)
        {
            fashion.AddRange(["--batches", level.Batches.ToString(Inv)]);
        }

        if (level.Quick)
        {
            fashion.Add("--quick");
        }

        var error = RunChild(level, [.. fashion], (kind, r) =>
        {
            if (!r.TryGetProperty("model", out var m))
            {
                return;
            }

            string model = m.GetString()!;
            if (kind == "epoch" && r.GetProperty("epoch").GetInt32() == o.Epochs)
            {
                int batches = r.GetProperty("batches").GetInt32();
                double seconds = r.GetProperty("seconds").GetDouble();
                double whole = seconds * FullEpochBatches / batches;
                if (model == "cnn" && r.TryGetProperty("gflop", out var gflop))
                {
                    s.CnnGflops = gflop.GetDouble() / seconds;
                }

                (model == "mlp" ? ref s.MlpEpoch : ref s.CnnEpoch) = whole;
                (model == "mlp" ? ref s.MlpBatches : ref s.CnnBatches) = batches;
            }
            else if (kind == "inference")
            {
                (model == "mlp" ? ref s.MlpBatch1 : ref s.CnnBatch1) = r.GetProperty("batch1_seconds").GetDouble();
            }
        });
        s.Error = s.Error is null ? error : error is null ? s.Error : s.Error + "; " + error;
        return s;
    }

    private static int Widest(JsonElement r) =>
        r.GetProperty("vector512").GetBoolean() ? 512 : r.GetProperty("vector256").GetBoolean() ? 256 : r.GetProperty("vector128").GetBoolean() ? 128 : 0;

    private static string Widths(JsonElement r)
    {
        var widths = new List<string>();
        foreach (var (name, label) in new[] { ("vector512", "512"), ("vector256", "256"), ("vector128", "128") })
        {
            if (r.GetProperty(name).GetBoolean())
            {
                widths.Add(label);
            }
        }

        return (widths.Count == 0 ? "no hardware vectors" : string.Join('/', widths) + "-bit vectors") + (r.GetProperty("fma").GetBoolean() ? " and FMA" : ", no FMA");
    }

    /// <summary>Runs this benchmark's dll with <paramref name="args"/> under the level's variable; hands every JSON line to <paramref name="handle"/>; returns an error or null.</summary>
    private static string? RunChild(Level level, string[] args, Action<string, JsonElement> handle)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(InstructionSets).Assembly.Location);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var variable in LevelVariables)
        {
            psi.Environment.Remove(variable);
        }

        if (level.Variable is not null)
        {
            psi.Environment[level.Variable] = "0";
        }

        if (level.Variable == "DOTNET_EnableAVX512")
        {
            psi.Environment["DOTNET_EnableAVX512F"] = "0"; // the same switch before .NET 10 (the child's level line shows which took effect)
        }

        using var process = Process.Start(psi)!;
        var lines = new List<string>();
        var reader = Task.Run(() =>
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                if (line.StartsWith("{\"kind\"", StringComparison.Ordinal))
                {
                    lines.Add(line);
                }
            }
        });
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return $"{args[0]} timed out after 10 min";
        }

        reader.Wait();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            handle(doc.RootElement.GetProperty("kind").GetString()!, doc.RootElement);
        }

        return process.ExitCode == 0 ? null : $"{args[0]} exited with code {process.ExitCode}";
    }

    /// <summary>PyTorch once: the same models, two threads, the same epochs and batches as the default level.</summary>
    private static Peer RunPeer(Options o, string directory)
    {
        const string python = "/usr/bin/python3";
        var peer = new Peer();
        var script = SideBySide.FindFile(Path.Combine("bench", "peer", "torch_fashion.py"));
        if (script is null || !File.Exists(python))
        {
            peer.Error = script is null ? "bench/peer/torch_fashion.py not found (run from the repository)" : $"{python} not found. {PeerProcess.InstallHint}";
            return peer;
        }

        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { script, "--data", directory, "--models", "mlp,cnn", "--threads", "2", "--epochs", o.Epochs.ToString(Inv) })
        {
            psi.ArgumentList.Add(a);
        }

        if (o.Batches > 0)
        {
            psi.ArgumentList.Add("--batches");
            psi.ArgumentList.Add(o.Batches.ToString(Inv));
        }

        if (o.Quick)
        {
            psi.ArgumentList.Add("--quick");
        }

        Console.Error.WriteLine($"  peer: {python} {string.Join(' ', psi.ArgumentList)}");
        (peer.Version, peer.Error) = PeerProcess.Run(psi, (kind, r) =>
        {
            string model = r.GetProperty("model").GetString()!;
            if (kind == "epoch" && r.GetProperty("epoch").GetInt32() == o.Epochs)
            {
                peer.Batches = r.GetProperty("batches").GetInt32();
                (model == "mlp" ? ref peer.MlpEpoch : ref peer.CnnEpoch) = r.GetProperty("seconds").GetDouble() * FullEpochBatches / peer.Batches;
            }
            else if (kind == "inference")
            {
                (model == "mlp" ? ref peer.MlpBatch1 : ref peer.CnnBatch1) = r.GetProperty("batch1_seconds").GetDouble();
            }
        });
        return peer;
    }
}
