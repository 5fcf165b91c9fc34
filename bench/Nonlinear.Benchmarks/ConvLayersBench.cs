using System.Diagnostics;
using System.Globalization;
using Nonlinear;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

using static Nonlinear.Benchmarks.LayerTiming;

namespace Nonlinear.Benchmarks;

/// <summary>
/// A quick per-layer timing harness for the Fashion-MNIST CNN's convolutions (mode <c>conv-layers</c>): forward,
/// backward with and without dx, at batch 128 on 1 and 2 threads, on the packed path and on the per-sample
/// Gemm.Product path in the same process (interleaved, minimum of repeats, so that outside load hurts both alike),
/// plus the whole model's forward and training-step time and its batch-1 / batch-1000 inference.
/// GFLOP/s = 2 · multiply-adds / time. Not a report: numbers on a loaded machine are only a direction.
/// </summary>
internal static class ConvLayersBench
{
    private const string Spec = "conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10";

    public static int Run(string[] args)
    {
        int reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
        int before = Engine.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Engine.MaxThreads = threads;
                Layer(threads, 32, 1, 28, reps, first: true);
                Layer(threads, 64, 32, 13, reps, first: false);
                Model(threads, reps);
            }
        }
        finally
        {
            Engine.MaxThreads = before;
            Conv2D.UsePackedProducts = true;
            Conv2D.UseGroupedGradient = true;
            Conv2D.UseGroupedInputGradient = true;
        }

        return 0;
    }

    private static void Layer(int threads, int filters, int channels, int size, int reps, bool first)
    {
        const int batch = 128;
        var layer = new Conv2D(filters, 3);
        layer.Build(new TensorShape(channels, size, size), Initializer.He, new Random(1));
        var x = Random(batch * channels * size * size, 2, batch, channels, size, size);
        var y = layer.Forward(x, training: true);
        var dy = Random(y.Length, 3, y.Shape.ToArray());
        double macs = (double)batch * filters * channels * 9 * y.Shape[2] * y.Shape[3];
        var best = new Dictionary<string, double>();
        for (int r = 0; r < reps; r++)
        {
            foreach (bool packed in new[] { true, false })
            {
                Conv2D.UsePackedProducts = packed;
                string tag = packed ? "packed" : "per-sample";
                Min(best, $"{tag} forward", Time(() => layer.Forward(x, training: true)));
                Min(best, $"{tag} backward dW,db", Time(() => layer.BackwardParameters(dy)));
                if (!first)
                {
                    Min(best, $"{tag} backward dW,db,dx", Time(() => layer.Backward(dy)));
                }

                // The weight gradient as dot products along the pixels (GemmDot) against the blocked GEMM, whatever the default.
                int saved = Conv2D.DotGradientMaxPatch;
                Conv2D.DotGradientMaxPatch = int.MaxValue;
                Min(best, $"{tag} backward dW,db (dW dot)", Time(() => layer.BackwardParameters(dy)));
                Conv2D.DotGradientMaxPatch = 0;
                Min(best, $"{tag} backward dW,db (dW gemm)", Time(() => layer.BackwardParameters(dy)));
                Conv2D.DotGradientMaxPatch = saved;
            }

            // The weight gradient on the packed path: several samples per product (grouped, automatic group and fixed
            // G) against one general product per sample, whatever the dot rule says (GemmDot off for all of them).
            Conv2D.UsePackedProducts = true;
            if (GemmPacked.Width != 0)
            {
                int savedDot = Conv2D.DotGradientMaxPatch;
                Conv2D.DotGradientMaxPatch = 0;
                try
                {
                    Conv2D.UseGroupedGradient = false;
                    Min(best, "dW per-sample: dW,db", Time(() => layer.BackwardParameters(dy)));
                    if (!first)
                    {
                        Min(best, "dW per-sample: dW,db,dx", Time(() => layer.Backward(dy)));
                    }

                    Conv2D.UseGroupedGradient = true;
                    foreach (int g in new[] { 0, 1, 2, 4, 8 })
                    {
                        Conv2D.GradientGroup = g;
                        string name = g == 0 ? "auto" : g.ToString(CultureInfo.InvariantCulture);
                        Min(best, $"dW grouped G={name}: dW,db", Time(() => layer.BackwardParameters(dy)));
                    }

                    Conv2D.GradientGroup = 0;
                    if (!first)
                    {
                        Min(best, "dW grouped G=auto: dW,db,dx", Time(() => layer.Backward(dy)));

                        // dx: one product per sample against G samples side by side.
                        Conv2D.UseGroupedInputGradient = false;
                        Min(best, "dx per-sample: dW,db,dx", Time(() => layer.Backward(dy)));
                        Conv2D.UseGroupedInputGradient = true;
                        foreach (int g in new[] { 1, 2, 4, 8 })
                        {
                            Conv2D.InputGradientGroup = g;
                            Min(best, $"dx grouped G={g}: dW,db,dx", Time(() => layer.Backward(dy)));
                        }

                        Conv2D.InputGradientGroup = 0;
                    }
                }
                finally
                {
                    (Conv2D.DotGradientMaxPatch, Conv2D.UseGroupedGradient, Conv2D.GradientGroup) = (savedDot, true, 0);
                    (Conv2D.UseGroupedInputGradient, Conv2D.InputGradientGroup) = (true, 0);
                }
            }
        }

        if (threads == 1)
        {
            Parts(filters, channels, size, reps);
        }

        foreach (var (name, ms) in best)
        {
            double work = name.EndsWith("dx", StringComparison.Ordinal) ? 2 * macs : macs;
            Console.WriteLine($"T={threads}{(threads == 1 ? " cpu" : " wall")} conv {channels}->{filters} on {size}x{size} b{batch} {name,-28} {ms,8:F3} ms {2 * work / ms / 1e6,7:F1} GFLOP/s");
        }
    }

    private static void Model(int threads, int reps)
    {
        var model = Sequential.Parse(Spec);
        model.Build(new TensorShape(1, 28, 28), seed: 1);
        var x = Random(128 * 784, 4, 128, 1, 28, 28);
        var x1 = Random(784, 5, 1, 1, 28, 28);
        var x1000 = Random(1000 * 784, 6, 1000, 1, 28, 28);
        var dy = Random(128 * 10, 7, 128, 10);
        // Multiply-adds of one training step: both convolutions forward and dW, the second's dx; dense layers 3x.
        double macs = 128 * (32 * 9 * 676.0 * 2 + 64 * 288 * 121.0 * 3 + (1600 * 128 + 128 * 10) * 3.0);
        // packed (grouped dW and dx), packed with dW and dx per sample (the previous packed path), per-sample general products.
        foreach (int variant in new[] { 0, 1, 2 })
        {
            bool packed = variant < 2;
            Conv2D.UsePackedProducts = packed;
            Conv2D.UseGroupedGradient = variant == 0;
            Conv2D.UseGroupedInputGradient = variant == 0;
            string tag = variant switch { 0 => "packed", 1 => "packed, per sample", _ => "per-sample" };
            double step = double.MaxValue, fwd = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                fwd = Math.Min(fwd, Time(() => model.Forward(x, training: true)));
                step = Math.Min(step, Time(() =>
                {
                    model.Forward(x, training: true);
                    model.ZeroGradients();
                    model.Backward(dy);
                }));
            }

            var single = new List<double>();
            for (int r = 0; r < 2000; r++)
            {
                single.Add(Time(() => model.Forward(x1, training: false)));
            }

            single.Sort();
            double big = double.MaxValue;
            for (int r = 0; r < Math.Max(3, reps / 3); r++)
            {
                big = Math.Min(big, Time(() => model.Forward(x1000, training: false)));
            }

            Console.WriteLine($"T={threads} cnn {tag,-17} forward b128 {fwd,7:F3} ms; train step (fwd+bwd, no loss/optimizer) {step,7:F3} ms = {2 * macs / step / 1e6,6:F1} GFLOP/s; " +
                              $"batch-1 median {single[single.Count / 2] * 1000,6:F1} µs (min {single[0] * 1000:F1}); batch-1000 {1000 / big * 1000,8:F0} images/s");
        }
    }

    /// <summary>The packed forward's two parts alone, 128 samples each: im2col into packed B, and the product.</summary>
    private static unsafe void Parts(int filters, int channels, int size, int reps)
    {
        int width = GemmPacked.Width, outSize = size - 2, pixels = outSize * outSize, patch = channels * 9;
        if (width == 0)
        {
            return;
        }

        var image = GC.AllocateArray<float>(128 * channels * size * size, pinned: true);
        var packedB = GC.AllocateArray<float>((int)GemmPacked.BSize(width, patch, pixels) + GemmPacked.Slack, pinned: true);
        var packedA = GC.AllocateArray<float>((int)GemmPacked.ASize(width, filters, patch) + GemmPacked.Slack, pinned: true);
        var output = GC.AllocateArray<float>(128 * filters * pixels, pinned: true);
        var rng = new Random(1);
        for (int i = 0; i < image.Length; i++)
        {
            image[i] = (float)rng.NextDouble();
        }

        double unfold = double.MaxValue, product = double.MaxValue, gather = double.MaxValue;
        int paddedPixels = Im2Col.GatherPixels(pixels);
        var table = Im2Col.GatherTable(size, size, 3, 1, 0, outSize, outSize, paddedPixels);
        nint pt0;
        fixed (int* ft = table)
        {
            pt0 = (nint)ft;
        }

        nint pi0, pb0, pa0, po0;
        fixed (float* fi = image, fb = packedB, fa = packedA, fo = output)
        {
            (pi0, pb0, pa0, po0) = ((nint)fi, (nint)GemmPacked.Align(fb), (nint)GemmPacked.Align(fa), (nint)fo);
        }

        {
            for (int r = 0; r < reps; r++)
            {
                unfold = Math.Min(unfold, Time(() =>
                {
                    for (int n = 0; n < 128; n++)
                    {
                        Im2Col.UnfoldPacked((float*)pi0 + (long)n * channels * size * size, channels, size, size, 3, 1, 0, outSize, outSize, 0, pixels, GemmPacked.Cols(width), (float*)pb0);
                    }
                }));
                gather = Math.Min(gather, Time(() =>
                {
                    for (int n = 0; n < 128; n++)
                    {
                        Im2Col.UnfoldPackedGather((float*)pi0 + (long)n * channels * size * size, channels, size * size, 9, (int*)pt0, paddedPixels, 0, pixels, GemmPacked.Cols(width), (float*)pb0);
                    }
                }));
                product = Math.Min(product, Time(() =>
                {
                    for (int n = 0; n < 128; n++)
                    {
                        GemmPacked.Run(width, (float*)pa0, (float*)pb0, filters, patch, pixels, (float*)po0 + (long)n * filters * pixels, pixels, false, default);
                    }
                }));
            }
        }

        double macs = 128.0 * filters * patch * pixels;
        Console.WriteLine($"T=1 cpu conv {channels}->{filters}: im2col packed x128 {unfold,7:F3} ms, gathered {gather,7:F3} ms; packed product x128 {product,7:F3} ms {2 * macs / product / 1e6,6:F1} GFLOP/s");
        GradientParts(filters, channels, size, reps, width, (float*)pi0, (int*)pt0, paddedPixels);
        GC.KeepAlive(image);
        GC.KeepAlive(table);
        GC.KeepAlive(packedA);
        GC.KeepAlive(packedB);
        GC.KeepAlive(output);
    }

    /// <summary>
    /// The grouped weight gradient's parts alone, 128 samples: im2col into cols [patch, pixels], cols packed as
    /// long-K A panels, dY^T packed as B panels, and the product dW^T += cols · dY^T with one sample (K = pixels)
    /// or four samples (K = 4 · pixels) per product.
    /// </summary>
    private static unsafe void GradientParts(int filters, int channels, int size, int reps, int width, float* image, int* table, int paddedPixels)
    {
        int outSize = size - 2, pixels = outSize * outSize, patch = channels * 9, k4 = 4 * pixels;
        var cols = GC.AllocateArray<float>(patch * pixels, pinned: true);
        var dy = GC.AllocateArray<float>(128 * filters * pixels, pinned: true);
        var a = GC.AllocateArray<float>((int)GemmPacked.ASize(width, patch, k4) + GemmPacked.Slack, pinned: true);
        var b = GC.AllocateArray<float>((int)GemmPacked.BSize(width, k4, filters) + GemmPacked.Slack, pinned: true);
        var dw = GC.AllocateArray<float>(patch * filters, pinned: true);
        var rng = new Random(3);
        for (int i = 0; i < dy.Length; i++)
        {
            dy[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        nint pc, pdy, pa, pb, pdw;
        fixed (float* fc = cols, fy = dy, fa = a, fb = b, fw = dw)
        {
            (pc, pdy, pa, pb, pdw) = ((nint)fc, (nint)fy, (nint)GemmPacked.Align(fa), (nint)GemmPacked.Align(fb), (nint)fw);
        }

        double unfold = double.MaxValue, packA = double.MaxValue, packB = double.MaxValue, run1 = double.MaxValue, run4 = double.MaxValue;
        int planes = size * size;
        for (int r = 0; r < reps; r++)
        {
            unfold = Math.Min(unfold, Time(() =>
            {
                for (int n = 0; n < 128; n++)
                {
                    Im2Col.UnfoldGather(image + (long)n * channels * planes, channels, planes, 9, table, paddedPixels, pixels, (float*)pc);
                }
            }));
            packA = Math.Min(packA, Time(() =>
            {
                for (int n = 0; n < 128; n++)
                {
                    GemmPacked.PackAPanel(width, (float*)pc, pixels, false, patch, pixels, n % 4 * pixels, k4, (float*)pa);
                }
            }));
            packB = Math.Min(packB, Time(() =>
            {
                for (int n = 0; n < 128; n++)
                {
                    GemmPacked.PackBPanel(width, (float*)pdy + (long)n * filters * pixels, pixels, true, pixels, filters, n % 4 * pixels, k4, (float*)pb);
                }
            }));
            run1 = Math.Min(run1, Time(() =>
            {
                for (int n = 0; n < 128; n++)
                {
                    GemmPacked.Run(width, (float*)pa, (float*)pb, patch, pixels, filters, (float*)pdw, filters, true, default);
                }
            }));
            run4 = Math.Min(run4, Time(() =>
            {
                for (int n = 0; n < 32; n++)
                {
                    GemmPacked.Run(width, (float*)pa, (float*)pb, patch, k4, filters, (float*)pdw, filters, true, default);
                }
            }));
        }

        // dx's parts: dY packed as B, dcols = W^T · dY (W^T packed once), col2im of dcols onto the image.
        var wt = GC.AllocateArray<float>((int)GemmPacked.ASize(width, patch, filters) + GemmPacked.Slack, pinned: true);
        var dimage = GC.AllocateArray<float>(channels * planes, pinned: true);
        double dxPack = double.MaxValue, dxRun = double.MaxValue, fold = double.MaxValue;
        fixed (float* fwt = wt, fdi = dimage)
        {
            float* pwt = GemmPacked.Align(fwt);
            for (int r = 0; r < reps; r++)
            {
                double t0 = ThreadCpuMs();
                for (int n = 0; n < 128; n++)
                {
                    GemmPacked.PackB(width, (float*)pdy + (long)n * filters * pixels, pixels, false, filters, 0, pixels, (float*)pb);
                }

                double t1 = ThreadCpuMs();
                for (int n = 0; n < 128; n++)
                {
                    GemmPacked.Run(width, pwt, (float*)pb, patch, filters, pixels, (float*)pc, pixels, false, default);
                }

                double t2 = ThreadCpuMs();
                for (int n = 0; n < 128; n++)
                {
                    Im2Col.Fold((float*)pc, pixels, channels, size, size, 3, 1, 0, outSize, outSize, fdi);
                }

                double t3 = ThreadCpuMs();
                (dxPack, dxRun, fold) = (Math.Min(dxPack, t1 - t0), Math.Min(dxRun, t2 - t1), Math.Min(fold, t3 - t2));
            }
        }

        double macs = 128.0 * filters * patch * pixels;
        Console.WriteLine($"T=1 cpu conv {channels}->{filters} dx parts x128: pack dY {dxPack,7:F3} ms, product {dxRun,7:F3} ms {2 * macs / dxRun / 1e6,6:F1} GFLOP/s, col2im {fold,7:F3} ms");
        Console.WriteLine($"T=1 cpu conv {channels}->{filters} dW parts x128: im2col {unfold,7:F3} ms, pack cols {packA,7:F3} ms, pack dY^T {packB,7:F3} ms; " +
                          $"product K=pixels {run1,7:F3} ms {2 * macs / run1 / 1e6,6:F1} GFLOP/s, K=4 pixels {run4,7:F3} ms {2 * macs / run4 / 1e6,6:F1} GFLOP/s");
        GC.KeepAlive(cols);
        GC.KeepAlive(dy);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        GC.KeepAlive(dw);
    }

    private static void Min(Dictionary<string, double> best, string key, double ms) => best[key] = best.TryGetValue(key, out var b) ? Math.Min(b, ms) : ms;
}
