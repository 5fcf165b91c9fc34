using System.Diagnostics;
using System.Globalization;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>
/// A quick A/B harness for the Fashion-MNIST MLP's inference (mode <c>dense-infer [rounds]</c>), each pair of options
/// interleaved in one process so that outside load hurts both alike: batch-1 with the first layer's product split by
/// output units over the threads (<c>Dense.SplitWork</c>) or not; batch-1000 with op(B) = Wᵀ packed once for both
/// threads (<c>Gemm.SharedPackingFloats</c>) or by each thread; the in-place 1 x 784 x 256 product at each vector
/// width; and what packing all of Wᵀ costs one thread. Random weights and inputs (the timings do not depend on them).
/// Prints minimum, 10th percentile and median. Not a report: numbers on a loaded machine are only a direction.
/// </summary>
internal static class DenseInferBench
{
    private const string Spec = "flatten,dense:256,relu,dense:128,relu,dense:10";

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var model = Sequential.Parse(Spec);
        model.Build(new TensorShape(784), seed: 1);
        var one = Random(784, 2, 1, 784);
        var thousand = Random(784_000, 3, 1000, 784);
        long savedSplit = Dense.SplitWork;
        int savedShared = Gemm.SharedPackingFloats, savedWidth = Gemm.Width;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dense-infer: {Engine.MaxThreads} threads, GEMM width {Gemm.Width}, {rounds} rounds (minimum / 10th percentile / median)"));
        try
        {
            for (int i = 0; i < 500; i++)
            {
                model.Infer(one);
            }

            for (int i = 0; i < 20; i++)
            {
                model.Infer(thousand);
            }

            var split = new double[rounds * 10];
            var whole = new double[rounds * 10];
            for (int r = 0; r < split.Length; r++)
            {
                Dense.SplitWork = savedSplit;
                split[r] = Time(() => model.Infer(one));
                Dense.SplitWork = long.MaxValue;
                whole[r] = Time(() => model.Infer(one));
            }

            Dense.SplitWork = savedSplit;
            Console.WriteLine($"  MLP batch-1, split by units (SplitWork {savedSplit}): {Stats(split)} µs");
            Console.WriteLine($"  MLP batch-1, one thread per product:            {Stats(whole)} µs");

            var shared = new double[rounds];
            var own = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                Gemm.SharedPackingFloats = 0; // every row-split product shares its packed op(B)
                shared[r] = Time(() => model.Infer(thousand));
                Gemm.SharedPackingFloats = int.MaxValue;
                own[r] = Time(() => model.Infer(thousand));
            }

            Gemm.SharedPackingFloats = savedShared;
            Console.WriteLine($"  MLP batch-1000, W^T packed once for all threads: {Stats(shared)} µs ({1e9 / Min(shared):F0} images/s at the minimum)");
            Console.WriteLine($"  MLP batch-1000, W^T packed by each thread:       {Stats(own)} µs ({1e9 / Min(own):F0} images/s at the minimum)");

            var x = Random(784, 4, 784).Span.ToArray();
            var w = Random(256 * 784, 5, 256 * 784).Span.ToArray();
            var bias = new float[256];
            var y = new float[256];
            foreach (int width in new[] { 512, 256, 128 })
            {
                if (width > Gemm.WidestAccelerated && !(width == 128 && Gemm.WidestAccelerated == 0))
                {
                    continue;
                }

                Gemm.Width = width;
                var t = new double[rounds * 10];
                for (int r = 0; r < t.Length; r++)
                {
                    t[r] = Time(() => Gemm.Product(x, false, w, true, y, 1, 784, 256, accumulate: false, bias, GemmBias.PerColumn, relu: true));
                }

                Console.WriteLine($"  in-place 1 x 784 x 256 (x W^T + b, relu) at width {width}, one thread: {Stats(t)} µs");
            }

            Gemm.Width = savedWidth;
            PackCost(w, rounds);
        }
        finally
        {
            Dense.SplitWork = savedSplit;
            Gemm.SharedPackingFloats = savedShared;
            Gemm.Width = savedWidth;
        }

        return 0;
    }

    private static unsafe void PackCost(float[] w, int rounds)
    {
        int nr = Gemm.Width switch { 512 => GemmKernel512.Cols, 256 => GemmKernel256.Cols, _ => GemmKernel128.Cols };
        var dst = GC.AllocateUninitializedArray<float>(((256 + nr - 1) / nr * nr * 784) + 16, pinned: true);
        var t = new double[rounds];
        fixed (float* pw = w, pd = dst)
        {
            float* aligned = (float*)(((nint)pd + 63) & ~(nint)63);
            for (int r = 0; r < rounds; r++)
            {
                long start = Stopwatch.GetTimestamp();
                GemmPack.B(pw, 784, true, 0, 784, 0, 256, nr, aligned);
                t[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
        }

        Console.WriteLine($"  packing all of W^T (784 x 256, NR {nr}) on one thread: {Stats(t)} µs");
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Min(double[] t) => t.Min() * 1e6;

    private static string Stats(double[] t)
    {
        var sorted = (double[])t.Clone();
        Array.Sort(sorted);
        return string.Create(CultureInfo.InvariantCulture, $"{sorted[0] * 1e6,8:F1} / {sorted[sorted.Length / 10] * 1e6,8:F1} / {sorted[sorted.Length / 2] * 1e6,8:F1}");
    }

    private static Tensor Random(int count, int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        var s = t.Span;
        for (int i = 0; i < count; i++)
        {
            s[i] = (float)rng.NextDouble();
        }

        return t;
    }
}
