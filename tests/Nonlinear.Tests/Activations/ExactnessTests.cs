using System.Text;
using Nonlinear.Activations;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// Every elementwise activation in the registry against its float64 reference, forward and derivative, over a
/// dense sweep of [-100, 100], random floats of every magnitude, and the extremes.
/// </summary>
/// <remarks>
/// Tolerance: <see cref="Tolerances.Ulps"/> float32 ulp of the reference, or an absolute floor. The forward
/// floor is the smallest normal float (subnormal results carry fewer bits). Derivatives that cross zero away
/// from x = 0 (GELU, SiLU, Mish, hard swish) are differences of O(1) terms there, so no float32 kernel can
/// have relative accuracy at the crossing: for those the floor is 2^-23 (one ulp of 1).
/// </remarks>
[Collection(KernelSettings.Name)]
public sealed class ExactnessTests(ITestOutputHelper output)
{
    /// <summary>Every reference spec, on every vector width this machine can run (512 and 256 bits).</summary>
    public static TheoryData<string, int> Specs()
    {
        var data = new TheoryData<string, int>();
        foreach (var r in References.All)
        {
            foreach (int width in KernelSettings.Widths)
            {
                data.Add(r.Spec, width);
            }
        }

        return data;
    }

    [Fact]
    public void Every_elementwise_activation_in_the_registry_has_a_float64_reference()
    {
        foreach (var d in ActivationRegistry.All)
        {
            var a = d.CreateDefault();
            if (!a.IsRowWise)
            {
                Assert.Contains(References.All, r => r.Spec == a.Spec);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Forward_is_within_a_few_ulp_of_float64_everywhere(string spec, int width)
    {
        var reference = References.For(spec);
        var activation = ActivationRegistry.Parse(spec);
        var xs = Inputs.All();
        var ys = new float[xs.Length];
        KernelSettings.WithWidth(width, () =>
        {
            activation.Forward(xs, ys, xs.Length);
            return 0;
        });
        Check($"{spec} ({width}-bit)", "f", xs, ys, reference.F, Tolerances.Ulps(spec), Ulp.SubnormalFloor);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Derivative_is_within_a_few_ulp_of_float64_everywhere(string spec, int width)
    {
        var reference = References.For(spec);
        var activation = ActivationRegistry.Parse(spec);
        var xs = Inputs.All();
        var ys = new float[xs.Length];
        var ones = Enumerable.Repeat(1f, xs.Length).ToArray();
        var dx = new float[xs.Length];
        KernelSettings.WithWidth(width, () =>
        {
            activation.Forward(xs, ys, xs.Length);
            activation.Backward(xs, ys, ones, dx, xs.Length);
            return 0;
        });
        Check($"{spec} ({width}-bit)", "f'", xs, dx, reference.Df, Tolerances.Ulps(spec), Tolerances.DerivativeFloor(spec));
    }

    private void Check(string spec, string what, float[] xs, float[] actual, Func<double, double> reference, double ulps, double floor)
    {
        var failures = new StringBuilder();
        int count = 0;
        double worst = 0;
        float worstX = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            double expected = reference(xs[i]);
            if (!Ulp.Close(actual[i], expected, ulps, floor))
            {
                if (count++ < 12)
                {
                    failures.AppendLine($"  {what}({xs[i]:R}) = {actual[i]:R}, float64 {expected:R} ({Ulp.Distance(actual[i], expected):F1} ulp)");
                }
            }
            else if (Math.Abs(actual[i] - expected) > floor && Ulp.Distance(actual[i], expected) > worst)
            {
                worst = Ulp.Distance(actual[i], expected);
                worstX = xs[i];
            }
        }

        output.WriteLine($"{spec} {what}: worst {worst:F2} ulp at x = {worstX:R} over {xs.Length} inputs");
        Assert.True(count == 0, $"{spec} {what}: {count} of {xs.Length} inputs beyond tolerance (default {Tolerances.DefaultUlps} ulp, floor {floor:R}):\n{failures}");
    }
}
