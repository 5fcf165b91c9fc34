// <show>
using Nonlinear.Activations;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 2's code panel: the sigmoid and its derivative σ′ = σ(1 − σ), largest (0.25) at 0.</summary>
public static class SigmoidSlope
{
    /// <summary>Prints x, σ(x), σ′(x) (the engine's backward) and σ(1 − σ) per input, then the largest slope.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        var sigmoid = ActivationRegistry.Parse("sigmoid");
        float[] x = [-6, -4, -2, -1, 0, 1, 2, 4, 6];
        var y = new float[x.Length];
        var slope = new float[x.Length];
        float[] ones = [.. x.Select(_ => 1f)];

        sigmoid.Forward(x, y);                   // σ(x) = 1 / (1 + e^-x), always in (0, 1)
        sigmoid.Backward(x, y, ones, slope);     // σ'(x): backward with dLoss/dy = 1

        for (int i = 0; i < x.Length; i++)
        {
            output.WriteLine($"x = {x[i]}  sigmoid = {y[i]:F6}  slope = {slope[i]:F6}  " +
                $"s(1-s) = {y[i] * (1 - y[i]):F6}");
        }

        int peak = Array.IndexOf(slope, slope.Max());
        output.WriteLine($"largest slope = {slope[peak]:F6} at x = {x[peak]}");
        // </show>
    }
}
