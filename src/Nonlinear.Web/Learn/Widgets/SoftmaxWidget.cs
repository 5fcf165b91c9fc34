using Nonlinear.Activations;
using Nonlinear.Diagnostics;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The softmax widget: the engine's softmax of logits / T, the textbook formula in float32 (e^z overflows to
/// infinity above z ≈ 88.7, and inf / inf is NaN) and the max-subtracted exponentials the stable form uses.
/// </summary>
internal static class SoftmaxWidget
{
    private const double LogitLimit = 1e5;

    public static object Answer(SoftmaxWidgetRequest body)
    {
        if (body.Logits is null || body.Logits.Length is < 2 or > 8)
        {
            throw WebRequestException.BadRequest($"logits has {body.Logits?.Length ?? 0} numbers; expected 2-8.");
        }

        var logits = WidgetInput.Vector(body.Logits, "logits", body.Logits.Length, LogitLimit);
        double temperature = WidgetInput.Between(body.Temperature, "temperature", 0.01, 100, 1);
        int k = logits.Length;

        // The temperature divides the logits before softmax; in float32, as a model's logits are.
        var scaled = new float[k];
        for (int i = 0; i < k; i++)
        {
            scaled[i] = (float)(logits[i] / temperature);
        }

        var probabilities = new float[k];
        new Softmax().Forward(scaled, probabilities);

        var naiveExps = new float[k];
        float naiveSum = 0;
        for (int i = 0; i < k; i++)
        {
            naiveExps[i] = MathF.Exp(scaled[i]);
            naiveSum += naiveExps[i];
        }

        float max = scaled.Max();
        var shifted = new float[k];
        var stableExps = new float[k];
        float stableSum = 0;
        for (int i = 0; i < k; i++)
        {
            shifted[i] = scaled[i] - max;
            stableExps[i] = MathF.Exp(shifted[i]);
            stableSum += stableExps[i];
        }

        var naive = SoftmaxOverflowExperiment.Naive(scaled);
        return new
        {
            logits,
            temperature,
            scaled,
            probabilities,
            sum = probabilities.Sum(p => (double)p),
            naive = new { exps = naiveExps, sum = naiveSum, probabilities = naive, fails = naive.Any(p => !float.IsFinite(p)) },
            stable = new { max, shifted, exps = stableExps, sum = stableSum },
        };
    }
}
