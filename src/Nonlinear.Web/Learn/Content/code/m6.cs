// <show>
using Nonlinear.Activations;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 6's code panel: softmax of large logits overflows when computed naively; subtracting the maximum fixes it.</summary>
public static class LargeLogits
{
    /// <summary>Prints the naive softmax (NaN), the shifted logits, the softmax by hand and the library's, then the temperature's effect.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        float[] logits = [1000f, 999f];
        output.WriteLine($"logits = {string.Join(" ", logits)}");

        // The textbook formula: e^1000 is infinity in float (and in double),
        // and infinity / infinity is NaN.
        float[] exps = [.. logits.Select(MathF.Exp)];
        float total = exps.Sum();
        output.WriteLine($"naive = {string.Join(" ", exps.Select(e => e / total))}");

        // Subtract the largest logit first: same probabilities, exponents <= 0.
        float max = logits.Max();
        float[] shifted = [.. logits.Select(z => z - max)];
        double[] e = [.. shifted.Select(z => Math.Exp(z))];
        output.WriteLine($"shifted = {string.Join(" ", shifted)}");
        output.WriteLine($"exp = {string.Join(" ", e)}  sum = {e.Sum()}");
        output.WriteLine($"by hand = {string.Join(" ", e.Select(v => v / e.Sum()))}");

        // The library's softmax does the subtraction itself (one row of 2).
        var softmax = ActivationRegistry.Parse("softmax");
        var p = new float[logits.Length];
        softmax.Forward(logits, p, rowLength: logits.Length);
        output.WriteLine($"library = {string.Join(" ", p)}");

        // Temperature T: softmax(z / T). A small T sharpens towards the largest
        // score, a large T flattens.
        float[] scores = [2f, 1f, 0.1f];
        var q = new float[scores.Length];
        output.WriteLine($"scores = {string.Join(" ", scores)}");
        foreach (float t in new[] { 0.5f, 1f, 2f, 10f })
        {
            softmax.Forward([.. scores.Select(z => z / t)], q, rowLength: scores.Length);
            output.WriteLine($"T = {t}: {string.Join(" ", q)}  sum = {q.Sum()}");
        }
        // </show>
    }
}
