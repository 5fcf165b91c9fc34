using System.Diagnostics;
using System.Globalization;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The training-step report: one step of a dense network (zero gradients, forward, softmax cross-entropy,
/// backward, optimizer step) against the same step in PyTorch (bench/peer/torch_training.py, run first in its own
/// process), per model, optimizer and thread count; the bytes each steady-state step allocates; and where our
/// step's time goes (per layer, and per GEMM of each dense layer, next to PyTorch's time for the same product).
/// </summary>
internal static partial class TrainStep
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Batches in the fixed data pool, used in turn (as the peer does): one repeated batch is memorised within a few hundred steps.</summary>
    private const int Pool = 16;

    /// <summary>Back-to-back steps per timing sample.</summary>
    private const int Inner = 10;

    private const double Target = 1.0;

    private sealed record Options(bool Quick, string? Out, int[] Threads, string[] Models, string[] Optimizers, int Batch, bool Peer, string CommandLine)
    {
        public int Samples => Quick ? 40 : 200;

        public double WarmSeconds => Quick ? 0.3 : 1.0;

        public int AllocationSteps => Quick ? 200 : 1000;
    }

    private sealed record Result(string Model, string Optimizer, int Threads, double Median, double Min, double BytesThisThread, double BytesProcess, int Gen0, double Loss);

    /// <summary>One phase of the step (a layer's forward or backward, the loss, the optimizer...): median seconds.</summary>
    private sealed record Phase(string Name, double Seconds);

    /// <summary>The products of one dense layer on their own, ours (median seconds) and, when known, PyTorch's.</summary>
    private sealed record DenseKernels(int Layer, int Inputs, int Units, double Transpose, double Forward, double Bias, double WeightGradient, double BiasGradient, double InputGradient);

    private sealed record Breakdown(string Model, int Threads, Phase[] Phases, DenseKernels[] Dense, (double PerBatch, double PerEpoch) Fit);

    private sealed record PeerStep(double Median, double Min, double Loss);

    private sealed record PeerGemm(double Forward, double WeightGradient, double InputGradient);

    private sealed record PeerData(string? Version, string? Error, Dictionary<(string Model, string Optimizer, int Threads), PeerStep> Steps, Dictionary<(string Model, int Layer, int Threads), PeerGemm> Gemms);

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
        var peer = o.Peer ? RunPeer(o) : new PeerData(null, "peer not run (--no-peer)", [], []);
        if (peer.Error is not null)
        {
            Console.Error.WriteLine(peer.Error);
        }

        PreWarm(o);
        var results = new List<Result>();
        var breakdowns = new List<Breakdown>();
        foreach (int t in o.Threads)
        {
            Engine.MaxThreads = t;
            foreach (var model in o.Models)
            {
                foreach (var optimizer in o.Optimizers)
                {
                    var r = MeasureSteps(o, model, optimizer, t);
                    results.Add(r);
                    Console.Error.WriteLine(string.Create(Inv, $"  ours  T={t} {model} {optimizer} batch {o.Batch}: {r.Median * 1e3:F3} ms/step (min {r.Min * 1e3:F3}), {r.BytesThisThread:F1} B/step on this thread, {r.BytesProcess:F1} B/step in the process, {r.Gen0} gen-0 GCs, loss {r.Loss:F4}"));
                }

                var b = MeasureBreakdown(o, model, t);
                breakdowns.Add(b);
                foreach (var p in b.Phases)
                {
                    Console.Error.WriteLine(string.Create(Inv, $"  ours  T={t} {model} {p.Name}: {p.Seconds * 1e6:F1} µs"));
                }
            }
        }

        var others = CpuMeter.OthersSince(cpuAtStart);
        var section = Report(o, peer, results, breakdowns, others);
        Console.WriteLine(section);
        if (o.Out is not null)
        {
            MarkdownSection.WriteInto(o.Out, MarkdownSection.TrainingStepHeading, section);
            Console.Error.WriteLine($"wrote the '{MarkdownSection.TrainingStepHeading}' section of {o.Out}");
        }

        return 0;
    }

    private static Options Parse(string[] args)
    {
        bool quick = false, peer = true;
        string? output = null;
        int batch = 128;
        int[] threads = [1, Environment.ProcessorCount];
        string[] models = ["64-256-256-10", "784-256-128-10"], optimizers = ["sgd", "adam"];
        new BenchArguments("train-step", "[--quick] [--threads 1,2] [--out docs/benchmarks.md] [--models 64-256-256-10,784-256-128-10] [--optimizers sgd,adam] [--batch 128] [--no-peer]")
            .Flag("--quick", () => quick = true)
            .Flag("--no-peer", () => peer = false)
            .Value("--out", v => output = v)
            .Value("--threads", v => threads = BenchArguments.Ints(v))
            .Value("--models", v => models = v.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Value("--optimizers", v => optimizers = v.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Value("--batch", v => batch = BenchArguments.Int(v))
            .Parse(args);

        foreach (var m in models)
        {
            if (Widths(m).Length < 2)
            {
                throw new ArgumentException($"--models: '{m}' is not a list of widths like 64-256-256-10");
            }
        }

        foreach (var name in optimizers)
        {
            if (name is not ("sgd" or "adam"))
            {
                throw new ArgumentException($"--optimizers: '{name}' is not sgd or adam");
            }
        }

        return new Options(quick, output, threads.Distinct().ToArray(), models, optimizers, batch, peer, BenchArguments.Command("train-step", args));
    }

    private static int[] Widths(string model) => model.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, Inv)).ToArray();

    // ---------------------------------------------------------------- the step

    /// <summary>A model, its loss and optimizer, and a fixed pool of batches; <see cref="Step"/> is one training step.</summary>
    private sealed class Rig
    {
        private readonly Tensor[] _x = new Tensor[Pool];
        private readonly Tensor[] _y = new Tensor[Pool];
        private readonly Tensor _gradient;
        private int _next;

        public Rig(string model, string optimizer, int batch)
        {
            var widths = Widths(model);
            var spec = string.Join(',', widths.Skip(1).Select((w, i) => i < widths.Length - 2 ? $"dense:{w},relu" : $"dense:{w}"));
            Model = Sequential.Parse(spec);
            Model.Build(new TensorShape(widths[0]), seed: 1);
            Loss = new SoftmaxCrossEntropy();
            Optimizer = optimizer == "sgd" ? new Sgd(0.01, momentum: 0.9) : Optimizer.Create("adam", 0.001);
            int classes = widths[^1];
            for (int i = 0; i < Pool; i++)
            {
                _x[i] = new Tensor(batch, widths[0]);
                Buffers.FillNormal(_x[i].Span, seed: 100 + i);
                _y[i] = new Tensor(batch);
                var random = new Random(200 + i);
                var labels = _y[i].Span;
                for (int n = 0; n < batch; n++)
                {
                    labels[n] = random.Next(classes);
                }
            }

            _gradient = new Tensor(batch, classes);
            Features = _x;
            Labels = _y;
            Gradient = _gradient;
        }

        public Sequential Model { get; }

        public Loss Loss { get; }

        public Optimizer Optimizer { get; }

        public IReadOnlyList<Tensor> Features { get; }

        public IReadOnlyList<Tensor> Labels { get; }

        public Tensor Gradient { get; }

        public double LastLoss { get; private set; }

        /// <summary>zero gradients, forward, loss (and its gradient), backward, optimizer step: what PyTorch's step does.</summary>
        public void Step()
        {
            int i = _next;
            _next = (i + 1) % Pool;
            Model.ZeroGradients();
            var logits = Model.Forward(_x[i], training: true);
            LastLoss = Loss.Compute(logits, _y[i], _gradient);
            Model.BackwardParameters(_gradient);
            Optimizer.Step(Model.Parameters);
        }

        public int NextBatch()
        {
            int i = _next;
            _next = (i + 1) % Pool;
            return i;
        }
    }

    /// <summary>Brings every step's code to its final JIT tier: steps of each configuration, twice, with a pause for background compiles.</summary>
    private static void PreWarm(Options o)
    {
        Console.Error.WriteLine("  ours  warming up the JIT...");
        for (int round = 0; round < 2; round++)
        {
            foreach (int t in o.Threads)
            {
                Engine.MaxThreads = t;
                foreach (var model in o.Models)
                {
                    foreach (var optimizer in o.Optimizers)
                    {
                        var rig = new Rig(model, optimizer, o.Batch);
                        for (int k = 0; k < (o.Quick ? 60 : 150); k++)
                        {
                            rig.Step();
                        }
                    }
                }
            }

            Thread.Sleep(500);
        }
    }

    private static Result MeasureSteps(Options o, string model, string optimizer, int threads)
    {
        var rig = new Rig(model, optimizer, o.Batch);
        long t0 = Stopwatch.GetTimestamp();
        for (int count = 0; count < 20 || Stopwatch.GetElapsedTime(t0).TotalSeconds < o.WarmSeconds; count++)
        {
            rig.Step();
        }

        var samples = new double[o.Samples];
        for (int s = 0; s < samples.Length; s++)
        {
            long t = Stopwatch.GetTimestamp();
            for (int k = 0; k < Inner; k++)
            {
                rig.Step();
            }

            samples[s] = (Stopwatch.GetTimestamp() - t) / (double)Stopwatch.Frequency / Inner;
        }

        // Steady-state allocation: the step after warm-up and timing, over many steps. Work handed to the
        // worker team runs (and could allocate) on other threads, so the process-wide count is reported too.
        int gen0 = GC.CollectionCount(0);
        long mine = GC.GetAllocatedBytesForCurrentThread();
        long all = GC.GetTotalAllocatedBytes(precise: true);
        for (int k = 0; k < o.AllocationSteps; k++)
        {
            rig.Step();
        }

        long all1 = GC.GetTotalAllocatedBytes(precise: true);
        long mine1 = GC.GetAllocatedBytesForCurrentThread();
        gen0 = GC.CollectionCount(0) - gen0;
        return new Result(model, optimizer, threads, Median(samples), samples.Min(),
            (mine1 - mine) / (double)o.AllocationSteps, (all1 - all) / (double)o.AllocationSteps, gen0, rig.LastLoss);
    }

    // ---------------------------------------------------------------- where the time goes

    /// <summary>
    /// The SGD step phase by phase (each layer's forward and backward, the loss, the optimizer: the median of
    /// each over single steps), then each dense layer's products on their own, and Trainer.Fit's allocation.
    /// </summary>
    private static Breakdown MeasureBreakdown(Options o, string model, int threads)
    {
        var rig = new Rig(model, "sgd", o.Batch);
        var layers = rig.Model.Layers;
        var names = new List<string> { "zero gradients" };
        names.AddRange(layers.Select(l => $"{Describe(l)} forward"));
        names.Add("loss (log-softmax, softmax, gradient)");
        names.AddRange(layers.Reverse().Select(l => $"{Describe(l)} backward"));
        names.Add("optimizer step (sgd, momentum)");
        int steps = o.Quick ? 300 : 2000;
        var times = new double[names.Count][];
        for (int p = 0; p < times.Length; p++)
        {
            times[p] = new double[steps];
        }

        for (int s = -200; s < steps; s++)
        {
            int b = rig.NextBatch();
            int phase = 0;
            long t = Stopwatch.GetTimestamp();
            void Mark()
            {
                long now = Stopwatch.GetTimestamp();
                if (s >= 0)
                {
                    times[phase][s] = (now - t) / (double)Stopwatch.Frequency;
                }

                phase++;
                t = now;
            }

            rig.Model.ZeroGradients();
            Mark();
            var x = rig.Features[b];
            foreach (var layer in layers)
            {
                x = layer.Forward(x, training: true);
                Mark();
            }

            rig.Loss.Compute(x, rig.Labels[b], rig.Gradient);
            Mark();
            var g = rig.Gradient;
            for (int i = layers.Count - 1; i >= 0; i--)
            {
                // The first layer's input gradient is not needed (the trainer skips it, as PyTorch does).
                if (i > 0)
                {
                    g = layers[i].Backward(g);
                }
                else
                {
                    layers[i].BackwardParameters(g);
                }

                Mark();
            }

            rig.Optimizer.Step(rig.Model.Parameters);
            Mark();
        }

        var phases = names.Select((n, p) => new Phase(n, Median(times[p]))).ToArray();
        var dense = new List<DenseKernels>();
        int index = 0;
        foreach (var layer in layers)
        {
            if (layer is Dense d)
            {
                dense.Add(MeasureDense(o, index, d));
                index++;
            }
        }

        return new Breakdown(model, threads, phases, dense.ToArray(), FitAllocation(o, model));
    }

    private static string Describe(Layer layer) => layer is Dense d ? $"dense {d.InputShape[0]}→{d.Units}" : layer.Spec;

    /// <summary>The calls Dense makes (the fused forward product, AddTransposedAB, the bias-gradient loop, MatMul), each timed alone on the layer's shapes.</summary>
    private static DenseKernels MeasureDense(Options o, int index, Dense layer)
    {
        int n = o.Batch, inputs = layer.InputShape[0], units = layer.Units;
        float[] x = new float[n * inputs], w = new float[units * inputs], y = new float[n * units];
        float[] dy = new float[n * units], dw = new float[units * inputs], dx = new float[n * inputs], bias = new float[units], db = new float[units];
        Buffers.FillNormal(x, 1);
        Buffers.FillNormal(w, 2);
        Buffers.FillNormal(dy, 3);
        Buffers.FillNormal(bias, 4);
        int reps = o.Quick ? 300 : 2000;
        // Dense's forward is one call since the blocked GEMM: W read transposed in place, the bias added in the epilogue
        // (no transpose, no separate bias pass: those columns read 0).
        double transpose = 0, addBias = 0;
        double forward = MedianCall(() => Gemm.Product(x, false, w, true, y, n, inputs, units, false, bias, GemmBias.PerColumn, relu: false), reps);
        var addTransposedAB = WeightGradientKernel();
        double weightGradient = MedianCall(
            () =>
            {
                Array.Clear(dw); // keeps the accumulated values bounded; a memset of dW, a few % of the product
                addTransposedAB(dy, x, dw, n, units, inputs);
            },
            reps);
        double biasGradient = MedianCall(
            () =>
            {
                for (int i = 0; i < n; i++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(db, dy.AsSpan(i * units, units), db);
                }
            },
            reps);
        double inputGradient = MedianCall(() => Gemm.MatMul(dy, w, dx, n, units, inputs), reps);
        return new DenseKernels(index, inputs, units, transpose, forward, addBias, weightGradient, biasGradient, inputGradient);
    }

    private delegate void AddTransposedABCall(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int k, int m, int n);

    private delegate void AddTransposedABWithScratch(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int k, int m, int n, Span<float> aTransposed);

    /// <summary>
    /// Gemm.AddTransposedAB (dW += dyᵀ x) as Dense calls it, bound by reflection so that this harness builds against
    /// both its forms: (a, b, c, k, m, n) and the one with a scratch buffer for Aᵀ (a, b, c, k, m, n, scratch).
    /// </summary>
    private static AddTransposedABCall WeightGradientKernel()
    {
        var methods = typeof(Gemm).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(m => m.Name == "AddTransposedAB").ToArray();
        var direct = methods.FirstOrDefault(m => m.GetParameters().Length == 6);
        if (direct is not null)
        {
            return direct.CreateDelegate<AddTransposedABCall>();
        }

        var withScratch = methods.FirstOrDefault(m => m.GetParameters().Length == 7)
            ?? throw new InvalidOperationException("Gemm.AddTransposedAB has neither known signature; update TrainStep.WeightGradientKernel.");
        var call = withScratch.CreateDelegate<AddTransposedABWithScratch>();
        float[] scratch = [];
        return (a, b, c, k, m, n) =>
        {
            if (scratch.Length < m * k)
            {
                scratch = new float[m * k];
            }

            call(a, b, c, k, m, n, scratch.AsSpan(0, m * k));
        };
    }

    /// <summary>
    /// Bytes that Trainer.Fit allocates in steady state, per batch and per epoch: for a dataset of B batches,
    /// D(B) = alloc(Fit over 1 + E epochs) - alloc(Fit over 1 epoch) = E (perEpoch + B perBatch); measured for
    /// B = Pool and 2 Pool and solved for both.
    /// </summary>
    private static (double PerBatch, double PerEpoch) FitAllocation(Options o, string model)
    {
        const int extra = 10;
        var d1 = FitDifference(o, model, Pool, extra);
        var d2 = FitDifference(o, model, 2 * Pool, extra);
        double perBatch = (d2 - d1) / (extra * (double)Pool);
        double perEpoch = (d1 / extra) - (Pool * perBatch);
        return (perBatch, perEpoch);
    }

    private static double FitDifference(Options o, string model, int batches, int extra)
    {
        var widths = Widths(model);
        var rig = new Rig(model, "sgd", o.Batch);
        var features = new Tensor(batches * o.Batch, widths[0]);
        var targets = new Tensor(batches * o.Batch);
        for (int i = 0; i < batches; i++)
        {
            var x = rig.Features[i % Pool];
            x.Span.CopyTo(features.Span.Slice(i * x.Length));
            rig.Labels[i % Pool].Span.CopyTo(targets.Span.Slice(i * o.Batch));
        }

        var data = new Dataset("random", features, targets, TaskKind.Multiclass, widths[^1]);
        var trainer = new Trainer(rig.Model, rig.Loss, rig.Optimizer);
        trainer.Fit(data, epochs: 2, o.Batch, seed: 1); // warm: buffers sized, optimizer state created
        long a0 = GC.GetTotalAllocatedBytes(precise: true);
        trainer.Fit(data, epochs: 1, o.Batch, seed: 1);
        long a1 = GC.GetTotalAllocatedBytes(precise: true);
        trainer.Fit(data, epochs: 1 + extra, o.Batch, seed: 1);
        long a2 = GC.GetTotalAllocatedBytes(precise: true);
        return (a2 - a1) - (a1 - a0);
    }

    private static double MedianCall(Action f, int reps)
    {
        for (int k = 0; k < 50; k++)
        {
            f();
        }

        var samples = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            long t = Stopwatch.GetTimestamp();
            f();
            samples[r] = (Stopwatch.GetTimestamp() - t) / (double)Stopwatch.Frequency;
        }

        return Median(samples);
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
