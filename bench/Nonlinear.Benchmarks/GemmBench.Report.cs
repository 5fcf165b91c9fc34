using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>The PyTorch peer process and the markdown section of the matrix-multiply report.</summary>
internal static partial class GemmBench
{
    /// <summary>Runs bench/peer/torch_gemm.py with /usr/bin/python3 and parses its JSON lines.</summary>
    private static (string? Version, string? Error, Dictionary<(string, int), Timing> Results) RunPeer(Options o)
    {
        var results = new Dictionary<(string, int), Timing>();
        const string python = "/usr/bin/python3";
        var script = SideBySide.FindFile(Path.Combine("bench", "peer", "torch_gemm.py"));
        if (script is null)
        {
            return (null, "bench/peer/torch_gemm.py not found (run from the repository).", results);
        }

        if (!File.Exists(python))
        {
            return (null, $"{python} not found. {PeerProcess.InstallHint}", results);
        }

        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--shapes");
        psi.ArgumentList.Add(string.Join(',', o.Shapes.Select(s => s.Key)));
        psi.ArgumentList.Add("--threads");
        psi.ArgumentList.Add(string.Join(',', o.Threads));
        if (o.Quick)
        {
            psi.ArgumentList.Add("--quick");
        }

        Console.Error.WriteLine($"  peer: {python} {string.Join(' ', psi.ArgumentList)}");
        var (version, error) = PeerProcess.Run(psi, (kind, r) =>
        {
            if (kind == "gemm")
            {
                string key = $"{r.GetProperty("m").GetInt32()}x{r.GetProperty("k").GetInt32()}x{r.GetProperty("n").GetInt32()}";
                results[(key, r.GetProperty("threads").GetInt32())] = new Timing(r.GetProperty("median_seconds").GetDouble(), r.GetProperty("min_seconds").GetDouble());
            }
        });

        return (version, error, results);
    }

    private static string Report(Options o, Dictionary<int, double> peaks, Dictionary<(string, int), Timing> ours, Dictionary<(string, int), Timing> peer,
                                 string? peerVersion, string? peerError, string others, List<(Shape Shape, int Threads, Timing Separate, Timing Fused)> epilogues)
    {
        var sb = new StringBuilder();
        string kernel = !Gemm.UseKernel ? "TensorPrimitives reference (no SIMD)" : o.Width switch
        {
            512 => $"AVX-512 {GemmKernel512.Rows}×{GemmKernel512.Cols} micro-kernel, KC {GemmBlocking.Kc}, MC {GemmBlocking.Mc}, NC {GemmBlocking.Nc}",
            256 => $"AVX2 {GemmKernel256.Rows}×{GemmKernel256.Cols} micro-kernel, KC {GemmBlocking.Kc}, MC {GemmBlocking.Mc}, NC {GemmBlocking.Nc}",
            _ => $"128-bit {GemmKernel128.Rows}×{GemmKernel128.Cols} micro-kernel ({(GemmKernel128.Fused ? "fused multiply-add" : "multiply then add: no FMA")}), KC {GemmBlocking.Kc128}, MC {GemmBlocking.Mc128}, NC {GemmBlocking.Nc128}",
        };
        string level = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(v => v.StartsWith("DOTNET_Enable", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}").DefaultIfEmpty("default").Aggregate((x, y) => x + " " + y);
        int peakWidth = Gemm.UseKernel ? o.Width : 0;
        sb.AppendLine(MarkdownSection.MatrixMultiplyHeading + ": SGEMM, Nonlinear vs PyTorch");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Reproduce: `{o.CommandLine.TrimEnd()}`");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Machine: {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} logical CPUs ({CpuModel()}); .NET {Environment.Version}; instruction set: {level}; ours: {kernel}.");
        sb.AppendLine(Inv, $"PyTorch: {peerVersion ?? "not run"}{(peerError is null ? "" : $" ({peerError})")}.");
        sb.AppendLine(Inv, $"Other processes during the run: {others}.");
        sb.AppendLine();
        sb.Append(Inv, $"FP32 {PeakName(peakWidth)} peak at the kernel's width (a register-only loop of independent chains per thread, best of runs): ");
        sb.AppendLine(string.Join(", ", o.Threads.Select(t => string.Create(Inv, $"**{peaks[t]:F0} GFLOP/s** on {t} thread{(t == 1 ? "" : "s")}"))) + ".");
        sb.AppendLine();
        sb.AppendLine("C[M, N] = A[M, K] B[K, N], float32, row-major, contiguous; GFLOP/s = 2·M·K·N / median time of a call (median of samples of back-to-back calls; PyTorch: `torch.mm(a, b, out=c)`, timed the same way). Ratio = ours / PyTorch (higher is better for us). % of peak: ours against that peak on the same number of threads. Convolution rows are the batch-wide im2col products: C[filters, batch·pixels] = W[filters, channels·9] · columns[channels·9, batch·pixels].");
        sb.AppendLine();
        if (o.Op != "nn")
        {
            sb.AppendLine(Inv, $"Ours stored {(o.Op[0] == 't' ? "A as [K, M]" : "A as [M, K]")} and {(o.Op[1] == 't' ? "B as [N, K]" : "B as [K, N]")} (--op {o.Op}); PyTorch always multiplies contiguous [M, K] by [K, N].");
            sb.AppendLine();
        }

        sb.AppendLine("| M×K×N | what | threads | ours GFLOP/s | PyTorch GFLOP/s | ratio | ours % of peak |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var s in o.Shapes)
        {
            foreach (int t in o.Threads)
            {
                var r = ours[(s.Key, t)];
                double g = s.Flops / r.Median / 1e9;
                string torch = "—", ratio = "—";
                if (peer.TryGetValue((s.Key, t), out var p))
                {
                    double pg = s.Flops / p.Median / 1e9;
                    torch = pg.ToString("F1", Inv);
                    ratio = (g / pg).ToString("F2", Inv) + "×";
                }

                sb.AppendLine(Inv, $"| {s.M}×{s.K}×{s.N} | {s.What} | {t} | {g:F1} | {torch} | {ratio} | {100 * g / peaks[t]:F0}% |");
            }
        }

        if (epilogues.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Bias fused into the GEMM epilogue (`Gemm.Product(..., bias, GemmBias.PerColumn/PerRow, relu)`, added while the C tile is in registers) against the product followed by a separate bias pass over C (TensorPrimitives.Add per row). Dense rows: x[M, K]·W[N, K]ᵀ + bias per column; convolution rows: W·columns + bias per row. Median µs per call.");
            sb.AppendLine();
            sb.AppendLine("| M×K×N | what | threads | product + bias pass µs | fused µs | saved |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|");
            foreach (var (s, t, separate, fused) in epilogues)
            {
                sb.AppendLine(Inv, $"| {s.M}×{s.K}×{s.N} | {s.What} | {t} | {separate.Median * 1e6:F1} | {fused.Median * 1e6:F1} | {100 * (1 - fused.Median / separate.Median):F0}% |");
            }
        }

        return sb.ToString();
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
