using System.Diagnostics;
using System.Globalization;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The sequence report (issue 11, "side by side with PyTorch"): character-level word models (LSTM, GRU, tanh RNN,
/// a causal transformer block) on Debian's word list and an LSTM on Fashion-MNIST read row by row, each against
/// the same model in PyTorch (bench/peer/torch_sequences.py, run first in its own process, never concurrently):
/// (a) the median time of one training step (forward, backward, Adam) after a warm-up, and (b) whole training
/// epochs with their time and the validation and test loss in nats per character (test accuracy for Fashion).
/// Both sides use exactly the same word split: <see cref="WordList.WriteSplit"/> writes it for the peer.
/// </summary>
internal static partial class SequenceBench
{
    public const string Heading = "## Sequences";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private const int Batch = 128;

    /// <summary>Batches in the fixed pool of the step timing, used in turn by both sides.</summary>
    private const int Pool = 16;

    private const double LearningRate = 3e-3;

    /// <summary>The issue's targets: a step at least 1.5× PyTorch's speed; a test loss within 0.02 nats of PyTorch's.</summary>
    private const double StepTarget = 1.5;

    private const double LossTarget = 0.02;

    /// <summary>A benchmark case: our spec and the PyTorch model it mirrors.</summary>
    internal sealed record Case(string Name, bool Words, string Spec, string Torch);

    public static readonly Case[] Cases =
    [
        new("words-lstm", true, "embedding:27:32,lstm:128:seq,dense:27", "nn.Embedding(27, 32), nn.LSTM(32, 128, batch_first=True), nn.Linear(128, 27)"),
        new("words-gru", true, "embedding:27:32,gru:128:seq,dense:27", "nn.Embedding(27, 32), nn.GRU(32, 128, batch_first=True), nn.Linear(128, 27)"),
        new("words-rnn", true, "embedding:27:32,rnn:128:seq,dense:27", "nn.Embedding(27, 32), nn.RNN(32, 128, nonlinearity='tanh', batch_first=True), nn.Linear(128, 27)"),
        new("words-transformer", true, "embedding:27:64,positions:learned,transformer:d=64,heads=4,ff=256:causal,dense:27",
            "nn.Embedding(27, 64) + learned positions [23, 64], nn.TransformerEncoderLayer(64, 4, 256, dropout=0, activation='gelu', batch_first=True, norm_first=True) with a causal mask, nn.Linear(64, 27)"),
        new("fashion-lstm", false, "lstm:128,dense:10", "nn.LSTM(28, 128, batch_first=True), the last hidden state, nn.Linear(128, 10)"),
    ];

    private sealed record Options(bool Quick, string? Out, int[] Threads, Case[] Cases, int Epochs, int Batches, int Steps, string? DataDir, string? WordsPath, bool Peer, string CommandLine)
    {
        public double WarmSeconds => Quick ? 0.5 : 2.0;

        public int WarmSteps => Quick ? 10 : 20;

        public int TimedSteps => Quick ? Math.Max(5, Steps / 3) : Steps;
    }

    private sealed record StepResult(string Case, int Threads, double Median, double Min, int Steps, double Loss, double BytesPerStep, (string Name, double Seconds)[] Phases);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private sealed record EpochResult(string Case, int Threads, int Epoch, double Seconds, int Batches, double TrainLoss, double ValidationLoss, double TestLoss, double TestAccuracy);

    /// <summary>The data both sides train on (null parts when no case needs them).</summary>
    private sealed record Data(WordList? Words, string? SplitDirectory, Dataset? FashionTrain, Dataset? FashionTest, string? FashionDirectory);

    public static int Run(string[] args)
    {
        Options o;
        Data data;
        try
        {
            o = Parse(args);
            data = Load(o);
        }
        catch (Exception e) when (e is ArgumentException or DataFormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        try
        {
            var cpuAtStart = CpuMeter.Read();
            var peerSteps = new List<StepResult>();
            var peerEpochs = new List<EpochResult>();
            var (peerVersion, peerError) = o.Peer ? RunPeer(o, data, peerSteps, peerEpochs) : (null, "peer not run (--no-peer)");
            if (peerError is not null)
            {
                Console.Error.WriteLine(peerError);
            }

            var steps = new List<StepResult>();
            var epochs = new List<EpochResult>();
            foreach (int t in o.Threads)
            {
                Engine.MaxThreads = t;
                foreach (var c in o.Cases)
                {
                    var s = MeasureSteps(o, c, t, data);
                    steps.Add(s);
                    Console.Error.WriteLine(string.Create(Inv, $"  ours  T={t} {c.Name} step: {s.Median * 1e3:F2} ms median (min {s.Min * 1e3:F2}) over {s.Steps} steps, loss {s.Loss:F4}, {s.BytesPerStep:F0} B/step"));
                    Console.Error.WriteLine("        " + string.Join(", ", s.Phases.Select(p => string.Create(Inv, $"{p.Name} {p.Seconds * 1e3:F2}"))));
                    if (o.Epochs > 0)
                    {
                        if (c.Words)
                        {
                            TrainWords(o, c, t, data.Words!, epochs);
                        }
                        else
                        {
                            TrainFashion(o, c, t, data.FashionTrain!, data.FashionTest!, epochs);
                        }
                    }
                }
            }

            string section = Report(o, data, peerVersion, peerError, steps, peerSteps, epochs, peerEpochs, CpuMeter.OthersSince(cpuAtStart));
            Console.WriteLine(section);
            if (o.Out is { } path)
            {
                MarkdownSection.WriteInto(path, Heading, section);
                Console.Error.WriteLine($"wrote the '{Heading}' section of {path}");
            }

            return 0;
        }
        finally
        {
            if (data.SplitDirectory is { } dir && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static Options Parse(string[] args)
    {
        bool quick = false, peer = true;
        string? output = null, dataDir = null, wordsPath = null;
        int[] threads = [2];
        var cases = Cases;
        int epochs = 1, batches = 0, steps = 100;
        new BenchArguments("sequences", Usage)
            .Flag("--quick", () => quick = true)
            .Flag("--no-peer", () => peer = false)
            .Value("--out", v => output = v)
            .Value("--data-dir", v => dataDir = v)
            .Value("--words", v => wordsPath = v)
            .Value("--threads", v => threads = BenchArguments.Ints(v))
            .Value("--cases", v => cases = CheckCases(v))
            .Value("--epochs", v => epochs = BenchArguments.Int(v))
            .Value("--batches", v => batches = BenchArguments.Int(v))
            .Value("--steps", v => steps = BenchArguments.Int(v))
            .Parse(args);
        if (epochs < 0 || batches < 0 || steps < 1 || threads.Length == 0 || threads.Any(t => t < 1))
        {
            throw new ArgumentException("--epochs and --batches must be >= 0, --steps >= 1, --threads positive integers");
        }

        if (quick && batches == 0)
        {
            batches = 50;
        }

        return new Options(quick, output, threads.Distinct().ToArray(), cases, epochs, batches, steps, dataDir, wordsPath, peer, BenchArguments.Command("sequences", args));
    }

    public const string Usage = "[--quick] [--threads 2] [--cases words-lstm,words-gru,words-rnn,words-transformer,fashion-lstm] [--epochs 1] [--batches N] [--steps 100] [--words /usr/share/dict/words] [--data-dir DIR] [--no-peer] [--out docs/benchmarks.md]";

    private static Case[] CheckCases(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (names.FirstOrDefault(n => Cases.All(c => c.Name != n)) is { } bad)
        {
            throw new ArgumentException($"unknown case '{bad}'; expected {string.Join(", ", Cases.Select(c => c.Name))}");
        }

        return [.. Cases.Where(c => names.Contains(c.Name))];
    }

    /// <summary>The word list (and its split written for the peer) and Fashion-MNIST rows, as far as the cases need them.</summary>
    private static Data Load(Options o)
    {
        WordList? words = null;
        string? split = null;
        if (o.Cases.Any(c => c.Words))
        {
            words = WordList.Load(o.WordsPath);
            if (words.MaxSteps != 23)
            {
                Console.Error.WriteLine($"  note: this word list needs {words.MaxSteps} steps (the issue's list needs 23); both sides use {words.MaxSteps}");
            }

            split = Path.Combine(Path.GetTempPath(), $"nonlinear-sequences-{Environment.ProcessId.ToString(Inv)}");
            words.WriteSplit(split);
        }

        Dataset? train = null, test = null;
        string? directory = null;
        if (o.Cases.Any(c => !c.Words))
        {
            directory = FashionMnist.Locate(o.DataDir);
            (train, test) = ImageRows.LoadFashionMnist(directory);
        }

        return new Data(words, split, train, test, directory);
    }

    // ---------------------------------------------------------------- models

    /// <summary>Our model for a case: the spec, built with seed 1.</summary>
    private static Sequential Build(Case c, TensorShape input)
    {
        var model = Sequential.Parse(c.Spec);
        model.Build(input, seed: 1);
        return model;
    }

    private static TensorShape InputShape(Case c, Data data) => c.Words ? new TensorShape(data.Words!.MaxSteps) : data.FashionTrain!.FeatureShape;

    /// <summary>A gradient buffer shaped like <paramref name="logits"/>, one per batch size.</summary>
    private static Tensor GradientFor(Dictionary<int, Tensor> buffers, Tensor logits)
    {
        if (!buffers.TryGetValue(logits.BatchSize, out var g))
        {
            g = new Tensor(logits.Shape);
            buffers[logits.BatchSize] = g;
        }

        return g;
    }

    // ---------------------------------------------------------------- (a) the training step

    /// <summary>A model, its loss, Adam, and a fixed pool of training batches; <see cref="Step"/> is one training step.</summary>
    private sealed class Rig
    {
        private readonly Tensor[] _x = new Tensor[Pool];
        private readonly Tensor[] _y = new Tensor[Pool];
        private readonly Dictionary<int, Tensor> _gradients = [];
        private readonly Sequential _model;
        private readonly Loss _loss;
        private readonly Optimizer _optimizer = new Adam(LearningRate);
        private int _next;

        public Rig(Case c, Data data)
        {
            _model = Build(c, InputShape(c, data));
            _loss = c.Words ? new SequenceCrossEntropy() : new SoftmaxCrossEntropy();
            for (int i = 0; i < Pool; i++)
            {
                if (c.Words)
                {
                    // The first 16 × 128 training words in split order, as the peer takes them.
                    var train = data.Words!.Train;
                    var batch = new WordBatch([.. Enumerable.Range(i * Batch, Batch).Select(k => train[k % train.Count])], data.Words.MaxSteps);
                    (_x[i], _y[i]) = (batch.Inputs, batch.Targets);
                }
                else
                {
                    var subset = data.FashionTrain!.Subset([.. Enumerable.Range(i * Batch, Batch)]);
                    (_x[i], _y[i]) = (subset.Features, subset.Targets);
                }
            }
        }

        /// <summary>zero gradients, forward, loss and its gradient, backward (no input gradient for the first layer), Adam: PyTorch's step.</summary>
        public double Step()
        {
            int i = _next;
            _next = (i + 1) % Pool;
            _model.ZeroGradients();
            var logits = _model.Forward(_x[i], training: true);
            var g = GradientFor(_gradients, logits);
            double loss = _loss.Compute(logits, _y[i], g);
            _model.BackwardParameters(g);
            _optimizer.Step(_model.Parameters);
            return loss;
        }

        /// <summary>The phases of <see cref="Step"/>, in order: zero, each layer's forward, loss, each layer's backward (last first), Adam.</summary>
        public string[] PhaseNames()
        {
            var layers = _model.Layers;
            return ["zero gradients", .. layers.Select(l => $"{Name(l)} forward"), "loss", .. layers.Reverse().Select(l => $"{Name(l)} backward"), "Adam"];
        }

        /// <summary>One step as <see cref="Step"/>, writing each phase's seconds into <paramref name="seconds"/>.</summary>
        public void TimedStep(Span<double> seconds)
        {
            int i = _next;
            _next = (i + 1) % Pool;
            var layers = _model.Layers;
            int phase = 0;
            long t = Stopwatch.GetTimestamp();
            void Mark(Span<double> into)
            {
                long now = Stopwatch.GetTimestamp();
                into[phase++] = (now - t) / (double)Stopwatch.Frequency;
                t = now;
            }

            _model.ZeroGradients();
            Mark(seconds);
            var x = _x[i];
            foreach (var layer in layers)
            {
                x = layer.Forward(x, training: true);
                Mark(seconds);
            }

            var g = GradientFor(_gradients, x);
            _loss.Compute(x, _y[i], g);
            Mark(seconds);
            for (int k = layers.Count - 1; k >= 0; k--)
            {
                if (k > 0)
                {
                    g = layers[k].Backward(g);
                }
                else
                {
                    layers[k].BackwardParameters(g);
                }

                Mark(seconds);
            }

            _optimizer.Step(_model.Parameters);
            Mark(seconds);
        }

        private static string Name(Layer layer) => layer.Spec.Split(':')[0];
    }

    private static StepResult MeasureSteps(Options o, Case c, int threads, Data data)
    {
        var rig = new Rig(c, data);
        long t0 = Stopwatch.GetTimestamp();
        for (int k = 0; k < o.WarmSteps || Stopwatch.GetElapsedTime(t0).TotalSeconds < o.WarmSeconds; k++)
        {
            rig.Step();
        }

        var times = new double[o.TimedSteps];
        double loss = 0;
        long bytes = GC.GetTotalAllocatedBytes(precise: true);
        for (int s = 0; s < times.Length; s++)
        {
            long t = Stopwatch.GetTimestamp();
            loss = rig.Step();
            times[s] = Stopwatch.GetElapsedTime(t).TotalSeconds;
        }

        bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes;
        Array.Sort(times);

        // Where the time goes: the median of each phase over single steps (after the timing, same rig).
        var names = rig.PhaseNames();
        var phases = new double[o.TimedSteps][];
        for (int k = 0; k < phases.Length; k++)
        {
            phases[k] = new double[names.Length];
            rig.TimedStep(phases[k]);
        }

        var breakdown = names.Select((n, p) => (n, Median(phases.Select(x => x[p])))).ToArray();
        return new StepResult(c.Name, threads, times[times.Length / 2], times[0], times.Length, loss, bytes / (double)times.Length, breakdown);
    }

    // ---------------------------------------------------------------- (b) whole epochs

    /// <summary>
    /// Epochs over every training word (shuffled each epoch by one Random(1), batches of 128 padded to MaxSteps,
    /// the last one smaller), timed from the first batch to the last Adam step; then, untimed, the validation and
    /// test loss over all real steps (nats per character).
    /// </summary>
    private static void TrainWords(Options o, Case c, int threads, WordList words, List<EpochResult> results)
    {
        var model = Build(c, new TensorShape(words.MaxSteps));
        var loss = new SequenceCrossEntropy();
        var optimizer = new Adam(LearningRate);
        var shuffle = new Random(1);
        var gradients = new Dictionary<int, Tensor>();
        for (int e = 1; e <= o.Epochs; e++)
        {
            int b = 0;
            double total = 0;
            long start = Stopwatch.GetTimestamp();
            foreach (var batch in WordList.Batches(words.Train, Batch, shuffle, words.MaxSteps, reuse: true))
            {
                if (o.Batches > 0 && b >= o.Batches)
                {
                    break;
                }

                model.ZeroGradients();
                var logits = model.Forward(batch.Inputs, training: true);
                var g = GradientFor(gradients, logits);
                total += loss.Compute(logits, batch.Targets, g);
                model.BackwardParameters(g);
                optimizer.Step(model.Parameters);
                b++;
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            double validation = WordLoss(model, words.Validation, words.MaxSteps);
            double test = WordLoss(model, words.Test, words.MaxSteps);
            results.Add(new EpochResult(c.Name, threads, e, seconds, b, total / b, validation, test, double.NaN));
            Console.Error.WriteLine(string.Create(Inv, $"  ours  T={threads} {c.Name} epoch {e}: {seconds:F1}s for {b} batches, train loss {total / b:F4}, validation {validation:F4}, test {test:F4} nats/char"));
        }
    }

    /// <summary>The mean loss over every real step of <paramref name="words"/> (nats per character), in batches of 1000.</summary>
    private static double WordLoss(Sequential model, IReadOnlyList<string> words, int steps)
    {
        var loss = new SequenceCrossEntropy();
        var gradients = new Dictionary<int, Tensor>();
        double sum = 0;
        long count = 0;
        foreach (var batch in WordList.Batches(words, 1000, null, steps, reuse: true))
        {
            var logits = model.Forward(batch.Inputs, training: false);
            int real = batch.RealSteps;
            sum += loss.Compute(logits, batch.Targets, GradientFor(gradients, logits)) * real;
            count += real;
        }

        return sum / count;
    }

    /// <summary>Epochs of the library's Trainer (Adam 3e-3, batch 128, reshuffled each epoch), then the test loss and accuracy.</summary>
    private static void TrainFashion(Options o, Case c, int threads, Dataset train, Dataset test, List<EpochResult> results)
    {
        var model = Sequential.Parse(c.Spec);
        model.Build(train.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(LearningRate));
        var data = o.Batches > 0 ? FashionBench.First(train, o.Batches * Batch) : train;
        for (int e = 1; e <= o.Epochs; e++)
        {
            var report = trainer.TrainEpoch(data, e, Batch, seed: 1) ?? throw new InvalidOperationException("training was cancelled");
            var eval = trainer.Evaluate(test, 1000);
            int batches = (data.Count + Batch - 1) / Batch;
            results.Add(new EpochResult(c.Name, threads, e, report.Elapsed.TotalSeconds, batches, report.Loss, double.NaN, eval.Loss, eval.Accuracy));
            Console.Error.WriteLine(string.Create(Inv, $"  ours  T={threads} {c.Name} epoch {e}: {report.Elapsed.TotalSeconds:F1}s for {batches} batches, train loss {report.Loss:F4}, test loss {eval.Loss:F4}, test acc {eval.Accuracy:F4}"));
        }
    }
}
