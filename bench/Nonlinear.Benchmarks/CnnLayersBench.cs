using System.Diagnostics;
using System.Globalization;
using Nonlinear;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

using static Nonlinear.Benchmarks.LayerTiming;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Where a CNN training step and an inference pass spend their time, layer by layer (mode <c>cnn-layers [reps]
/// [spec]</c>): every layer's forward (training) and backward at batch 128, timed alone on the activations the
/// model produces, then the whole step (forward, backward) and inference (Forward(training: false) against
/// Sequential.Infer, batch 1 and 1000), alternated in one process on 1 and 2 threads. Minimum of repeats (median
/// for batch 1). Not a report: on a loaded machine the numbers are only a direction.
/// </summary>
internal static class CnnLayersBench
{
    private const string DefaultSpec = "conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10";

    public static int Run(string[] args)
    {
        int reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        string spec = args.Length > 1 ? args[1] : DefaultSpec;
        int before = Engine.MaxThreads;
        try
        {
            foreach (int threads in new[] { 2, 1 })
            {
                Engine.MaxThreads = threads;
                Measure(spec, threads, reps);
            }
        }
        finally
        {
            Engine.MaxThreads = before;
        }

        return 0;
    }

    private static void Measure(string spec, int threads, int reps)
    {
        const int batch = 128;
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(1, 28, 28), seed: 1);
        var x = Random(batch * 784, 4, batch, 1, 28, 28);
        var layers = model.Layers;
        var inputs = new Tensor[layers.Count];
        var grads = new Tensor[layers.Count];
        var h = x;
        for (int i = 0; i < layers.Count; i++)
        {
            inputs[i] = h;
            h = layers[i].Forward(h, training: true);
            grads[i] = Random(h.Length, 10 + i, h.Shape.ToArray());
        }

        var forward = new double[layers.Count];
        var backward = new double[layers.Count];
        Array.Fill(forward, double.MaxValue);
        Array.Fill(backward, double.MaxValue);
        double step = double.MaxValue, fwd = double.MaxValue;
        var dy = grads[^1];
        for (int r = 0; r < reps; r++)
        {
            for (int i = 0; i < layers.Count; i++)
            {
                int j = i;
                forward[i] = Math.Min(forward[i], Time(() => layers[j].Forward(inputs[j], training: true)));
                backward[i] = Math.Min(backward[i], Time(() =>
                {
                    if (j == 0)
                    {
                        layers[j].BackwardParameters(grads[j]);
                    }
                    else
                    {
                        layers[j].Backward(grads[j]);
                    }
                }));
            }

            fwd = Math.Min(fwd, Time(() => model.Forward(x, training: true)));
            step = Math.Min(step, Time(() =>
            {
                model.Forward(x, training: true);
                model.ZeroGradients();
                model.BackwardParameters(dy);
            }));
        }

        // The model's backward (relu's backward inside the pooling's after it) against the layers one by one, alternated.
        double fusedBackward = double.MaxValue, plainBackward = double.MaxValue;
        model.Forward(x, training: true);
        for (int r = 0; r < reps; r++)
        {
            fusedBackward = Math.Min(fusedBackward, Time(() => model.Backward(dy)));
            plainBackward = Math.Min(plainBackward, Time(() =>
            {
                var g = dy;
                for (int i = layers.Count - 1; i >= 0; i--)
                {
                    g = layers[i].Backward(g);
                }
            }));
        }

        string clock = threads == 1 && OperatingSystem.IsLinux() ? "cpu" : "wall";
        Console.WriteLine($"T={threads} {clock} b{batch} whole backward (dx too): Sequential.Backward {fusedBackward,7:F3} ms, layers one by one {plainBackward,7:F3} ms");
        double sumF = 0, sumB = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            sumF += forward[i];
            sumB += backward[i];
            Console.WriteLine($"T={threads} {clock} b{batch} layer {i,2} {layers[i].Spec,-12} forward {forward[i],7:F3} ms  backward {backward[i],7:F3} ms");
        }

        Console.WriteLine($"T={threads} {clock} b{batch} sum of layers: forward {sumF,7:F3} ms, backward {sumB,7:F3} ms; whole forward {fwd,7:F3} ms, step (fwd + ZeroGradients + BackwardParameters) {step,7:F3} ms");

        var x1 = Random(784, 5, 1, 1, 28, 28);
        var x1000 = Random(1000 * 784, 6, 1000, 1, 28, 28);
        var eval1 = new List<double>();
        var infer1 = new List<double>();
        double eval1000 = double.MaxValue, infer1000 = double.MaxValue, eval128 = double.MaxValue, infer128 = double.MaxValue;
        for (int r = 0; r < 1000; r++)
        {
            eval1.Add(Time(() => model.Forward(x1, training: false)));
            infer1.Add(Time(() => model.Infer(x1)));
        }

        for (int r = 0; r < Math.Max(3, reps / 2); r++)
        {
            eval128 = Math.Min(eval128, Time(() => model.Forward(x, training: false)));
            infer128 = Math.Min(infer128, Time(() => model.Infer(x)));
            eval1000 = Math.Min(eval1000, Time(() => model.Forward(x1000, training: false)));
            infer1000 = Math.Min(infer1000, Time(() => model.Infer(x1000)));
        }

        eval1.Sort();
        infer1.Sort();

        if (threads > 1)
        {
            // Batch 1: the convolutions' pixel split and the dense layers' unit split on and off, alternated.
            var saved = (Conv2D.InferSplitWork, Dense.SplitWork);
            var modes = new (string Name, long Conv, long Dense)[] { ("both split", 0, saved.SplitWork), ("conv not split", long.MaxValue, saved.SplitWork), ("dense not split", 0, long.MaxValue), ("neither", long.MaxValue, long.MaxValue) };
            var split = modes.Select(_ => new List<double>()).ToArray();
            try
            {
                for (int r = 0; r < 1000; r++)
                {
                    for (int m = 0; m < modes.Length; m++)
                    {
                        (Conv2D.InferSplitWork, Dense.SplitWork) = (modes[m].Conv, modes[m].Dense);
                        split[m].Add(Time(() => model.Infer(x1)));
                    }
                }
            }
            finally
            {
                (Conv2D.InferSplitWork, Dense.SplitWork) = saved;
            }

            Console.WriteLine($"T={threads} {clock} Infer batch-1 median µs: " + string.Join("; ", modes.Select((m, i) =>
            {
                split[i].Sort();
                return string.Create(CultureInfo.InvariantCulture, $"{m.Name} {split[i][split[i].Count / 2] * 1000:F1} (p10 {split[i][split[i].Count / 10] * 1000:F1})");
            })));
        }

        // Batch 1, layer by layer (evaluation forward, median).
        var h1 = x1;
        var line = new System.Text.StringBuilder($"T={threads} {clock} batch-1 layers (median µs):");
        for (int i = 0; i < layers.Count; i++)
        {
            var input = h1;
            int j = i;
            var times = new List<double>();
            for (int r = 0; r < 500; r++)
            {
                times.Add(Time(() => layers[j].Forward(input, training: false)));
            }

            times.Sort();
            line.Append(CultureInfo.InvariantCulture, $" {layers[i].Spec} {times[times.Count / 2] * 1000:F1};");
            h1 = layers[i].Forward(input, training: false);
        }

        Console.WriteLine(line.ToString());

        // conv, relu, pool one by one against Conv2D.Infer (fused), alternated: batch 1 (median), batch 128 (minimum).
        for (int i = 0; i + 2 < layers.Count; i++)
        {
            if (layers[i] is not Conv2D conv || layers[i + 1] is not ActivationLayer || layers[i + 2] is not MaxPool2D pool)
            {
                continue;
            }

            foreach (int b in new[] { 1, 128 })
            {
                var input = b == 1 ? InputOf(model, x1, i) : inputs[i];
                var plain = new List<double>();
                var fused = new List<double>();
                for (int r = 0; r < (b == 1 ? 500 : Math.Max(3, reps)); r++)
                {
                    plain.Add(Time(() => layers[i + 2].Forward(layers[i + 1].Forward(conv.Forward(input, training: false), training: false), training: false)));
                    fused.Add(Time(() => conv.Infer(input, relu: true, pool)));
                }

                plain.Sort();
                fused.Sort();
                int at = b == 1 ? plain.Count / 2 : 0;
                Console.WriteLine($"T={threads} {clock} batch {b} layers {i}-{i + 2} conv,relu,pool one by one {plain[at] * 1000,8:F1} µs, fused {fused[at] * 1000,8:F1} µs ({(b == 1 ? "median" : "min")})");
            }
        }
        Console.WriteLine($"T={threads} {clock} inference batch-1 median Forward {eval1[eval1.Count / 2] * 1000,6:F1} µs, Infer {infer1[infer1.Count / 2] * 1000,6:F1} µs; " +
                          $"b128 Forward {eval128,7:F3} ms, Infer {infer128,7:F3} ms; b1000 Forward {1000 / eval1000 * 1000,8:F0}, Infer {1000 / infer1000 * 1000,8:F0} images/s");
    }

    /// <summary>The input layer <paramref name="index"/> gets from <paramref name="x"/> (evaluation forward).</summary>
    private static Tensor InputOf(Sequential model, Tensor x, int index)
    {
        var h = x;
        for (int i = 0; i < index; i++)
        {
            h = model.Layers[i].Forward(h, training: false);
        }

        return h;
    }
}
