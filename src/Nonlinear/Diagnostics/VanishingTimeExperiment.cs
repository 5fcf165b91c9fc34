using Nonlinear.Data;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Vanishing gradients through time, measured: a tanh RNN and an LSTM must output, after T steps, the symbol they
/// saw at step 1 (the other steps hold distractors). Backpropagation through time multiplies the gradient by
/// W_hhᵀ diag(tanh') once per step in the RNN, a factor below 1 in norm here, so the gradient reaching step 1 shrinks
/// geometrically with T and the RNN cannot learn the task beyond a few dozen steps. The LSTM's cell state is carried by
/// c_t = f ⊙ c_{t−1} + i ⊙ g: its gradient path is multiplied by the forget gate f only, which stays near 1 when the gate
/// is open, so the gradient reaches step 1 and the LSTM learns to remember.
/// </summary>
/// <remarks>
/// Inputs are one-hot [N, T, symbols + noise symbols]: step 1 is one of the symbols, steps 2..T distractors. The model is
/// <c>rnn:H,dense:symbols</c> or <c>lstm:H,dense:symbols</c> (last state), softmax cross-entropy, Adam. The gradient per
/// step is the input gradient dL/dx [N, T, F] that the model's backward pass returns; ‖dL/dx_t‖ = ‖W_ihᵀ dL/d(gates_t)‖
/// is the part of the loss gradient that reaches step t.
/// </remarks>
public static class VanishingTimeExperiment
{
    /// <summary>The two cells compared, in table order.</summary>
    public static IReadOnlyList<string> Cells { get; } = ["rnn", "lstm"];

    /// <summary>Trains and measures both cells at every length of <paramref name="settings"/>; rows ordered by length, then cell.</summary>
    /// <param name="settings">The lengths, sizes and training budget.</param>
    /// <param name="progress">Called after each run (e.g. to print a line while the rest trains); may be null.</param>
    public static IReadOnlyList<VanishingTimeRun> Run(VanishingTimeSettings settings, Action<VanishingTimeRun>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Check(settings);
        var runs = new List<VanishingTimeRun>();
        foreach (int t in settings.Lengths)
        {
            foreach (var cell in Cells)
            {
                var run = Train(cell, t, settings);
                runs.Add(run);
                progress?.Invoke(run);
            }
        }

        return runs;
    }

    /// <summary>
    /// <paramref name="count"/> sequences of length <paramref name="steps"/>: step 1 one-hot in the first
    /// <paramref name="symbols"/> features (the label), steps 2..T one-hot in the next <paramref name="noiseSymbols"/>
    /// features (uniform distractors); targets the class index [count].
    /// </summary>
    public static Dataset Data(int count, int steps, int symbols, int noiseSymbols, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(symbols, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(noiseSymbols, 1);
        var rng = new Random(seed);
        int f = symbols + noiseSymbols;
        var x = new Tensor(count, steps, f);
        var y = new Tensor(count);
        var xs = x.Span;
        for (int i = 0; i < count; i++)
        {
            int label = rng.Next(symbols);
            y.Span[i] = label;
            xs[i * steps * f + label] = 1;
            for (int t = 1; t < steps; t++)
            {
                xs[(((i * steps) + t) * f) + symbols + rng.Next(noiseSymbols)] = 1;
            }
        }

        return new Dataset($"first-symbol-T{steps}", x, y, TaskKind.Multiclass, symbols);
    }

    /// <summary>
    /// ‖dL/dx_t‖ for every step t, averaged over the samples of (<paramref name="x"/>, <paramref name="y"/>): one
    /// forward and one backward pass of <paramref name="model"/> with softmax cross-entropy; the weights are unchanged.
    /// </summary>
    public static double[] GradientPerStep(Sequential model, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Shape.Rank != 3)
        {
            throw new ArgumentException($"Sequences [N, T, F] expected; found {x.Shape}.", nameof(x));
        }

        int n = x.Shape[0], steps = x.Shape[1], f = x.Shape[2];
        model.ZeroGradients();
        var output = model.Forward(x, training: true);
        var gradient = new Tensor(output.Shape);
        new SoftmaxCrossEntropy().Compute(output, y, gradient);
        var dx = model.Backward(gradient).Span;
        var norms = new double[steps];
        for (int i = 0; i < n; i++)
        {
            for (int t = 0; t < steps; t++)
            {
                norms[t] += System.Numerics.Tensors.TensorPrimitives.Norm<float>(dx.Slice(((i * steps) + t) * f, f)) / (double)n;
            }
        }

        model.ZeroGradients();
        return norms;
    }

    /// <summary>
    /// The untrained model for <paramref name="cell"/> ("rnn" or "lstm") at length <paramref name="steps"/>:
    /// <c>cell:H,dense:symbols</c> built for [steps, symbols + noise symbols] with the settings' seed, and for the LSTM
    /// the forget-gate bias of <see cref="VanishingTimeSettings.ForgetBias"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The cell is neither "rnn" nor "lstm".</exception>
    public static Sequential Build(string cell, int steps, VanishingTimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (cell is not ("rnn" or "lstm"))
        {
            throw new ArgumentException($"The cell must be rnn or lstm; found '{cell}'.", nameof(cell));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var model = Sequential.Parse($"{cell}:{settings.Hidden},dense:{settings.Symbols}");
        model.Build(new TensorShape(steps, settings.Symbols + settings.NoiseSymbols), settings.Seed);
        if (model.Layers[0] is Lstm lstm && !double.IsNaN(settings.ForgetBias))
        {
            // Gates are stacked i, f, g, o (PyTorch): the f gate's biases are entries H..2H-1.
            lstm.BiasIh.Value.Span.Slice(settings.Hidden, settings.Hidden).Fill((float)settings.ForgetBias);
            lstm.BiasHh.Value.Span.Slice(settings.Hidden, settings.Hidden).Clear();
        }

        return model;
    }

    private static VanishingTimeRun Train(string cell, int steps, VanishingTimeSettings s)
    {
        // The same data and weights seed for both cells; training and test sequences from separate streams.
        var train = Data(s.MaxUpdates * s.BatchSize, steps, s.Symbols, s.NoiseSymbols, (s.Seed * 1000) + steps);
        var test = Data(s.TestSamples, steps, s.Symbols, s.NoiseSymbols, (s.Seed * 1000) + steps + 500);
        var model = Build(cell, steps, s);
        var probe = test.Subset(Enumerable.Range(0, Math.Min(s.GradientSamples, test.Count)).ToArray());
        var initial = GradientPerStep(model, probe.Features, probe.Targets);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(s.LearningRate) { ClipNorm = s.ClipNorm });

        // One pass over fresh sequences, in chunks of 10 batches; stop once two chunks in a row (20 batches) are
        // classified without error (one perfect chunk right after the jump can still be followed by a wobble).
        const int chunk = 10;
        int updates = 0, perfect = 0;
        while (updates < s.MaxUpdates)
        {
            int count = Math.Min(chunk, s.MaxUpdates - updates);
            var report = trainer.TrainBatches(train, 1, updates, count, s.BatchSize, s.Seed)!.Value;
            updates += count;
            perfect = report.Accuracy >= 1 ? perfect + 1 : 0;
            if (perfect == 2)
            {
                break;
            }
        }

        var evaluation = trainer.Evaluate(test);
        var trained = GradientPerStep(model, probe.Features, probe.Targets);
        return new VanishingTimeRun(cell, model.Spec, steps, evaluation.Accuracy, evaluation.Loss, updates, initial, trained);
    }

    private static void Check(VanishingTimeSettings s)
    {
        if (s.Lengths is null || s.Lengths.Count == 0 || s.Lengths.Any(t => t < 2))
        {
            throw new ArgumentException("The sequence lengths must be at least 2 (the symbol, then at least one step to carry it).", nameof(s));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(s.Hidden, 1, nameof(s.Hidden));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.Symbols, 2, nameof(s.Symbols));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.NoiseSymbols, 1, nameof(s.NoiseSymbols));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.MaxUpdates, 1, nameof(s.MaxUpdates));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.BatchSize, 1, nameof(s.BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.TestSamples, 1, nameof(s.TestSamples));
        ArgumentOutOfRangeException.ThrowIfLessThan(s.GradientSamples, 1, nameof(s.GradientSamples));
        if (!(s.LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(s), s.LearningRate, "The learning rate must be positive.");
        }
    }
}
