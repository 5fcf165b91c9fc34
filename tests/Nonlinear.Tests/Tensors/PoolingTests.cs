using System.Runtime.Intrinsics;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class PoolingTests
{
    /// <summary>Every width: the scalar loops (0) and 128, 256, 512 bits (emulated by the JIT where not accelerated).</summary>
    public static TheoryData<int> Widths => [0, 128, 256, 512];

    [Fact]
    public void The_default_width_is_the_widest_accelerated_one()
    {
        int expected = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;
        Assert.Equal(expected, Pooling.DefaultWidth);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pooling.Width = 64);
    }

    [Theory]
    [InlineData(512, 2, 2, 14, 512)] // the masked AVX-512 2x2 kernel takes any row (where AVX-512 is there)
    [InlineData(512, 3, 1, 14, 256)]
    [InlineData(512, 3, 1, 16, 512)]
    [InlineData(256, 2, 2, 7, 128)]
    [InlineData(256, 2, 2, 3, 0)]
    [InlineData(128, 5, 3, 4, 128)]
    public void Rows_narrower_than_a_vector_run_at_a_narrower_width(int width, int k, int stride, int outW, int expected)
    {
        if (width == 512 && k == 2 && stride == 2 && !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            expected = 256; // the general kernel, at the widest width whose vector fits in 14 outputs
        }

        Assert.Equal(expected, Pooling.VectorWidth(width, k, stride, outW));
    }

    [Theory]
    [InlineData(26, 26, 2, 2)]
    [InlineData(11, 11, 2, 2)]
    [InlineData(40, 7, 2, 2)]
    [InlineData(2, 70, 2, 2)]
    [InlineData(3, 33, 2, 2)]
    [InlineData(28, 28, 2, 2)]
    [InlineData(9, 9, 3, 3)]
    [InlineData(13, 50, 3, 2)]
    [InlineData(8, 37, 3, 1)]
    [InlineData(5, 6, 2, 1)]
    [InlineData(7, 69, 1, 1)]
    [InlineData(6, 100, 1, 3)]
    [InlineData(10, 35, 2, 3)]
    [InlineData(12, 67, 4, 4)]
    [InlineData(9, 103, 5, 2)]
    [InlineData(4, 4, 4, 1)]
    [InlineData(3, 9, 3, 3)]
    public void Every_width_matches_a_sequential_scan_with_ties_nan_and_infinities(int h, int w, int k, int stride)
    {
        const int Planes = 5;
        var rng = new Random(h * 1000 + w * 10 + k + stride);

        // Few distinct values, so that ties are everywhere; a sprinkle of NaN, infinities and signed zeros. One
        // float in front, so that the planes start unaligned.
        var data = new float[1 + Planes * h * w];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = rng.Next(40) switch
            {
                0 => float.NaN,
                1 => float.NegativeInfinity,
                2 => float.PositiveInfinity,
                3 => -0f,
                _ => rng.Next(4) - 1,
            };
        }

        // A plane of -inf only (the first position wins) and one of NaNs with distinct payloads.
        var x = data.AsSpan(1);
        x[..(h * w)].Fill(float.NegativeInfinity);
        for (int i = 0; i < h * w; i++)
        {
            x[h * w + i] = BitConverter.Int32BitsToSingle(0x7FC00000 | (i + 1)); // the last NaN wins
        }

        int oh = (h - k) / stride + 1, ow = (w - k) / stride + 1;
        var (expectedY, expectedA) = Reference(x.ToArray(), Planes, h, w, k, stride, oh, ow);
        foreach (int width in new[] { 0, 128, 256, 512 })
        {
            var (y, a) = WithWidth(width, () =>
            {
                var y = new float[Planes * oh * ow];
                var a = new int[y.Length];
                Pooling.MaxForward(data.AsSpan(1), y, a, Planes, h, w, k, stride, oh, ow);
                return (y, a);
            });
            Assert.Equal(expectedA, a);
            Assert.Equal(expectedY.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Planes_split_over_threads_give_the_one_thread_result(int width)
    {
        // 200 planes of 24x24: more than the parallel threshold, so the planes are split and each thread uses its own
        // phase scratch.
        const int Planes = 200, H = 24, W = 24, K = 3, S = 2;
        int oh = (H - K) / S + 1, ow = (W - K) / S + 1;
        var rng = new Random(5);
        var x = new float[Planes * H * W];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)rng.NextDouble();
        }

        var (expectedY, expectedA) = Reference(x, Planes, H, W, K, S, oh, ow);
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 2;
            var (y, a) = WithWidth(width, () =>
            {
                var y = new float[Planes * oh * ow];
                var a = new int[y.Length];
                Pooling.MaxForward(x, y, a, Planes, H, W, K, S, oh, ow);
                return (y, a);
            });
            Assert.Equal(expectedA, a);
            Assert.Equal(expectedY, y);
        }
        finally
        {
            Engine.MaxThreads = before;
        }
    }

    [Fact]
    public void Backward_routes_each_gradient_to_its_maximum_and_adds_where_windows_overlap()
    {
        // 1 plane 3x3, 2x2 windows at stride 1: the centre (the maximum) is in all four windows.
        var x = new float[] { 0, 1, 0, 1, 9, 1, 0, 1, 0 };
        var y = new float[4];
        var a = new int[4];
        Pooling.MaxForward(x, y, a, 1, 3, 3, 2, 1, 2, 2);
        Assert.Equal([4, 4, 4, 4], a);
        var dx = new float[9];
        dx.AsSpan().Fill(7);
        Pooling.MaxBackward([1f, 2f, 3f, 4f], a, dx, 1, 3, 3, 2, 2);
        Assert.Equal([0f, 0f, 0f, 0f, 10f, 0f, 0f, 0f, 0f], dx);
    }

    /// <summary>PyTorch's scan: take v when v &gt; max or v is NaN, starting from -inf at the window's first element.</summary>
    private static (float[] Y, int[] A) Reference(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow)
    {
        var y = new float[planes * oh * ow];
        var a = new int[y.Length];
        for (int p = 0; p < planes; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    float max = float.NegativeInfinity;
                    int best = i * stride * w + j * stride;
                    for (int u = 0; u < k; u++)
                    {
                        for (int v = 0; v < k; v++)
                        {
                            int index = (i * stride + u) * w + j * stride + v;
                            float value = x[p * h * w + index];
                            if (value > max || float.IsNaN(value))
                            {
                                max = value;
                                best = index;
                            }
                        }
                    }

                    int o = (p * oh + i) * ow + j;
                    y[o] = max;
                    a[o] = best;
                }
            }
        }

        return (y, a);
    }

    private static T WithWidth<T>(int width, Func<T> action)
    {
        int before = Pooling.Width;
        try
        {
            Pooling.Width = width;
            return action();
        }
        finally
        {
            Pooling.Width = before;
        }
    }
}
