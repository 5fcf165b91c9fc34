using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nonlinear.Fuzzing;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The full fuzzing run: for each reader, N generated cases (seeded, reproducible), each judged by the oracle
/// (a valid result or an accepted exception with a message, at most 1 s, at most 64 MB allocated) and a table of
/// the outcomes. A failure prints the command that replays it; <c>--case I</c> replays one case and
/// <c>--dump DIR</c> writes the failing inputs to files.
/// </summary>
internal static class FuzzBench
{
    public const string Heading = "## Results";

    private const string Usage = "[--cases 10000] [--seed 1] [--readers model,checkpoint,onnx,idx,idx-gz,idx-stream,csv,png] [--case I] [--file PATH] [--dump DIR] [--out docs/fuzzing.md]";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Summary(string Reader, int Cases, int Valid, SortedDictionary<string, int> Errors, List<FuzzCaseResult> Failures, double MaxMs, double P99Ms, double? MaxCpuMs, long MaxBytes, double TotalSeconds, FuzzCaseResult? Slowest, FuzzCaseResult? Largest);

    public static int Run(string[] args)
    {
        int cases = 10_000, seed = 1;
        int? single = null;
        string? dump = null, output = null, file = null;
        var readers = FuzzTargets.Names.ToArray();
        new BenchArguments("fuzz", Usage)
            .Value("--cases", v => cases = BenchArguments.Int(v))
            .Value("--seed", v => seed = BenchArguments.Int(v))
            .Value("--readers", v => readers = v.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Value("--case", v => single = BenchArguments.Int(v))
            .Value("--file", v => file = v)
            .Value("--dump", v => dump = v)
            .Value("--out", v => output = v)
            .Parse(args);

        if (single is { } index)
        {
            return Replay(readers, seed, index, dump);
        }

        if (file is not null)
        {
            return Judge(readers, file);
        }

        var summaries = new List<Summary>();
        foreach (var reader in readers)
        {
            var target = FuzzTargets.Create(reader);
            summaries.Add(Fuzz(target, seed, cases, dump));
        }

        string command = BenchArguments.Command("fuzz", args);
        string section = Report(summaries, command);
        Console.WriteLine();
        Console.WriteLine(section);
        if (output is not null)
        {
            MarkdownSection.WriteInto(output, Heading, section);
            Console.WriteLine($"wrote {Heading} into {output}");
        }

        return summaries.Sum(s => s.Failures.Count) == 0 ? 0 : 1;
    }

    private static Summary Fuzz(FuzzTarget target, int seed, int cases, string? dump)
    {
        var errors = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<FuzzCaseResult>();
        var times = new double[cases];
        long maxBytes = 0;
        double? maxCpu = null;
        int valid = 0;
        FuzzCaseResult? slowest = null, largest = null;
        var clock = Stopwatch.StartNew();
        using var runner = new FuzzRunner(target, FuzzLimits.Full);

        // One read of each valid file first, so that the timings measure reading rather than JIT compilation.
        foreach (var file in target.Seeds)
        {
            runner.Run(file, -1, "warm-up");
        }

        for (int i = 0; i < cases; i++)
        {
            var result = runner.Run(seed, i);
            times[i] = result.Seconds * 1000;
            maxBytes = Math.Max(maxBytes, result.AllocatedBytes);
            maxCpu = result.CpuSeconds is { } cpu ? Math.Max(maxCpu ?? 0, cpu * 1000) : maxCpu;
            slowest = slowest is null || result.Seconds > slowest.Seconds ? result : slowest;
            largest = largest is null || result.AllocatedBytes > largest.AllocatedBytes ? result : largest;
            switch (result.Outcome)
            {
                case FuzzOutcome.Valid:
                    valid++;
                    break;
                case FuzzOutcome.ClearError:
                    errors[result.Detail] = errors.GetValueOrDefault(result.Detail) + 1;
                    break;
                default:
                    failures.Add(result);
                    Console.WriteLine($"FAILURE {target.Name} case {i} ({result.Mutations}): {result.Detail}");
                    Console.WriteLine($"  replay: {BenchArguments.Command("fuzz", ["--readers", target.Name, "--seed", seed.ToString(Inv), "--case", i.ToString(Inv)])}");
                    if (dump is not null)
                    {
                        Directory.CreateDirectory(dump);
                        File.WriteAllBytes(Path.Combine(dump, $"{target.Name}-seed{seed}-case{i}.bin"), FuzzRunner.Generate(target, seed, i).Input);
                    }

                    break;
            }

            if ((i + 1) % 2000 == 0)
            {
                Console.WriteLine($"{target.Name}: {i + 1}/{cases} cases, {failures.Count} failure(s), {clock.Elapsed.TotalSeconds:0.0} s");
            }
        }

        Array.Sort(times);
        double p99 = cases == 0 ? 0 : times[Math.Min(cases - 1, (int)Math.Ceiling(0.99 * cases) - 1)];
        return new Summary(target.Name, cases, valid, errors, failures, cases == 0 ? 0 : times[^1], p99, maxCpu, maxBytes, clock.Elapsed.TotalSeconds, slowest, largest);
    }

    /// <summary>Runs each reader once on a file (a saved failing input, a file from the field) and prints the verdict.</summary>
    private static int Judge(string[] readers, string path)
    {
        var input = File.ReadAllBytes(path);
        int failures = 0;
        foreach (var reader in readers)
        {
            var target = FuzzTargets.Create(reader);
            using var runner = new FuzzRunner(target, FuzzLimits.Full);
            runner.Run(target.Seeds[0], -1, "warm-up");
            var result = runner.Run(input, 0, "none");
            Console.WriteLine($"{reader} on {path} ({input.Length} bytes): {result.Outcome}: {result.Detail}");
            if (result.Message is { } message)
            {
                Console.WriteLine($"  message: {message}");
            }

            Console.WriteLine($"  {result.Seconds * 1000:0.###} ms ({(result.CpuSeconds is { } cpu ? $"{cpu * 1000:0} ms CPU" : "CPU time unknown")}), {result.AllocatedBytes:N0} bytes allocated");
            failures += result.Outcome == FuzzOutcome.Failure ? 1 : 0;
        }

        return failures == 0 ? 0 : 1;
    }

    private static int Replay(string[] readers, int seed, int index, string? dump)
    {
        int failures = 0;
        foreach (var reader in readers)
        {
            var target = FuzzTargets.Create(reader);
            var (input, mutations) = FuzzRunner.Generate(target, seed, index);
            using var runner = new FuzzRunner(target, FuzzLimits.Full);
            var result = runner.Run(input, index, mutations);
            Console.WriteLine($"{reader} seed {seed} case {index}: {input.Length} bytes after {mutations}");
            Console.WriteLine($"  {result.Outcome}: {result.Detail}");
            if (result.Message is { } message)
            {
                Console.WriteLine($"  message: {message}");
            }

            Console.WriteLine($"  {result.Seconds * 1000:0.###} ms ({(result.CpuSeconds is { } cpu ? $"{cpu * 1000:0} ms CPU" : "CPU time unknown")}), {result.AllocatedBytes:N0} bytes allocated");
            if (dump is not null)
            {
                Directory.CreateDirectory(dump);
                string path = Path.Combine(dump, $"{reader}-seed{seed}-case{index}.bin");
                File.WriteAllBytes(path, input);
                Console.WriteLine($"  input written to {path}");
            }

            failures += result.Outcome == FuzzOutcome.Failure ? 1 : 0;
        }

        return failures == 0 ? 0 : 1;
    }

    private static string Report(List<Summary> summaries, string command)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(Inv, $"`{command}` on {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd}. Limits per case: 1 s of CPU time on the reader's thread, 64 MiB allocated on it (a hang reported after 10 s of wall time); max and p99 ms are wall-clock times of the calls, on a machine shared with other work; each reader's valid files are read once before the timed cases (JIT warm-up).");
        text.AppendLine();
        text.AppendLine("| reader | cases | valid | clear errors | failures | max ms | p99 ms | max CPU ms | max allocated | total s |");
        text.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in summaries)
        {
            string errors = string.Join(", ", s.Errors.Select(e => $"{e.Value.ToString("N0", Inv)} {e.Key}"));
            text.AppendLine(Inv, $"| {s.Reader} | {s.Cases:N0} | {s.Valid:N0} | {errors} | {s.Failures.Count} | {s.MaxMs:0.0} | {s.P99Ms:0.00} | {(s.MaxCpuMs is { } c ? c.ToString("0", Inv) : "n/a")} | {s.MaxBytes / 1048576.0:0.00} MiB | {s.TotalSeconds:0.0} |");
        }

        text.AppendLine();
        text.AppendLine("The costliest cases (replay one with `--readers R --seed S --case I`):");
        text.AppendLine();
        foreach (var s in summaries.Where(s => s.Slowest is not null))
        {
            text.AppendLine(Inv, $"- {s.Reader}: slowest case {s.Slowest!.Index} ({s.Slowest.Mutations}, {s.Slowest.Seconds * 1000:0.0} ms: {s.Slowest.Detail}); largest allocation case {s.Largest!.Index} ({s.Largest.Mutations}, {s.Largest.AllocatedBytes / 1048576.0:0.00} MiB: {s.Largest.Detail})");
        }

        foreach (var s in summaries.Where(s => s.Failures.Count > 0))
        {
            text.AppendLine();
            text.AppendLine(Inv, $"Failures of {s.Reader} (first 20):");
            foreach (var f in s.Failures.Take(20))
            {
                text.AppendLine(Inv, $"- case {f.Index} ({f.Mutations}): {f.Detail.Split('\n')[0]}");
            }
        }

        return text.ToString();
    }
}
