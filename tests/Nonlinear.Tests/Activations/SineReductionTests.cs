using Nonlinear.Activations;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// sin and its derivative cos next to their zeros, where the argument reduction x - k pi/2 cancels the most:
/// a kernel that subtracts a float32 pi/2 keeps no correct digit there.
/// </summary>
[Collection(KernelSettings.Name)]
public sealed class SineReductionTests
{
    public static TheoryData<int> Widths()
    {
        var data = new TheoryData<int>();
        foreach (int width in KernelSettings.Widths)
        {
            data.Add(width);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Sin_and_cos_keep_their_precision_next_to_every_multiple_of_half_pi(int width)
    {
        // The five floats nearest k pi/2 and their negatives, for k up to 60,000: x up to 94,000, both sides
        // of the vector path's limit (65,536).
        var xs = new List<float>();
        for (int k = 1; k <= 60_000; k++)
        {
            float v = MathF.BitDecrement(MathF.BitDecrement((float)(k * Math.PI / 2)));
            for (int i = 0; i < 5; i++, v = MathF.BitIncrement(v))
            {
                xs.Add(v);
                xs.Add(-v);
            }
        }

        var x = xs.ToArray();
        var y = new float[x.Length];
        var dx = new float[x.Length];
        var ones = Enumerable.Repeat(1f, x.Length).ToArray();
        var sin = ActivationRegistry.Parse("sin");
        KernelSettings.WithWidth(width, () =>
        {
            sin.Forward(x, y);
            sin.Backward(x, y, ones, dx);
            return 0;
        });

        var failures = Enumerable.Range(0, x.Length)
            .Where(i => !Ulp.Close(y[i], Math.Sin(x[i]), Tolerances.DefaultUlps, Ulp.SubnormalFloor)
                || !Ulp.Close(dx[i], Math.Cos(x[i]), Tolerances.DefaultUlps, Ulp.SubnormalFloor))
            .Select(i => $"x = {x[i]:R}: sin {y[i]:R} ({Ulp.Distance(y[i], Math.Sin(x[i])):F1} ulp), cos {dx[i]:R} ({Ulp.Distance(dx[i], Math.Cos(x[i])):F1} ulp)")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {x.Length} beyond {Tolerances.DefaultUlps} ulp:\n{string.Join("\n", failures.Take(10))}");
    }

    [Fact]
    public void Huge_arguments_are_reduced_exactly_not_wrapped_in_float32()
    {
        // sin(1e10) in float32 arithmetic with a float32 pi would be noise; the true value is -0.4875060.
        var sin = (ElementwiseActivation)ActivationRegistry.Parse("sin");
        Assert.Equal((float)Math.Sin(1e10), sin.Value(1e10f));
        Assert.Equal((float)Math.Sin(3.4e38f), sin.Value(3.4e38f));
        Assert.True(float.IsNaN(sin.Value(float.PositiveInfinity)));
        Assert.True(float.IsNegative(sin.Value(-0f)));
    }
}
