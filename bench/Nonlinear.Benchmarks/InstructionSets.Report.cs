using System.Runtime.InteropServices;
using System.Text;

namespace Nonlinear.Benchmarks;

/// <summary>The markdown section of the instruction-set report.</summary>
internal static partial class InstructionSets
{
    private static string Report(Options o, Level[] levels, Dictionary<string, List<Sample>> samples, Peer peer, string directory, string others, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Heading).AppendLine();
        sb.AppendLine(Inv, $"Command: `{o.CommandLine}` ({elapsed.TotalMinutes:F1} min). Machine: {RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} logical CPUs; .NET {Environment.Version}. Other load on the machine during the run: {others}.").AppendLine();
        sb.AppendLine("Each level runs in child processes of this benchmark (`dotnet Nonlinear.Benchmarks.dll gemm|fashion-mnist ... --json`) started with one runtime variable, which turns that instruction set and every wider one off for the whole process:").AppendLine();
        foreach (var l in levels)
        {
            var (_, _, what, maxWidth) = AllLevels.First(a => a.Name == l.Name);
            string widths = samples[l.Name].Select(s => s.Widths).FirstOrDefault(w => w is not null) ?? "?";
            int tooWide = samples[l.Name].Count(s => s.Widest > maxWidth);
            if (tooWide > 0)
            {
                widths += string.Create(Inv, $" (**the variable did not take effect**: {tooWide} process{(tooWide == 1 ? "" : "es")} ran wider than {maxWidth}-bit vectors, so this row measures a wider level than its name)");
            }

            string batches = l.Batches > 0 ? string.Create(Inv, $"{l.Batches} batches per epoch timed and scaled to {FullEpochBatches}") : "whole epochs";
            sb.AppendLine(Inv, $"- **{l.Name}** ({(l.Variable is null ? "no variable" : $"`{l.Variable}=0`")}): {what}; the children saw {widths}. {l.Runs} process{(l.Runs == 1 ? "" : "es")}, {batches}{(l.Quick ? ", batch-1 latency over 200 forwards" : "")}.");
        }

        sb.AppendLine();
        sb.AppendLine(Inv, $"GEMM: `gemm --quick --threads 2 --shapes {o.Shape}`, GFLOP/s of the median call on 2 threads, and the FMA peak that mode measures in the same process (an FMA loop at the widest width the process runs), median over processes. "
            + $"CNN GFLOP/s: the CNN epoch's dense and convolution products (forward, dW, and dX but the first layer's; 2 FLOP per multiply-add, as counted in the Fashion-MNIST section) per second; % of peak against the level's FMA peak (medians). "
            + $"Epochs: `fashion-mnist --threads 2 --epochs {o.Epochs}`, the time of epoch {o.Epochs} (epoch 1 includes the JIT), batch 128, SGD with momentum; batch-1: median of single-image forward passes. "
            + $"Cells are min / median / max over the processes; ratios use medians. Data: {directory}.").AppendLine();
        sb.AppendLine(peer.Version is null
            ? $"PyTorch: not run ({peer.Error})."
            : string.Create(Inv, $"PyTorch {peer.Version}: bench/peer/torch_fashion.py, run once in this run with 2 threads (its own kernels keep AVX2 whatever the variables; {(peer.Batches is > 0 and < FullEpochBatches ? $"{peer.Batches} batches per epoch timed and scaled to {FullEpochBatches}" : "whole epochs")}, epoch {o.Epochs}).")).AppendLine();

        sb.AppendLine("| level | processes | GEMM GFLOP/s (2 threads) | FMA peak | % of peak | MLP epoch (s) | MLP / PyTorch | CNN epoch (s) | CNN / PyTorch | CNN GFLOP/s | CNN % of peak | MLP batch-1 (µs) | CNN batch-1 (µs) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in levels)
        {
            var s = samples[l.Name];
            double gemm = Median(s, x => x.GemmGflops), peak = Median(s, x => x.Peak);
            sb.AppendLine(Inv, $"| {l.Name} | {s.Count} | {Spread(s, x => x.GemmGflops, "F1")} | {Cell(peak, "F0")} | {Percent(gemm, peak)} | {Spread(s, x => x.MlpEpoch, "F2")} | {Ratio(Median(s, x => x.MlpEpoch), peer.MlpEpoch)} | {Spread(s, x => x.CnnEpoch, "F2")} | {Ratio(Median(s, x => x.CnnEpoch), peer.CnnEpoch)} | {Spread(s, x => x.CnnGflops, "F1")} | {Percent(Median(s, x => x.CnnGflops), peak)} | {Spread(s, x => x.MlpBatch1 * 1e6, "F1")} | {Spread(s, x => x.CnnBatch1 * 1e6, "F1")} |");
        }

        if (peer.Version is not null)
        {
            sb.AppendLine(Inv, $"| PyTorch | 1 | - | - | - | {Cell(peer.MlpEpoch, "F2")} | 1.00 | {Cell(peer.CnnEpoch, "F2")} | 1.00 | - | - | {Cell(peer.MlpBatch1 * 1e6, "F1")} | {Cell(peer.CnnBatch1 * 1e6, "F1")} |");
        }

        var errors = levels.SelectMany(l => samples[l.Name].Where(s => s.Error is not null).Select(s => $"{l.Name}: {s.Error}")).Distinct().ToList();
        if (errors.Count > 0)
        {
            sb.AppendLine().AppendLine("Child process errors: " + string.Join("; ", errors) + ".");
        }

        var targets = new List<string>();
        if (samples.TryGetValue("default", out var full))
        {
            double cnn = Median(full, x => x.CnnEpoch) / peer.CnnEpoch, share = Median(full, x => x.CnnGflops) / Median(full, x => x.Peak);
            targets.Add(string.Create(Inv, $"| default | CNN epoch ≤ 0.25× PyTorch | {Times(cnn)} | {Met(cnn, 0.25, atLeast: false)} |"));
            targets.Add(string.Create(Inv, $"| default | CNN epoch ≥ 55 % of the FMA peak (products only) | {Percent(share, 1)} | {Met(share, 0.55, atLeast: true)} |"));
        }

        if (samples.TryGetValue("avx-off", out var avx))
        {
            double gemm = Median(avx, x => x.GemmGflops), peak = Median(avx, x => x.Peak);
            double mlp = Median(avx, x => x.MlpEpoch) / peer.MlpEpoch, cnn = Median(avx, x => x.CnnEpoch) / peer.CnnEpoch;
            targets.Add(string.Create(Inv, $"| avx-off | GEMM ≥ 50 % of the 128-bit peak | {Percent(gemm, peak)} | {Met(gemm / peak, 0.5, atLeast: true)} |"));
            targets.Add(string.Create(Inv, $"| avx-off | MLP epoch ≤ 0.75× PyTorch | {Times(mlp)} | {Met(mlp, 0.75, atLeast: false)} |"));
            targets.Add(string.Create(Inv, $"| avx-off | CNN epoch ≤ 1.0× PyTorch | {Times(cnn)} | {Met(cnn, 1.0, atLeast: false)} |"));
        }

        if (targets.Count > 0)
        {
            sb.AppendLine().AppendLine("Targets from issue 13 (medians over the level's processes; PyTorch's one run):").AppendLine();
            sb.AppendLine("| level | target | measured | met |");
            sb.AppendLine("|---|---|---:|---|");
            foreach (var t in targets)
            {
                sb.AppendLine(t);
            }
        }

        return sb.ToString();
    }

    private static double Median(List<Sample> samples, Func<Sample, double> value)
    {
        var v = samples.Select(value).Where(double.IsFinite).Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>"min / median / max" (one number for one process, "-" for none).</summary>
    private static string Spread(List<Sample> samples, Func<Sample, double> value, string format)
    {
        var v = samples.Select(value).Where(double.IsFinite).Order().ToArray();
        return v.Length switch
        {
            0 => "-",
            1 => v[0].ToString(format, Inv),
            _ => $"{v[0].ToString(format, Inv)} / {Median(samples, value).ToString(format, Inv)} / {v[^1].ToString(format, Inv)}",
        };
    }

    private static string Times(double ratio) => double.IsFinite(ratio) ? ratio.ToString("F2", Inv) + "×" : "-";

    private static string Cell(double value, string format) => double.IsFinite(value) ? value.ToString(format, Inv) : "-";

    private static string Ratio(double ours, double theirs) => double.IsFinite(ours / theirs) ? (ours / theirs).ToString("F2", Inv) : "-";

    private static string Percent(double part, double whole) => double.IsFinite(part / whole) ? (100 * part / whole).ToString("F0", Inv) + " %" : "-";

    private static string Met(double value, double bound, bool atLeast) => !double.IsFinite(value) ? "not measured" : (atLeast ? value >= bound : value <= bound) ? "yes" : "**no**";
}
