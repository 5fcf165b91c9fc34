using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Training;

namespace Nonlinear.Benchmarks;

/// <summary>
/// What the training diagnostics cost: whole Fashion-MNIST training epochs of the MLP and the CNN (batch 128,
/// SGD lr 0.05 momentum 0.9, the same seeds) without diagnostics, with the default diagnostics (output
/// statistics every 8th batch) and with statistics on every batch. The three runs are interleaved epoch by epoch
/// so that drift in the machine's speed hits them alike; the overhead is the ratio of median epoch times.
/// </summary>
internal static class DiagnosticsBench
{
    public const string Heading = "## Diagnostics overhead";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Options(string? Out, int Threads, string[] Models, int Epochs, int Batches, string? DataDir, string CommandLine);

    private sealed record Variant(string Name, Func<TrainingDiagnostics?> Create);

    private sealed record Row(string Model, string Variant, double[] Seconds, double[] Inside, int Batches);

    /// <summary>Times the calls into the diagnostics: their own cost, less sensitive to a noisy machine than the epoch times.</summary>
    private sealed class TimedObserver(ITrainingObserver inner) : ITrainingObserver
    {
        public long Ticks { get; set; }

        public void BatchEnded(Sequential model, Nonlinear.Tensors.Tensor input, int epoch, int batch)
        {
            long start = Stopwatch.GetTimestamp();
            inner.BatchEnded(model, input, epoch, batch);
            Ticks += Stopwatch.GetTimestamp() - start;
        }

        public void Diverged(Sequential model, Nonlinear.Tensors.Tensor input, int epoch, int batch) => inner.Diverged(model, input, epoch, batch);

        public void EpochEnded(Sequential model, int epoch)
        {
            long start = Stopwatch.GetTimestamp();
            inner.EpochEnded(model, epoch);
            Ticks += Stopwatch.GetTimestamp() - start;
        }
    }

    private static readonly Variant[] Variants =
    [
        new("off", () => null),
        new("on (default: statistics every 8th batch)", () => new TrainingDiagnostics()),
        new("on, statistics every batch", () => new TrainingDiagnostics { StatisticsInterval = 1 }),
    ];

    public static int Run(string[] args)
    {
        Options o;
        string directory;
        try
        {
            o = Parse(args);
            directory = FashionMnist.Locate(o.DataDir);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DataFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var cpuAtStart = CpuMeter.Read();
        var (train, _) = FashionMnist.Load(directory);
        var data = o.Batches > 0 ? FashionBench.First(train, o.Batches * 128) : train;
        int batches = (data.Count + 127) / 128;
        Engine.MaxThreads = o.Threads;
        var rows = new List<Row>();
        foreach (var name in o.Models)
        {
            rows.AddRange(Measure(o, name, data, batches));
        }

        string section = Report(o, directory, rows, batches, CpuMeter.OthersSince(cpuAtStart));
        Console.WriteLine(section);
        if (o.Out is { } path)
        {
            MarkdownSection.WriteInto(path, Heading, section);
            Console.Error.WriteLine($"wrote the '{Heading}' section of {path}");
        }

        return 0;
    }

    private static IEnumerable<Row> Measure(Options o, string name, Dataset data, int batches)
    {
        // One model and trainer per variant, built from the same seed: identical weights, identical batches.
        var runs = Variants.Select(v =>
        {
            var model = Sequential.Parse(FashionBench.Models[name]);
            model.Build(data.FeatureShape, seed: 1);
            var diagnostics = v.Create();
            var timed = diagnostics is null ? null : new TimedObserver(diagnostics);
            var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.05, momentum: 0.9)) { Diagnostics = timed };
            return (Variant: v, Trainer: trainer, Timed: timed, Seconds: new double[o.Epochs], Inside: new double[o.Epochs]);
        }).ToArray();

        // Warm-up (JIT, buffers): a few batches each, outside the timed epochs.
        var warm = FashionBench.First(data, 128 * 8);
        foreach (var r in runs)
        {
            r.Trainer.Fit(warm, 1, 128, seed: 1000);
        }

        for (int e = 0; e < o.Epochs; e++)
        {
            foreach (var r in runs)
            {
                r.Timed?.Ticks = 0;
                var report = r.Trainer.Fit(data, 1, 128, seed: e + 1).Last;
                r.Seconds[e] = report.Elapsed.TotalSeconds;
                r.Inside[e] = (r.Timed?.Ticks ?? 0) / (double)Stopwatch.Frequency;
                Console.Error.WriteLine(string.Create(Inv, $"  {name} epoch {e + 1} {r.Variant.Name}: {report.Elapsed.TotalSeconds:F3}s (diagnostics {r.Inside[e]:F3}s), loss {report.Loss:F4}"));
            }
        }

        return runs.Select(r => new Row(name, r.Variant.Name, r.Seconds, r.Inside, batches));
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private static string Report(Options o, string directory, List<Row> rows, int batches, string others)
    {
        var s = new StringBuilder();
        s.AppendLine(Heading).AppendLine();
        s.AppendLine(string.Create(Inv, $"Command: `{o.CommandLine}`. Data: {directory} ({batches} batches of 128 per epoch), {o.Threads} thread(s), SGD lr 0.05 momentum 0.9, softmax cross-entropy; each variant trains its own copy of the model from the same seed on the same batches, and the variants take turns epoch by epoch. "
            + $"An epoch is timed from its first batch to the end of the diagnostics' epoch summary. Target: at most 10% overhead with the default settings. Other load on the machine during the run: {others}.")).AppendLine();
        s.AppendLine("Two measures of the overhead: the median epoch time against the run without diagnostics (what a user sees, but at the mercy of the machine's noise), and the time spent inside the diagnostics' calls (timed around each call) over the rest of the epoch (their own cost, steadier on a busy machine).").AppendLine();
        s.AppendLine("| model | diagnostics | epochs | median epoch (s) | min (s) | max (s) | per batch (ms) | overhead (epoch times) | inside diagnostics per batch (ms) | overhead (own time) |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in rows.GroupBy(r => r.Model))
        {
            double baseline = Median(group.First().Seconds);
            foreach (var r in group)
            {
                double median = Median(r.Seconds);
                bool off = ReferenceEquals(r, group.First());
                string overhead = off ? "-" : string.Create(Inv, $"{100 * ((median / baseline) - 1):+0.0;-0.0}%");
                double inside = Median(r.Inside);
                double own = Median(r.Seconds.Zip(r.Inside, (t, d) => d / (t - d)).ToArray());
                string insideText = off ? "-" : string.Create(Inv, $"{1000 * inside / r.Batches:F2}");
                string ownText = off ? "-" : string.Create(Inv, $"{100 * own:+0.0}%");
                s.AppendLine(string.Create(Inv, $"| {r.Model} | {r.Variant} | {r.Seconds.Length} | {median:F3} | {r.Seconds.Min():F3} | {r.Seconds.Max():F3} | {1000 * median / r.Batches:F2} | {overhead} | {insideText} | {ownText} |"));
            }
        }

        s.AppendLine().Append(Notes);
        return s.ToString();
    }

    private const string Notes = """
        What the diagnostics do per batch (see TrainingDiagnostics): the L2 norm of every weight gradient; for ReLU, the running maximum of each unit's output (non-zero = alive at least once), and once at most a quarter of the units are still undecided, only those are checked; for other dead-capable activations, the derivative per sample (the activation's own backward with dL/dy = 1) folded into an "ever alive" mask; for other rectifiers, the largest input per unit; for saturating layers, a vectorised count of derivatives below 1% of the peak. On batch 1 and every 8th batch (default), the mean, std, min, max, non-finite count and a 20-bin histogram of every layer's output, in one pass per 4,096-value chunk. The passes over large layers are split over the engine's worker threads. Nothing is allocated per batch.

        Notes (hand-written): the run above was on a quiet machine (under 1% of a core used by others). Earlier runs on 60-100 batches while two other builds shared the two cores measured +4-9% (MLP) and +5-8% (CNN) of own time at the default setting; the epoch-time column swung by ±25% there. Statistics on every batch cost about 40% on the CNN (8.6M output values per batch, memory-bound), which is why the default samples them.
        """;

    private static Options Parse(string[] args)
    {
        string? output = null, dataDir = null;
        int threads = 2, epochs = 3, batches = 0;
        string[] models = ["mlp", "cnn"];
        new BenchArguments("diagnostics", "[--threads 2] [--models mlp,cnn] [--epochs 3] [--batches N] [--data-dir DIR] [--out docs/benchmarks.md]")
            .Value("--out", v => output = v)
            .Value("--data-dir", v => dataDir = v)
            .Value("--threads", v => threads = BenchArguments.Int(v))
            .Value("--models", v => models = FashionBench.CheckModels(v))
            .Value("--epochs", v => epochs = BenchArguments.Int(v))
            .Value("--batches", v => batches = BenchArguments.Int(v))
            .Parse(args);
        return new Options(output, threads, models, epochs, batches, dataDir, BenchArguments.Command("diagnostics", args));
    }
}
