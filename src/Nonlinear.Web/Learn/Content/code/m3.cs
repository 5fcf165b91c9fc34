// <show>
using Nonlinear.Activations;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 3's code panel: tanh, its derivative 1 − tanh² (largest, 1, at 0), and zero-centred outputs.</summary>
public static class TanhZeroCentred
{
    /// <summary>Prints x, tanh(x), tanh′(x) and 2σ(2x) − 1 per input, the largest slope, and the mean output of tanh and sigmoid.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        var tanh = ActivationRegistry.Parse("tanh");
        var sigmoid = ActivationRegistry.Parse("sigmoid");
        float[] x = [-3, -2, -1, -0.5f, 0, 0.5f, 1, 2, 3];
        var y = new float[x.Length];
        var slope = new float[x.Length];
        float[] ones = [.. x.Select(_ => 1f)];

        tanh.Forward(x, y);                      // tanh(x) in (-1, 1)
        tanh.Backward(x, y, ones, slope);        // tanh'(x) = 1 - tanh(x)^2

        // tanh is a sigmoid stretched to (-1, 1): tanh(x) = 2σ(2x) - 1.
        float[] twice = [.. x.Select(v => 2 * v)];
        var s = new float[x.Length];
        sigmoid.Forward(twice, s);

        for (int i = 0; i < x.Length; i++)
        {
            output.WriteLine($"x = {x[i]}  tanh = {y[i]:F6}  slope = {slope[i]:F6}  " +
                $"2s(2x)-1 = {2 * s[i] - 1:F6}");
        }

        int peak = Array.IndexOf(slope, slope.Max());
        output.WriteLine($"largest slope = {slope[peak]:F6} at x = {x[peak]}");

        // Zero-centred: on inputs symmetric around 0, tanh averages 0, the sigmoid 0.5.
        var sig = new float[x.Length];
        sigmoid.Forward(x, sig);
        output.WriteLine($"mean output: tanh = {y.Average():F6}  " +
            $"sigmoid = {sig.Average():F6}");
        // </show>
    }
}
