using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>
/// Central finite differences of L = sum(r * model(x)) for a fixed random r, against the analytic gradients of
/// backward: for the input and for every parameter element.
/// </summary>
internal static class FiniteDifferences
{
    public static void Check(Sequential model, Tensor x, int seed, double h = 1e-2, double tolerance = 2e-3)
    {
        var rng = new Random(seed);
        var y = model.Forward(x, training: true);
        var r = new Tensor(y.Shape);
        for (int i = 0; i < r.Length; i++)
        {
            r.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        model.ZeroGradients();
        var dx = model.Backward(r).Clone();
        var analytic = model.Parameters.Select(p => p.Gradient.Clone()).ToList();

        double Loss()
        {
            var out_ = model.Forward(x, training: true);
            double s = 0;
            for (int i = 0; i < out_.Length; i++)
            {
                s += (double)out_.Span[i] * r.Span[i];
            }

            return s;
        }

        void Compare(Span<float> values, Span<float> gradient, string what)
        {
            // Every element for small tensors, a sample of 40 for large ones.
            int stride = Math.Max(1, values.Length / 40);
            for (int i = 0; i < values.Length; i += stride)
            {
                float saved = values[i];
                values[i] = saved + (float)h;
                double plus = Loss();
                values[i] = saved - (float)h;
                double minus = Loss();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[i]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"{what}[{i}]: backward {gradient[i]}, finite differences {numeric}");
            }
        }

        Compare(x.Span, dx.Span, "dL/dx");
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Compare(model.Parameters[p].Value.Span, analytic[p].Span, $"dL/d{model.ParameterNames[p]}");
        }
    }

    public static Tensor RandomInput(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = (float)(rng.NextDouble() * 4 - 2);
        }

        return t;
    }
}
