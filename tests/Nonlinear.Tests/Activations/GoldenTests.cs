using Nonlinear.Activations;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// Every case in Golden/activations-torch.json (PyTorch 1.13, float64 on float32 inputs, rounded once).
/// </summary>
/// <remarks>
/// Tolerances: the exactness tests' ulp bound, with an absolute floor of 1e-15 max(1, |x|). The golden values
/// come from PyTorch's float64 formulas, which cancel in places and are then exact only to ~1e-16 |x|
/// absolutely: e^x - 1 gives elu(-1e-30) = 0 (truly -1e-30), 0.5 x (1 + tanh u) gives gelu_tanh(-10) = -0
/// (truly -1.2e-37), 1 - tanh(x)^2 gives tanh'(20.5) = 0 (truly 6.3e-18). Our float64 references in
/// <see cref="ExactnessTests"/> do not cancel and are held to ulp accuracy there. Where the file says NaN for an infinite input because
/// PyTorch's formula computes inf/inf or inf*0 (GELU, SiLU, Mish, softsign, hard swish), we return the limit:
/// those points are listed and checked against the limit instead (also the Gaussian's derivative, which
/// PyTorch's autograd of exp(-x * x) makes exp(-inf) * -2inf = NaN at ±inf). torch.heaviside(NaN) is 0; our step
/// keeps the NaN, which is checked instead. The sin, heaviside and gaussian entries were added later by
/// tools/make_golden_periodic_step_gaussian.py, with the same PyTorch and inputs.
/// </remarks>
[Collection(KernelSettings.Name)]
public sealed class GoldenTests
{
    private static readonly string[] LimitNotNaN = ["gelu", "gelu:tanh", "silu", "mish", "softsign", "hardswish", "gaussian"];

    private static readonly string[] NaNNotZero = ["step"];

    public static TheoryData<int> ElementwiseCases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Golden.Root.GetProperty("elementwise").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<int, int> RowwiseCases()
    {
        var data = new TheoryData<int, int>();
        for (int i = 0; i < Golden.Root.GetProperty("rowwise").GetArrayLength(); i++)
        {
            foreach (int width in KernelSettings.Widths)
            {
                data.Add(i, width);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ElementwiseCases))]
    public void Elementwise_values_and_derivatives_match_PyTorch(int index)
    {
        var entry = Golden.Root.GetProperty("elementwise")[index];
        string spec = Golden.Spec(entry);
        var activation = ActivationRegistry.Parse(spec);
        var xs = Golden.Numbers(entry.GetProperty("inputs")).Select(v => (float)v).ToArray();
        var outputs = Golden.Numbers(entry.GetProperty("outputs"));
        var derivatives = Golden.Numbers(entry.GetProperty("derivatives"));
        var y = new float[xs.Length];
        var dx = new float[xs.Length];
        activation.Forward(xs, y, xs.Length);
        activation.Backward(xs, y, Enumerable.Repeat(1f, xs.Length).ToArray(), dx, xs.Length);
        var reference = References.For(ActivationRegistry.Parse(spec).Spec);

        var errors = new List<string>();
        for (int i = 0; i < xs.Length; i++)
        {
            double floor = 1e-15 * Math.Max(1, Math.Abs((double)xs[i]));
            Compare("f", xs[i], y[i], outputs[i], reference.F(xs[i]), floor);
            Compare("f'", xs[i], dx[i], derivatives[i], reference.Df(xs[i]), Math.Max(floor, Tolerances.DerivativeFloor(spec)));
        }

        Assert.True(errors.Count == 0, $"{spec}: {errors.Count} mismatches with PyTorch:\n{string.Join("\n", errors.Take(15))}");

        void Compare(string what, float x, float actual, double golden, double limit, double floor)
        {
            if (float.IsNaN(x) && NaNNotZero.Contains(ActivationRegistry.Parse(spec).Spec))
            {
                // Documented deviation: NaN stays NaN.
                if (!float.IsNaN(actual))
                {
                    errors.Add($"  {what}(NaN) = {actual:R}, expected NaN");
                }

                return;
            }

            if (double.IsNaN(golden) && float.IsInfinity(x) && LimitNotNaN.Contains(spec) && !double.IsNaN(limit))
            {
                // Documented deviation: the limit, not PyTorch's NaN.
                if (actual != (float)limit)
                {
                    errors.Add($"  {what}({x}) = {actual:R}, expected the limit {limit:R}");
                }

                return;
            }

            if (!Ulp.Close(actual, golden, Tolerances.Ulps(spec), floor))
            {
                errors.Add($"  {what}({x:R}) = {actual:R}, PyTorch {golden:R} ({Ulp.Distance(actual, golden):F1} ulp)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(RowwiseCases))]
    public void Rowwise_outputs_and_input_gradients_match_PyTorch(int index, int width)
    {
        var entry = Golden.Root.GetProperty("rowwise")[index];
        var activation = ActivationRegistry.Parse(entry.GetProperty("activation").GetString()!);
        var x = Golden.Numbers(entry.GetProperty("inputs")).Select(v => (float)v).ToArray();
        var upstream = Golden.Numbers(entry.GetProperty("upstream")).Select(v => (float)v).ToArray();
        var outputs = Golden.Numbers(entry.GetProperty("outputs"));
        var gradient = Golden.Numbers(entry.GetProperty("input_gradient"));
        var y = new float[x.Length];
        var dx = new float[x.Length];
        KernelSettings.WithWidth(width, () =>
        {
            activation.Forward(x, y);
            activation.Backward(x, y, upstream, dx);
            return 0;
        });

        // The input gradient is a difference of O(max|upstream|) terms (dy_i - <dy, y>): its absolute floor scales with them.
        double gradientFloor = 4 * upstream.Max(MathF.Abs) / (1 << 24);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Ulp.Close(y[i], outputs[i], Tolerances.DefaultUlps, Ulp.SubnormalFloor),
                $"{activation.Name}[{string.Join(", ", x.Take(6))}...] output {i}: {y[i]:R}, PyTorch {outputs[i]:R} ({Ulp.Distance(y[i], outputs[i]):F1} ulp)");
            Assert.True(Ulp.Close(dx[i], gradient[i], Tolerances.DefaultUlps, gradientFloor),
                $"{activation.Name}[{string.Join(", ", x.Take(6))}...] gradient {i}: {dx[i]:R}, PyTorch {gradient[i]:R} ({Ulp.Distance(dx[i], gradient[i]):F1} ulp)");
        }
    }

    [Fact]
    public void The_golden_file_covers_every_activation_in_the_registry()
    {
        var covered = Golden.Root.GetProperty("elementwise").EnumerateArray().Select(e => ActivationRegistry.Parse(Golden.Spec(e)).Name)
            .Concat(Golden.Root.GetProperty("rowwise").EnumerateArray().Select(e => e.GetProperty("activation").GetString()!))
            .ToHashSet();
        Assert.All(ActivationRegistry.All, d => Assert.Contains(d.Name, covered));
    }
}
