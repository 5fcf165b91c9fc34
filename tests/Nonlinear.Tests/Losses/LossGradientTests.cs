using Nonlinear.Losses;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Losses;

/// <summary>
/// Central finite differences (in double, on the float32 loss) against each loss's analytic gradient: catches a
/// gradient that is self-consistent but belongs to another loss (a missing 1/N, a sign, a factor 2).
/// </summary>
public sealed class LossGradientTests
{
    public static TheoryData<string> Setups() => ["mse", "bce_logits", "bce_logits_soft", "cross_entropy_indices", "cross_entropy_one_hot", "cross_entropy_soft"];

    [Theory]
    [MemberData(nameof(Setups))]
    public void Gradient_matches_central_finite_differences(string setup)
    {
        var (loss, predictions, targets) = Make(setup, new Random(setup.Length * 7919 + 3));
        var gradient = new Tensor(predictions.Shape);
        loss.Compute(predictions, targets, gradient);
        var scratch = new Tensor(predictions.Shape);
        const float h = 1e-3f;
        var p = predictions.Span;
        for (int i = 0; i < p.Length; i++)
        {
            float original = p[i];
            float up = original + h, down = original - h;
            p[i] = up;
            double lossUp = loss.Compute(predictions, targets, scratch);
            p[i] = down;
            double lossDown = loss.Compute(predictions, targets, scratch);
            p[i] = original;

            // The float steps up and down are not exactly ±h: divide by the step actually taken.
            double fd = (lossUp - lossDown) / ((double)up - down);
            float g = gradient.Span[i];
            Assert.True(Math.Abs(fd - g) <= (1e-2 * Math.Abs(g)) + 1e-4, $"{setup}: element {i}: analytic {g:R}, finite difference {fd:R}.");
        }
    }

    internal static (Loss Loss, Tensor Predictions, Tensor Targets) Make(string setup, Random rng)
    {
        const int n = 5, k = 4;
        float Uniform(double lo, double hi) => (float)(lo + (rng.NextDouble() * (hi - lo)));
        var predictions = new Tensor(n, k);
        foreach (ref float v in predictions.Span)
        {
            v = Uniform(-3, 3);
        }

        Tensor targets;
        switch (setup)
        {
            case "mse":
                targets = new Tensor(n, k);
                foreach (ref float v in targets.Span)
                {
                    v = Uniform(-3, 3);
                }

                return (new MeanSquaredError(), predictions, targets);
            case "bce_logits" or "bce_logits_soft":
                targets = new Tensor(n, k);
                foreach (ref float v in targets.Span)
                {
                    v = setup == "bce_logits" ? rng.Next(2) : Uniform(0, 1);
                }

                return (new BinaryCrossEntropyWithLogits(), predictions, targets);
            case "cross_entropy_indices":
                targets = new Tensor(n);
                foreach (ref float v in targets.Span)
                {
                    v = rng.Next(k);
                }

                return (new SoftmaxCrossEntropy(), predictions, targets);
            case "cross_entropy_one_hot":
                targets = new Tensor(n, k);
                for (int r = 0; r < n; r++)
                {
                    targets[r, rng.Next(k)] = 1;
                }

                return (new SoftmaxCrossEntropy(), predictions, targets);
            case "cross_entropy_soft":
                targets = new Tensor(n, k);
                for (int r = 0; r < n; r++)
                {
                    var row = targets.Row(r);
                    foreach (ref float v in row)
                    {
                        v = Uniform(0, 1);
                    }

                    float sum = System.Numerics.Tensors.TensorPrimitives.Sum(row);
                    System.Numerics.Tensors.TensorPrimitives.Divide(row, sum, row);
                }

                return (new SoftmaxCrossEntropy(), predictions, targets);
            default:
                throw new ArgumentException(setup);
        }
    }
}
