using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The Fashion-MNIST report: wall time of whole training epochs (all 60,000 images, batch 128, SGD lr 0.05 with
/// momentum 0.9, softmax cross-entropy) of the MLP 784-256-128-10 and the two-conv CNN, batch-1 latency and
/// batch-1000 throughput of inference, and the bytes each steady-state batch allocates, each against PyTorch
/// (bench/peer/torch_fashion.py, the same models, data, optimizer and thread count, run first in its own process).
/// Inference is also timed in ONNX Runtime (<see cref="OrtPeer"/>, in this process, after ours) on two exports of
/// each model: PyTorch's trained model by torch.onnx.export, and ours by <see cref="OnnxExport"/>.
/// </summary>
internal static partial class FashionBench
{
    public const string Heading = "## Fashion-MNIST";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly Dictionary<string, string> Models = new(StringComparer.Ordinal)
    {
        ["mlp"] = "flatten,dense:256,relu,dense:128,relu,dense:10",
        ["cnn"] = "conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10",
        ["cnn-bn"] = "conv:64x3:same,batchnorm,relu,pool:2,conv:64x3:same,batchnorm,relu,pool:2,flatten,dropout:0.25,dense:128,relu,dense:10",
        ["cnn-bn-nobn"] = "conv:64x3:same,relu,pool:2,conv:64x3:same,relu,pool:2,flatten,dropout:0.25,dense:128,relu,dense:10",
    };

    private sealed record Options(bool Quick, string? Out, int[] Threads, string[] Models, int Epochs, Dictionary<string, int> ModelEpochs, int Batches, string? DataDir, bool Peer, bool Ort, bool Peak, long DenseSplit, string CommandLine)
    {
        /// <summary>The number of epochs <paramref name="model"/> trains: its <c>--model-epochs</c> entry, else <c>--epochs</c>.</summary>
        public int EpochsOf(string model) => ModelEpochs.TryGetValue(model, out int e) ? e : Epochs;
    }

    private sealed record Epoch(string Model, int Threads, int Number, double Seconds, int Batches, int Samples, double TestAccuracy);

    private sealed record Inference(string Model, int Threads, double Batch1, double Batch1000);

    /// <summary>ONNX Runtime's timings of one export ("torch" or "ours") of a model.</summary>
    private sealed record OrtInference(string Model, int Threads, string Export, double Batch1, double Batch1000);

    /// <summary>What the run's ONNX Runtime part needs: a scratch folder, the PyTorch peer's exports by (model, threads), the results.</summary>
    private sealed class OrtRun(string directory)
    {
        public string Directory { get; } = directory;

        public Dictionary<(string, int), string> TorchExports { get; } = [];

        public List<OrtInference> Results { get; } = [];

        public string? Error { get; set; }
    }

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

        string directory;
        try
        {
            directory = FashionMnist.Locate(o.DataDir);
        }
        catch (DataFormatException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var cpuAtStart = CpuMeter.Read();
        var peerEpochs = new List<Epoch>();
        var peerInference = new List<Inference>();
        var ort = o.Ort ? new OrtRun(System.IO.Directory.CreateTempSubdirectory("nonlinear-fashion-onnx-").FullName) : null;
        try
        {
            var (peerVersion, peerError) = o.Peer ? RunPeer(o, directory, peerEpochs, peerInference, ort) : (null, "peer not run (--no-peer)");
            if (peerError is not null)
            {
                Console.Error.WriteLine(peerError);
            }

            return Run(o, directory, cpuAtStart, peerVersion, peerError, peerEpochs, peerInference, ort);
        }
        finally
        {
            if (ort is not null)
            {
                System.IO.Directory.Delete(ort.Directory, recursive: true);
            }
        }
    }

    private static int Run(Options o, string directory, CpuMeter.Sample? cpuAtStart, string? peerVersion, string? peerError, List<Epoch> peerEpochs, List<Inference> peerInference, OrtRun? ort)
    {

        Layers.Dense.SplitWork = o.DenseSplit;
        var (train, test) = FashionMnist.Load(directory);
        var epochs = new List<Epoch>();
        var inference = new List<Inference>();
        var allocation = new Dictionary<(string, int), double>();
        // The FMA peak first, while nothing else of this run is busy (the PyTorch peer has finished).
        var peaks = new Dictionary<int, double>();
        int peakWidth = Gemm.UseKernel ? Gemm.Width : 0;
        foreach (int t in o.Threads)
        {
            peaks[t] = o.Peak ? GemmBench.FmaPeak(t, o.Quick, peakWidth) : double.NaN;
            if (o.Peak)
            {
                Console.Error.WriteLine(string.Create(Inv, $"  {GemmBench.PeakName(peakWidth)} peak, {t} thread(s): {peaks[t]:F1} GFLOP/s"));
            }
        }

        var work = new Dictionary<string, Work>(StringComparer.Ordinal);
        foreach (int t in o.Threads)
        {
            Engine.MaxThreads = t;
            foreach (var name in o.Models)
            {
                work[name] = Measure(o, name, t, train, test, epochs, inference, allocation, ort);
            }
        }

        if (_json)
        {
            WriteJson(epochs, inference, allocation, peaks, work);
        }

        var measured = new Measured(peaks, PeakName: GemmBench.PeakName(peakWidth), work);
        string section = Report(o, directory, peerVersion, peerError, epochs, peerEpochs, inference, peerInference, ort, allocation, measured, CpuMeter.OthersSince(cpuAtStart));
        Console.WriteLine(section);
        if (o.Out is { } path)
        {
            MarkdownSection.WriteInto(path, Heading, section);
            Console.Error.WriteLine($"wrote the '{Heading}' section of {path}");
        }

        return 0;
    }

    /// <summary>Trains and times one model at one thread count; returns the arithmetic it does per image.</summary>
    private static Work Measure(Options o, string name, int threads, Dataset train, Dataset test, List<Epoch> epochs, List<Inference> inference, Dictionary<(string, int), double> allocation, OrtRun? ort)
    {
        var model = Sequential.Parse(Models[name]);
        model.Build(train.FeatureShape, seed: 1);
        var work = CountWork(model);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.05, momentum: 0.9));
        var data = o.Batches > 0 ? First(train, o.Batches * 128) : train;
        for (int e = 1; e <= o.EpochsOf(name); e++)
        {
            // One epoch per Fit call, each with its own shuffling seed: Elapsed covers the batches only.
            var history = trainer.Fit(data, 1, 128, seed: e);
            var eval = trainer.Evaluate(test, 1000);
            var report = history.Last;
            int batches = (data.Count + 127) / 128;
            epochs.Add(new Epoch(name, threads, e, report.Elapsed.TotalSeconds, batches, data.Count, eval.Accuracy));
            Console.Error.WriteLine(string.Create(Inv, $"  ours  T={threads} {name} epoch {e}: {report.Elapsed.TotalSeconds:F2}s for {batches} batches, test acc {eval.Accuracy:F4}"));
        }

        allocation[(name, threads)] = BytesPerBatch(trainer, data);
        var one = First(test, 1).Features;
        var thousand = First(test, 1000).Features;
        // Sequential.Infer: the evaluation forward pass with dense + relu fused (what SavedModel.Predict runs).
        double lat = MedianSeconds(() => model.Infer(one), o.Quick ? 200 : 2000);
        double thr = MedianSeconds(() => model.Infer(thousand), o.Quick ? 10 : 50);
        inference.Add(new Inference(name, threads, lat, thr));
        Console.Error.WriteLine(string.Create(Inv, $"  ours  T={threads} {name} inference: batch-1 {lat * 1e6:F1} µs, batch-1000 {thr * 1e3:F2} ms"));
        if (ort is not null)
        {
            MeasureOrt(o, name, threads, model, test, ort);
        }

        return work;
    }

    /// <summary>
    /// ONNX Runtime on our trained model (exported by OnnxExport, logits out) and on the PyTorch peer's (exported by
    /// torch.onnx.export), each on the same first test image and first 1,000 test images as ours; checks that the
    /// export of ours agrees with our forward pass and prints both exports' accuracy on those 1,000 images.
    /// </summary>
    private static void MeasureOrt(Options o, string name, int threads, Sequential model, Dataset test, OrtRun ort)
    {
        var thousand = First(test, 1000);
        var x = thousand.Features;
        var ours = model.Forward(x).Span.ToArray();
        int k = model.OutputShape.Length;
        var exports = new List<(string Export, string Path)>();
        try
        {
            string path = Path.Combine(ort.Directory, $"ours-{name}-t{threads}.onnx");
            var metadata = new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "identity", Loss = "cross_entropy" };
            OnnxExport.Save(path, new SavedModel(model, metadata));
            exports.Add(("ours", path));
        }
        catch (NotSupportedException e)
        {
            Console.Error.WriteLine($"  ORT   T={threads} {name}: our model cannot be exported ({e.Message})");
        }

        if (ort.TorchExports.TryGetValue((name, threads), out var torchPath))
        {
            exports.Add(("torch", torchPath));
        }

        foreach (var (export, path) in exports)
        {
            try
            {
                // Every input of the exports has our per-sample shape ([1, 28, 28] or [784], the same floats).
                var shape = export == "ours" ? Longs(model.InputShape) : TorchInputShape(name, model);
                var r = OrtPeer.Measure(path, threads, x.Span[..x.SampleLength].ToArray(), [1, .. shape], x.Span.ToArray(), [x.BatchSize, .. shape], k,
                                        o.Quick ? 200 : 2000, o.Quick ? 10 : 50);
                ort.Results.Add(new OrtInference(name, threads, export, r.Batch1, r.Batch1000));
                var labels = thousand.Targets.Span;
                int correct = 0;
                for (int i = 0; i < thousand.Count; i++)
                {
                    var row = r.Output1000.AsSpan(i * k, k);
                    correct += row.IndexOf(TensorPrimitivesMax(row)) == (int)labels[i] ? 1 : 0;
                }

                string check = export == "ours" ? string.Create(Inv, $", max |ORT − ours| {OrtPeer.MaxDifference(r.Output1000, ours):G3}") : "";
                Console.Error.WriteLine(string.Create(Inv, $"  ORT   T={threads} {name} ({export} export): batch-1 {r.Batch1 * 1e6:F1} µs, batch-1000 {r.Batch1000 * 1e3:F2} ms, accuracy on the 1,000 images {correct / (double)thousand.Count:F4}{check}"));
            }
            catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
            {
                ort.Error = $"ONNX Runtime failed on the {export} export of {name}: {e.Message}";
                Console.Error.WriteLine("  " + ort.Error);
            }
        }
    }

    private static float TensorPrimitivesMax(ReadOnlySpan<float> x) => System.Numerics.Tensors.TensorPrimitives.Max(x);

    /// <summary>The per-sample input of the PyTorch peer's export: [784] for the MLP, the image [1, 28, 28] otherwise (exported past nn.Unflatten).</summary>
    private static long[] TorchInputShape(string name, Sequential model) => name == "mlp" ? [model.InputShape.Length] : Longs(model.InputShape);

    private static long[] Longs(TensorShape shape) => [.. shape.Select(d => (long)d)];

    /// <summary>
    /// Bytes allocated per training batch in steady state, process-wide: measured inside one epoch between its
    /// 10th and 40th batch (the epoch's own set-up, the batch buffers and the permutation, is outside the window).
    /// </summary>
    private static double BytesPerBatch(Trainer trainer, Dataset train)
    {
        var slice = First(train, 128 * 50);
        long at10 = 0, at40 = 0;
        void Probe(BatchReport b)
        {
            if (b.Batch == 10)
            {
                at10 = GC.GetTotalAllocatedBytes(precise: true);
            }
            else if (b.Batch == 40)
            {
                at40 = GC.GetTotalAllocatedBytes(precise: true);
            }
        }

        trainer.BatchEnded += Probe;
        trainer.Fit(slice, 1, 128, seed: 99);
        trainer.BatchEnded -= Probe;
        return (at40 - at10) / 30.0;
    }

    /// <summary>The first <paramref name="count"/> samples (all when fewer).</summary>
    public static Dataset First(Dataset data, int count) => data.Subset(Enumerable.Range(0, Math.Min(count, data.Count)).ToArray());

    /// <summary>The median time of <paramref name="reps"/> calls of <paramref name="action"/>, after up to 20 untimed ones.</summary>
    internal static double MedianSeconds(Action action, int reps)
    {
        for (int i = 0; i < Math.Min(20, reps); i++)
        {
            action();
        }

        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }

    private static (string? Version, string? Error) RunPeer(Options o, string directory, List<Epoch> epochs, List<Inference> inference, OrtRun? ort)
    {
        const string python = "/usr/bin/python3";
        var script = SideBySide.FindFile(Path.Combine("bench", "peer", "torch_fashion.py"));
        if (script is null)
        {
            return (null, "bench/peer/torch_fashion.py not found (run from the repository).");
        }

        if (!File.Exists(python))
        {
            return (null, $"{python} not found. {PeerProcess.InstallHint}");
        }

        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { script, "--data", directory, "--models", string.Join(',', o.Models), "--threads", string.Join(',', o.Threads), "--epochs", o.Epochs.ToString(Inv) })
        {
            psi.ArgumentList.Add(a);
        }

        if (o.ModelEpochs.Count > 0)
        {
            psi.ArgumentList.Add("--model-epochs");
            psi.ArgumentList.Add(string.Join(',', o.ModelEpochs.Select(kv => string.Create(Inv, $"{kv.Key}={kv.Value}"))));
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

        if (ort is not null)
        {
            psi.ArgumentList.Add("--onnx-dir");
            psi.ArgumentList.Add(ort.Directory);
        }

        Console.Error.WriteLine($"  peer: {python} {string.Join(' ', psi.ArgumentList)}");
        return PeerProcess.Run(psi, (kind, r) =>
        {
            string model = r.GetProperty("model").GetString()!;
            int threads = r.GetProperty("threads").GetInt32();
            if (kind == "epoch")
            {
                int batches = r.GetProperty("batches").GetInt32();
                int samples = r.TryGetProperty("samples", out var n) ? n.GetInt32() : batches * 128;
                epochs.Add(new Epoch(model, threads, r.GetProperty("epoch").GetInt32(), r.GetProperty("seconds").GetDouble(), batches, samples, r.GetProperty("test_accuracy").GetDouble()));
            }
            else if (kind == "inference")
            {
                inference.Add(new Inference(model, threads, r.GetProperty("batch1_seconds").GetDouble(), r.GetProperty("batch1000_seconds").GetDouble()));
            }
            else if (kind == "onnx" && ort is not null)
            {
                ort.TorchExports[(model, threads)] = r.GetProperty("path").GetString()!;
            }
        });
    }

    private static Options Parse(string[] args)
    {
        bool quick = false, peer = true, ort = true, peak = true;
        var modelEpochs = new Dictionary<string, int>(StringComparer.Ordinal);
        long denseSplit = Layers.Dense.SplitWork;
        string? output = null, dataDir = null;
        int[] threads = [2];
        string[] models = ["mlp", "cnn"];
        int epochs = 2, batches = 0;
        new BenchArguments("fashion-mnist", Usage)
            .Flag("--quick", () => quick = true)
            .Flag("--no-peer", () => peer = false)
            .Flag("--json", () => _json = true)
            .Flag("--no-ort", () => ort = false)
            .Flag("--no-peak", () => peak = false)
            .Value("--model-epochs", v => modelEpochs = ParseModelEpochs(v))
            .Value("--dense-split", v => denseSplit = v == "off" ? long.MaxValue : BenchArguments.Int(v))
            .Value("--out", v => output = v)
            .Value("--data-dir", v => dataDir = v)
            .Value("--threads", v => threads = BenchArguments.Ints(v))
            .Value("--models", v => models = CheckModels(v))
            .Value("--epochs", v => epochs = BenchArguments.Int(v))
            .Value("--batches", v => batches = BenchArguments.Int(v))
            .Parse(args);
        if (quick && batches == 0)
        {
            batches = 100;
        }

        return new Options(quick, output, threads, models, epochs, modelEpochs, batches, dataDir, peer, ort, peak, denseSplit, BenchArguments.Command("fashion-mnist", args));
    }

    private const string Usage = "[--quick] [--threads 2] [--models mlp,cnn] [--epochs 2] [--model-epochs cnn-bn=1,cnn-bn-nobn=1] [--batches N] [--data-dir DIR] [--no-peer] [--no-ort] [--no-peak] [--dense-split N|off] [--out docs/benchmarks.md]";

    /// <summary>
    /// <c>--model-epochs</c>: comma-separated <c>model=epochs</c> entries that override <c>--epochs</c> for those models
    /// (e.g. <c>cnn-bn=1,cnn-bn-nobn=1</c>: PyTorch takes minutes per epoch of those); the PyTorch peer gets the same.
    /// </summary>
    internal static Dictionary<string, int> ParseModelEpochs(string text)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            if (parts.Length != 2 || !Models.ContainsKey(parts[0]) || !int.TryParse(parts[1], NumberStyles.None, Inv, out int e) || e < 1)
            {
                throw new ArgumentException($"--model-epochs takes model=epochs entries (models: {string.Join(", ", Models.Keys)}; epochs ≥ 1); found '{entry}'");
            }

            result[parts[0]] = e;
        }

        return result;
    }

    /// <summary>A comma-separated list of this benchmark's model names (mlp, cnn).</summary>
    public static string[] CheckModels(string text)
    {
        var models = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return models.FirstOrDefault(m => !Models.ContainsKey(m)) is { } bad
            ? throw new ArgumentException($"unknown model '{bad}'; expected {string.Join(" or ", Models.Keys)}")
            : models;
    }
}
