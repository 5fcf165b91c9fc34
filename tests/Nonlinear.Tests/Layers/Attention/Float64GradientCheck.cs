using Nonlinear.Layers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// Checks a float32 layer against a float64 reference of its forward: the forward output, and backward's input
/// and parameter gradients against central differences of L = Σ r · reference(x, p) taken in float64 (step 1e-6,
/// so the difference quotient is accurate to ~1e-9 and the tolerance only has to absorb the layer's float32).
/// </summary>
internal static class Float64GradientCheck
{
    /// <summary>reference(x, parameters) → output, all flat in the layer's layouts.</summary>
    public delegate double[] Reference(double[] x, double[][] parameters);

    public static void Check(Layer layer, Tensor x, Reference reference, int seed, double tolerance = 2e-4)
    {
        var rng = new Random(seed);
        var y = layer.Forward(x, training: true);
        var r = new double[y.Length];
        var rt = new Tensor(y.Shape);
        for (int i = 0; i < r.Length; i++)
        {
            rt.Span[i] = (float)(rng.NextDouble() * 2 - 1);
            r[i] = rt.Span[i];
        }

        double[] xs = ToDouble(x.Span);
        double[][] ps = layer.Parameters.Select(p => ToDouble(p.Value.Span)).ToArray();
        double[] expected = reference(xs, ps);
        Assert.Equal(expected.Length, y.Length);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - y.Span[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"forward[{i}]: layer {y.Span[i]}, float64 reference {expected[i]}");
        }

        foreach (var p in layer.Parameters)
        {
            p.ZeroGradient();
        }

        var dx = layer.Backward(rt).Clone();
        double Loss()
        {
            var o = reference(xs, ps);
            double s = 0;
            for (int i = 0; i < o.Length; i++)
            {
                s += o[i] * r[i];
            }

            return s;
        }

        void Compare(double[] values, ReadOnlySpan<float> gradient, string what)
        {
            const double h = 1e-6;
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + h;
                double plus = Loss();
                values[i] = saved - h;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"{what}[{i}]: backward {gradient[i]}, float64 central difference {numeric}");
            }
        }

        Compare(xs, dx.Span, "dL/dx");
        for (int p = 0; p < ps.Length; p++)
        {
            Compare(ps[p], layer.Parameters[p].Gradient.Span, $"dL/d{layer.Parameters[p].Name}");
        }
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = values[i];
        }

        return d;
    }

    public static Tensor RandomTensor(int seed, double scale, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }

        return t;
    }
}
