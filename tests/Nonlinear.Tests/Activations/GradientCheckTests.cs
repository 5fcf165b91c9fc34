using Nonlinear.Activations;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// Finite differences of the float32 forward kernel against the backward kernel, for every activation in the
/// registry: catches a backward that is accurate but belongs to another function (a sign, a factor).
/// </summary>
public sealed class GradientCheckTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var d in ActivationRegistry.All)
        {
            data.Add(d.Name);
        }

        data.Add("gelu:tanh");
        data.Add("softplus:beta=2:threshold=5");
        data.Add("leaky_relu:0.2");
        data.Add("elu:0.5");
        data.Add("hardtanh:-2:0.5");
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_matches_central_finite_differences_of_forward(string spec)
    {
        var activation = ActivationRegistry.Parse(spec);
        var rng = new Random(spec.Length * 7919 + 1);
        const int rows = 40, n = 6;
        const double h = 1e-3;
        var x = new float[rows * n];
        for (int i = 0; i < x.Length; i++)
        {
            // Stay 2h away from every kink (0, ±3, 6, the hardtanh bounds) so the difference quotient is valid.
            float v;
            do
            {
                v = (float)(rng.NextDouble() * 12 - 6);
            }
            while (new[] { 0.0, 3, -3, 6, 0.5, -2, 1, -1 }.Any(k => Math.Abs(v - k) < 4 * h));
            x[i] = v;
        }

        var dy = x.Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = new float[x.Length];
        var dx = new float[x.Length];
        activation.Forward(x, y, n);
        activation.Backward(x, y, dy, dx, n);

        var plus = new float[x.Length];
        var minus = new float[x.Length];
        var yp = new float[x.Length];
        var ym = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x.CopyTo(plus, 0);
            x.CopyTo(minus, 0);
            plus[i] += (float)h;
            minus[i] -= (float)h;
            double step = (double)plus[i] - minus[i];
            activation.Forward(plus, yp, n);
            activation.Forward(minus, ym, n);

            // dL/dx_i for L = sum_j dy_j y_j: only x_i's row changes (the whole row for softmax).
            double numeric = 0;
            for (int j = 0; j < x.Length; j++)
            {
                numeric += dy[j] * ((double)yp[j] - ym[j]) / step;
            }

            Assert.True(Math.Abs(numeric - dx[i]) <= 2e-3 * (1 + Math.Abs(numeric)),
                $"{spec}: at x[{i}] = {x[i]}, backward gives {dx[i]}, finite differences {numeric}");
        }
    }
}
