using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesForwardTests;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>"forward" with softmax (three logits, given or as W x + b) and "softmax-large" (logits near 1000).</summary>
public sealed class ExercisesSoftmaxTests
{
    private const double Tolerance = 0.001;

    [Fact]
    public async Task Softmax_probabilities_computed_in_float64_are_accepted_for_both_wordings()
    {
        int rows = 0;
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m6-softmax", seed);
            var (z, hasRows, _) = Logits(exercise);
            rows += hasRows ? 1 : 0;
            var p = Softmax(z);
            var verdict = await CheckAsync(exercise, 1, P(p));
            Assert.True(verdict.Correct, $"seed {seed}: {verdict.Feedback}");
            foreach (double v in p)
            {
                AssertShows(verdict.Solution, v);
            }
        }

        Assert.InRange(rows, 8, 32);
    }

    [Theory]
    [InlineData("one-logit-softmax")]
    [InlineData("sigmoid-instead-of-softmax")]
    [InlineData("not-normalised")]
    [InlineData("wrong-sign")]
    [InlineData("forgot-bias")]
    [InlineData("no-exponent")]
    [InlineData("not-summing-to-one")]
    public async Task Softmax_mistakes_are_recognised(string code)
    {
        int seen = 0;
        foreach (ulong seed in Seeds(60))
        {
            var exercise = Generate("m6-softmax", seed);
            var (z, hasRows, withoutBias) = Logits(exercise);
            var p = Softmax(z);
            double[]? mistaken = code switch
            {
                "one-logit-softmax" => [1, 1, 1],
                "sigmoid-instead-of-softmax" => [.. z.Select(Sigmoid)],
                "not-normalised" => [.. z.Select(Math.Exp)],
                "wrong-sign" => Softmax([.. z.Select(v => -v)]),
                "forgot-bias" when hasRows => Softmax(withoutBias!),
                "no-exponent" when Math.Abs(z.Sum()) >= 0.3 => [.. z.Select(v => v / z.Sum())],
                "not-summing-to-one" => [p[0] + 0.2, p[1], p[2]],
                _ => null,
            };
            if (mistaken is null)
            {
                continue;
            }

            seen++;
            var verdict = await CheckAsync(exercise, 1, P(mistaken));
            Assert.False(verdict.Correct);
            Assert.Equal(code, verdict.Mistake);
        }

        Assert.True(seen >= 10, $"only {seen} instances had the case");
    }

    [Fact]
    public async Task Large_logits_are_answered_with_max_subtraction_and_the_overflow_is_named()
    {
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m6-softmax-large", seed);
            double[] z = Given(exercise.PromptHtml, "<mi>z</mi>");
            Assert.True(z.Max() >= 500, "the logits are large enough that e^z overflows float32 and, above 709.8, float64");
            Assert.True(double.IsInfinity(Math.Exp(z.Max())) || z.Max() < 710);
            var p = Softmax(z);
            var right = await CheckAsync(exercise, 1, P(p));
            Assert.True(right.Correct, $"seed {seed}: {right.Feedback}");
            Assert.Contains("subtract the largest logit", right.Solution, StringComparison.OrdinalIgnoreCase);

            var rounded = await CheckAsync(exercise, 1, P([.. p.Select(v => Round(v, 3))]));
            Assert.True(rounded.Correct);

            double m = z.Max();
            var cases = new (string Code, double[] Answer)[]
            {
                ("naive-overflow", [1.0 / 3, 1.0 / 3, 1.0 / 3]),
                ("naive-overflow", [.. z.Select(v => v == m ? 1.0 : 0.0)]),
                ("naive-overflow", [0, 0, 0]),
                ("one-logit-softmax", [1, 1, 1]),
                // Logits near 1000 divided by their sum are all close to 1/3: within the tolerance the tutor names the overflow.
                (z.All(v => Math.Abs(v / z.Sum() - 1.0 / 3) <= Tolerance) ? "naive-overflow" : "no-exponent", [.. z.Select(v => v / z.Sum())]),
                ("not-normalised", [.. z.Select(v => Math.Exp(v - m))]),
                ("wrong-sign", Softmax([.. z.Select(v => -v)])),
            };
            foreach (var (code, answer) in cases)
            {
                var verdict = await CheckAsync(exercise, 1, P(answer));
                Assert.False(verdict.Correct);
                Assert.Equal(code, verdict.Mistake);
            }
        }
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("inf")]
    public async Task The_naive_overflow_sent_as_NaN_is_a_400_that_explains_max_subtraction(string text)
    {
        var exercise = Generate("m6-softmax-large", 3);
        var refusal = await Assert.ThrowsAsync<WebRequestException>(() => CheckAsync(exercise, 1, new Dictionary<string, object> { ["p1"] = text, ["p2"] = 0.2, ["p3"] = 0.1 }));
        Assert.Equal(400, refusal.Status);
        Assert.Contains("'p1'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Subtract the largest logit", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Softmax_tolerance_holds_at_its_edge()
    {
        var exercise = Generate("m6-softmax", 5);
        var p = Softmax(Logits(exercise).Z);
        Assert.True((await CheckAsync(exercise, 1, P([p[0] + 0.95 * Tolerance, p[1], p[2] - 0.95 * Tolerance]))).Correct);
        var off = await CheckAsync(exercise, 1, P([p[0] + 1.05 * Tolerance, p[1], p[2]]));
        Assert.False(off.Correct);
        Assert.Equal([false, true, true], new[] { off.Fields["p1"], off.Fields["p2"], off.Fields["p3"] });
    }

    [Fact]
    public async Task Hints_step_and_the_solution_shows_every_exponential_after_three_wrong_tries()
    {
        var exercise = Generate("m6-softmax-large", 9);
        double[] z = Given(exercise.PromptHtml, "<mi>z</mi>");
        var hints = Numeric(exercise).Hints;
        var wrong = P([0.5, 0.3, 0.2]);
        Assert.Equal(hints[0], (await CheckAsync(exercise, 1, wrong)).Hint);
        Assert.Equal(hints[1], (await CheckAsync(exercise, 2, wrong)).Hint);
        Assert.Null((await CheckAsync(exercise, 2, wrong)).Solution);
        string solution = (await CheckAsync(exercise, 3, wrong)).Solution!;
        double m = z.Max();
        foreach (double v in z)
        {
            AssertShows(solution, Math.Exp(v - m));
        }

        AssertShows(solution, z.Sum(v => Math.Exp(v - m)));
    }

    private static (string, double)[] P(IReadOnlyList<double> p) => [("p1", p[0]), ("p2", p[1]), ("p3", p[2])];

    /// <summary>The logits of a softmax prompt: given directly, or W x + b from the layer's numbers (and W x alone).</summary>
    private static (double[] Z, bool Rows, double[]? WithoutBias) Logits(Exercise exercise)
    {
        string html = exercise.PromptHtml;
        if (!html.Contains("<mi>W</mi><mo>=</mo>", StringComparison.Ordinal))
        {
            return (Given(html, "<mi>z</mi>"), false, null);
        }

        double[] w = Given(html, "<mi>W</mi>"), b = Given(html, "<mi>b</mi>"), x = Given(html, "<mi>x</mi>");
        double[] wx = [.. Enumerable.Range(0, 3).Select(i => w[2 * i] * x[0] + w[2 * i + 1] * x[1])];
        return ([.. wx.Select((v, i) => v + b[i])], true, wx);
    }
}
