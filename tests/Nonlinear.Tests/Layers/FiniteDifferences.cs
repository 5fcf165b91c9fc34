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
    /// <param name="kinked">
    /// The model has kinks (ReLU, max pooling): an element whose central difference changes between steps h and
    /// h/4 has a kink (or a tie for a maximum) within the step, where finite differences say nothing about the
    /// derivative; such elements are skipped, at most 5% of those checked. Away from kinks both steps agree and
    /// must match backward.
    /// </param>
    public static void Check(Sequential model, Tensor x, int seed, double h = 1e-2, double tolerance = 2e-3, bool kinked = false)
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

        int checkedCount = 0, skipped = 0;
        double Central(Span<float> values, int i, double step)
        {
            float saved = values[i];
            values[i] = saved + (float)step;
            double plus = Loss();
            values[i] = saved - (float)step;
            double minus = Loss();
            values[i] = saved;
            return (plus - minus) / (2 * step);
        }

        void Compare(Span<float> values, Span<float> gradient, string what)
        {
            // Every element for small tensors, a sample of 40 for large ones.
            int stride = Math.Max(1, values.Length / 40);
            for (int i = 0; i < values.Length; i += stride)
            {
                double numeric = Central(values, i, h);
                checkedCount++;
                if (kinked && Math.Abs(numeric - Central(values, i, h / 4)) > tolerance * Math.Max(1, Math.Abs(numeric)))
                {
                    skipped++;
                    continue;
                }

                Assert.True(Math.Abs(numeric - gradient[i]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"{what}[{i}]: backward {gradient[i]}, finite differences {numeric}");
            }
        }

        Compare(x.Span, dx.Span, "dL/dx");
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Compare(model.Parameters[p].Value.Span, analytic[p].Span, $"dL/d{model.ParameterNames[p]}");
        }

        Assert.True(skipped <= checkedCount / 20, $"{skipped} of {checkedCount} elements sit on a kink: too many to trust the check");
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
