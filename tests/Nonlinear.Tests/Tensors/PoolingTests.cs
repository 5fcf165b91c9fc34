using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class PoolingTests
{
    [Theory]
    [InlineData(26, 26)]
    [InlineData(11, 11)]
    [InlineData(40, 7)]
    [InlineData(2, 70)]
    [InlineData(3, 33)]
    public void The_vector_2x2_path_matches_the_scalar_one_and_a_sequential_scan_with_ties_and_nan(int h, int w)
    {
        const int Planes = 5;
        var rng = new Random(h * 100 + w);

        // Few distinct values, so that ties are everywhere; a sprinkle of NaN and infinities.
        var x = new float[Planes * h * w];
        for (int i = 0; i < x.Length; i++)
        {
            int r = rng.Next(40);
            x[i] = r switch
            {
                0 => float.NaN,
                1 => float.NegativeInfinity,
                2 => float.PositiveInfinity,
                _ => rng.Next(4) - 1,
            };
        }

        int oh = h / 2, ow = w / 2;
        (float[] Y, int[] A) Run(bool vector)
        {
            bool before = Pooling.UseVector;
            try
            {
                Pooling.UseVector = vector;
                var y = new float[Planes * oh * ow];
                var a = new int[y.Length];
                Pooling.MaxForward(x, y, a, Planes, h, w, 2, 2, oh, ow);
                return (y, a);
            }
            finally
            {
                Pooling.UseVector = before;
            }
        }

        var (ys, as_) = Run(vector: false);
        var (yv, av) = Run(vector: System.Runtime.Intrinsics.X86.Avx512F.IsSupported);
        Assert.Equal(as_, av);
        Assert.Equal(ys, yv);

        // PyTorch's scan: take v when v > max or v is NaN, starting from -inf at the window's first element.
        for (int p = 0; p < Planes; p++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    float max = float.NegativeInfinity;
                    int best = 2 * i * w + 2 * j;
                    for (int u = 0; u < 2; u++)
                    {
                        for (int v = 0; v < 2; v++)
                        {
                            int index = (2 * i + u) * w + 2 * j + v;
                            float value = x[p * h * w + index];
                            if (value > max || float.IsNaN(value))
                            {
                                max = value;
                                best = index;
                            }
                        }
                    }

                    int o = (p * oh + i) * ow + j;
                    Assert.Equal(best, av[o]);
                    Assert.Equal(max, yv[o]);
                }
            }
        }
    }
}
