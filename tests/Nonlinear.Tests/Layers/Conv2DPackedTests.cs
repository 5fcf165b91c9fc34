using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>
/// The convolution's packed path (W packed once per batch, im2col written straight into the GEMM's B-panel layout,
/// pixel strips split over threads when the batch is smaller than the team) against a float64 direct
/// convolution and its gradients, at every micro-kernel width this machine runs and on the reference product.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class Conv2DPackedTests
{
    /// <summary>
    /// The product paths this machine can run: 0 = reference (no kernel: the per-sample general product), 128, 256,
    /// 512 (pre-packed products on that micro-kernel); each with im2col copied (+0) and read through the gather
    /// table (+1: AVX2 gathers where supported and the strips are a multiple of 8 wide, scalar loads otherwise),
    /// with the weight gradient on the blocked GEMM for every patch depth (+2: no GemmDot; on the packed widths
    /// several samples per product, the default), and with dW on one general product per sample and dx on one packed
    /// product per sample (+3: no GemmDot, no grouping: the path before grouping).
    /// </summary>
    private static List<int> Paths()
    {
        var widths = new List<int> { 0 };
        if (Vector128.IsHardwareAccelerated)
        {
            widths.Add(128);
        }

        if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            widths.Add(256);
        }

        if (Vector512.IsHardwareAccelerated)
        {
            widths.Add(512);
        }

        var paths = new List<int>();
        foreach (int width in widths)
        {
            paths.Add(width);
            paths.Add(width + 1);
            paths.Add(width + 2);
            paths.Add(width + 3);
        }

        return paths;
    }

    public static TheoryData<int, int, int, int, int, int, int, int, int> Shapes() => new()
    {
        // filters, channels, k, stride, padding, h, w, batch, threads
        { 32, 1, 3, 1, 0, 28, 28, 3, 2 },     // the reference CNN's first layer: batch not divisible by threads
        { 64, 32, 3, 1, 0, 13, 13, 1, 2 },    // its second layer at batch 1: pixel strips split over two threads
        { 64, 32, 3, 1, 0, 13, 13, 2, 1 },
        { 7, 3, 3, 2, 1, 11, 9, 3, 2 },       // stride 2, padding, odd filter count (partial tiles)
        { 9, 5, 5, 1, 2, 7, 12, 2, 2 },       // 'same' 5x5
        { 13, 4, 1, 1, 0, 9, 7, 3, 2 },       // 1x1: the input itself is packed
        { 5, 2, 2, 3, 2, 8, 5, 1, 2 },        // stride 3 > k
        { 40, 40, 3, 1, 1, 6, 6, 5, 3 },      // patch 360 > one k block
        { 3, 1, 3, 1, 1, 1, 1, 1, 2 },        // 1x1 image padded
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forward_and_every_gradient_match_a_float64_direct_convolution_on_every_path(int filters, int channels, int k, int stride, int padding, int h, int w, int batch, int threads)
    {
        foreach (var path in Paths())
        {
            var (y, dx, dw, db, layer, x, dy) = Run(path, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: -1);
            var (ry, rdx, rdw, rdb) = Reference(layer, x, dy);
            Close(ry, y, $"y at {path}");
            Close(rdx, dx, $"dx at {path}");
            Close(rdw, dw, $"dW at {path}");
            Close(rdb, db, $"db at {path}");
        }
    }

    [Theory]
    [InlineData(64, 32, 3, 1, 0, 13, 13, 1, 2)]
    [InlineData(32, 1, 3, 1, 0, 28, 28, 3, 2)]
    [InlineData(7, 3, 3, 2, 1, 11, 9, 3, 2)]
    public void Every_path_and_thread_count_gives_the_same_output_bits(int filters, int channels, int k, int stride, int padding, int h, int w, int batch, int threads)
    {
        foreach (var path in Paths())
        {
            var one = Run(path, filters, channels, k, stride, padding, h, w, batch, 1, nanAt: -1);
            var many = Run(path, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: -1);
            Assert.Equal(one.Y, many.Y);
            Assert.Equal(one.Dx, many.Dx);
        }
    }

    [Theory]
    [InlineData(64, 32, 3, 1, 0, 13, 13, 1, 2)]
    [InlineData(7, 3, 3, 2, 1, 11, 9, 3, 2)]
    [InlineData(13, 4, 1, 1, 0, 9, 7, 3, 2)]
    public void A_nan_input_reaches_exactly_the_outputs_whose_window_covers_it(int filters, int channels, int k, int stride, int padding, int h, int w, int batch, int threads)
    {
        foreach (var path in Paths())
        {
            int at = (batch - 1) * channels * h * w + (channels - 1) * h * w + (h / 2) * w + w / 2;
            var (y, _, _, _, layer, x, dy) = Run(path, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: at);
            var (ry, _, _, _) = Reference(layer, x, dy);
            Assert.Equal(ry.Length, y.Length);
            for (int i = 0; i < y.Length; i++)
            {
                Assert.True(double.IsNaN(ry[i]) == float.IsNaN(y[i]), $"output {i} at {path}: {y[i]} against {ry[i]}");
            }

            Assert.Contains(y, float.IsNaN);
        }
    }

    public static TheoryData<int, int, int, int, int, int, int, int, int> GroupShapes() => new()
    {
        // filters, channels, k, stride, padding, h, w, batch, threads
        { 64, 32, 3, 1, 0, 13, 13, 7, 2 },    // the reference CNN's second layer: parts of 4 and 3 samples
        { 64, 32, 3, 1, 0, 13, 13, 1, 1 },    // batch 1: a group of one
        { 7, 3, 3, 2, 1, 11, 9, 5, 1 },       // stride 2, padding, odd filter count (partial tiles)
        { 9, 5, 5, 1, 2, 7, 12, 6, 2 },       // 'same' 5x5
        { 13, 4, 1, 1, 0, 9, 7, 5, 1 },       // 1x1: the input itself is packed
        { 5, 2, 2, 3, 2, 8, 5, 4, 2 },        // stride 3 > k
        { 40, 40, 3, 1, 1, 6, 6, 5, 1 },      // patch 360 > one k block; a group of 3 (108 pixels) spans two k blocks
        { 3, 1, 3, 1, 1, 1, 1, 3, 1 },        // 1x1 image padded: one pixel per sample
    };

    /// <summary>
    /// The weight gradient and dx over several samples per product, at group sizes that do and do not divide each
    /// part's samples (1, 2, 3, 4 and the automatic choice), on every packed width, against the float64 reference, and
    /// against the per-sample products. Grouped dW only changes the order in which the samples' terms are summed (the
    /// samples of a group run through one product, k steps in sample order), so it agrees with the per-sample dW to
    /// rounding, not bit for bit; grouped dx computes every value with the same k steps, so it is the same bits.
    /// A NaN input makes exactly the weight gradients that read it NaN on both.
    /// </summary>
    [Theory]
    [MemberData(nameof(GroupShapes))]
    public void Grouped_gradients_match_float64_at_every_group_size_and_width(int filters, int channels, int k, int stride, int padding, int h, int w, int batch, int threads)
    {
        foreach (var path in Paths())
        {
            if (path < 128 || path % 4 != 2)
            {
                continue;
            }

            var (_, oneDx, oneByOne, oneDb, _, _, _) = Run(path + 1, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: -1);
            foreach (int group in new[] { 1, 2, 3, 4, 0 })
            {
                var (_, dx, dw, db, layer, x, dy) = Run(path, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: -1, group);
                var (_, rdx, rdw, rdb) = Reference(layer, x, dy);
                Close(rdw, dw, $"dW at {path}, group {group}");
                Close(rdb, db, $"db at {path}, group {group}");
                Close(rdx, dx, $"dx at {path}, group {group}");
                Assert.Equal(oneDb, db);
                Assert.Equal(oneDx, dx);
                var perSample = Array.ConvertAll(oneByOne, v => (double)v);
                Close(perSample, dw, $"dW grouped against per sample at {path}, group {group}");

                int at = (batch - 1) * channels * h * w + (channels - 1) * h * w + (h / 2) * w + w / 2;
                var nan = Run(path, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: at, group);
                var nanOld = Run(path + 1, filters, channels, k, stride, padding, h, w, batch, threads, nanAt: at);
                var (_, _, nanRef, _) = Reference(nan.Layer, nan.X, nan.Dy);
                for (int i = 0; i < nanRef.Length; i++)
                {
                    Assert.True(double.IsNaN(nanRef[i]) == float.IsNaN(nan.Dw[i]), $"dW {i} at {path}, group {group}: {nan.Dw[i]} against {nanRef[i]}");
                    Assert.Equal(float.IsNaN(nanOld.Dw[i]), float.IsNaN(nan.Dw[i]));
                }

                Assert.Contains(nan.Dw, float.IsNaN);
            }
        }
    }

    private static (float[] Y, float[] Dx, float[] Dw, float[] Db, Conv2D Layer, Tensor X, Tensor Dy) Run(
        int path, int filters, int channels, int k, int stride, int padding, int h, int w, int batch, int threads, int nanAt, int group = 0)
    {
        var saved = (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Im2Col.UseGather, Conv2D.DotGradientMaxPatch, Conv2D.UseGroupedGradient, Conv2D.GradientGroup);
        var savedDx = (Conv2D.UseGroupedInputGradient, Conv2D.InputGradientGroup);
        try
        {
            Im2Col.UseGather = path % 4 == 1;
            Conv2D.DotGradientMaxPatch = path % 4 >= 2 ? 0 : saved.DotGradientMaxPatch;
            Conv2D.UseGroupedGradient = path % 4 != 3;
            Conv2D.GradientGroup = group;
            Conv2D.UseGroupedInputGradient = path % 4 != 3;
            Conv2D.InputGradientGroup = group;
            path -= path % 4;
            Gemm.UseKernel = path != 0;
            Gemm.Width = path == 0 ? saved.Width : path;
            Engine.MaxThreads = threads;
            var layer = new Conv2D(filters, k, stride, padding);
            layer.Build(new TensorShape(channels, h, w), Initializer.Glorot, new Random(7));
            var bias = layer.Bias.Value.Span;
            for (int f = 0; f < filters; f++)
            {
                bias[f] = 0.05f * (f - 2);
            }

            var x = FiniteDifferences.RandomInput(11, batch, channels, h, w);
            if (nanAt >= 0)
            {
                x.Span[nanAt] = float.NaN;
            }

            // Twice: the second call runs on scratch and packed buffers left over from the first.
            layer.Forward(x, training: true);
            var y = layer.Forward(x, training: true).Span.ToArray();
            var dy = FiniteDifferences.RandomInput(12, [batch, .. layer.OutputShape.ToArray()]);
            layer.Weight.Gradient.Span.Clear();
            layer.Bias.Gradient.Span.Clear();
            var dx = layer.Backward(dy).Span.ToArray();
            return (y, dx, layer.Weight.Gradient.Span.ToArray(), layer.Bias.Gradient.Span.ToArray(), layer, x, dy);
        }
        finally
        {
            (Gemm.UseKernel, Gemm.Width, Engine.MaxThreads, Im2Col.UseGather, Conv2D.DotGradientMaxPatch, Conv2D.UseGroupedGradient, Conv2D.GradientGroup) = saved;
            (Conv2D.UseGroupedInputGradient, Conv2D.InputGradientGroup) = savedDx;
        }
    }

    /// <summary>y, dx, dW, db in float64, straight from the definition.</summary>
    private static (double[] Y, double[] Dx, double[] Dw, double[] Db) Reference(Conv2D layer, Tensor x, Tensor dy)
    {
        int n0 = x.Shape[0], c0 = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        int f0 = layer.Filters, k = layer.KernelSize, s = layer.Stride, p = layer.Padding;
        int oh = layer.OutputShape[1], ow = layer.OutputShape[2];
        var weight = layer.Weight.Value.Span;
        var bias = layer.Bias.Value.Span;
        var y = new double[n0 * f0 * oh * ow];
        var dx = new double[x.Length];
        var dw = new double[weight.Length];
        var db = new double[f0];
        for (int n = 0; n < n0; n++)
        {
            for (int f = 0; f < f0; f++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        int o = ((n * f0 + f) * oh + i) * ow + j;
                        double g = dy.Span[o];
                        double sum = bias[f];
                        db[f] += g;
                        for (int c = 0; c < c0; c++)
                        {
                            for (int u = 0; u < k; u++)
                            {
                                for (int v = 0; v < k; v++)
                                {
                                    int r = i * s - p + u, t = j * s - p + v;
                                    if (r >= 0 && r < h && t >= 0 && t < w)
                                    {
                                        int xi = ((n * c0 + c) * h + r) * w + t, wi = ((f * c0 + c) * k + u) * k + v;
                                        sum += (double)weight[wi] * x.Span[xi];
                                        dw[wi] += g * x.Span[xi];
                                        dx[xi] += g * weight[wi];
                                    }
                                }
                            }
                        }

                        y[o] = sum;
                    }
                }
            }
        }

        return (y, dx, dw, db);
    }

    private static void Close(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1e-12;
        foreach (var e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale + 1e-5 * Math.Abs(expected[i]), $"{what} [{i}]: {actual[i]} against {expected[i]}");
        }
    }
}
