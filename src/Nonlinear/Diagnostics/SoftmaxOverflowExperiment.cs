using Nonlinear.Activations;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Why softmax subtracts the maximum: e^x overflows float32 above x ≈ 88.72, so the textbook exp(x_i) / sum exp(x_j)
/// turns into inf / inf = NaN for logits that a network can easily produce. Since softmax(x) = softmax(x - c) for
/// any c, subtracting the row maximum makes the largest exponent e^0 = 1 and nothing can overflow.
/// </summary>
public static class SoftmaxOverflowExperiment
{
    /// <summary>The scales of the default table: around the overflow threshold and far past it.</summary>
    public static IReadOnlyList<double> DefaultScales { get; } = [1, 10, 88, 89, 100, 1000, 1e4];

    /// <summary>For each scale s, the softmax of s × (1, 0, -1): naive float32, the library's, and float64 truth.</summary>
    public static IReadOnlyList<SoftmaxOverflowRow> Run(IEnumerable<double> scales)
    {
        ArgumentNullException.ThrowIfNull(scales);
        var softmax = new Softmax();
        var rows = new List<SoftmaxOverflowRow>();
        foreach (double scale in scales)
        {
            float[] logits = [(float)scale, 0f, (float)-scale];
            var stable = new float[logits.Length];
            softmax.Forward(logits, stable);
            rows.Add(new SoftmaxOverflowRow(scale, logits, Naive(logits), stable, Truth(logits)));
        }

        return rows;
    }

    /// <summary>The textbook formula, in float32, as written.</summary>
    public static float[] Naive(ReadOnlySpan<float> logits)
    {
        var p = new float[logits.Length];
        float sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            p[i] = MathF.Exp(logits[i]);
            sum += p[i];
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }

        return p;
    }

    /// <summary>The exact softmax in float64 (max subtracted, so it is exact for any float32 input).</summary>
    public static double[] Truth(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float x in logits)
        {
            max = Math.Max(max, x);
        }

        var p = new double[logits.Length];
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            p[i] = Math.Exp(logits[i] - max);
            sum += p[i];
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] /= sum;
        }

        return p;
    }
}
