using System.Text.RegularExpressions;
using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesForwardTests;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>"collapse", "gradient-product" and "backprop": numbers read from the prompt, answers in float64.</summary>
public sealed partial class ExercisesLayersTests
{
    [Fact]
    public async Task Collapse_answers_W2_W1_and_W2_b1_plus_b2_and_names_each_mistake()
    {
        foreach (ulong seed in Seeds(30))
        {
            var exercise = Generate("m1-collapse", seed);
            var c = ReadCollapse(exercise);
            double w1 = c.W2[0] * c.W1[0] + c.W2[1] * c.W1[2], w2 = c.W2[0] * c.W1[1] + c.W2[1] * c.W1[3];
            double w2b1 = c.W2[0] * c.B1[0] + c.W2[1] * c.B1[1], b = w2b1 + c.B2;

            // The claim itself: on any input both forms give the same output.
            double[] x = [0.7, -1.3];
            double twoLayers = c.W2[0] * (c.W1[0] * x[0] + c.W1[1] * x[1] + c.B1[0]) + c.W2[1] * (c.W1[2] * x[0] + c.W1[3] * x[1] + c.B1[1]) + c.B2;
            Assert.Equal(twoLayers, w1 * x[0] + w2 * x[1] + b, 9);

            var right = await CheckAsync(exercise, 1, ("w1", w1), ("w2", w2), ("b", b));
            Assert.True(right.Correct, $"seed {seed}: {right.Feedback}");
            Assert.Contains(Three(b), right.Solution, StringComparison.Ordinal);
            Assert.Equal("w-collapse", right.See!.Anchor);

            var cases = new (string Code, double W1, double W2, double B)[]
            {
                ("wrong-order", c.W2[0] * c.W1[0] + c.W2[1] * c.W1[1], c.W2[0] * c.W1[2] + c.W2[1] * c.W1[3], b),
                ("forgot-bias", w1, w2, w2b1),
                ("bias-not-through-w2", w1, w2, c.B1[0] + c.B1[1] + c.B2),
                ("forgot-first-bias", w1, w2, c.B2),
            };
            foreach (var (code, m1, m2, mb) in cases)
            {
                var verdict = await CheckAsync(exercise, 1, ("w1", m1), ("w2", m2), ("b", mb));
                Assert.False(verdict.Correct);
                Assert.Equal(code, verdict.Mistake);
            }

            Assert.False((await CheckAsync(exercise, 1, ("w1", w1 + 0.0011), ("w2", w2), ("b", b))).Correct);
            Assert.True((await CheckAsync(exercise, 1, ("w1", w1 + 0.0009), ("w2", w2 - 0.0009), ("b", b + 0.0009))).Correct);
        }
    }

    [Fact]
    public async Task Gradient_product_is_checked_relatively_and_accepts_factors_rounded_to_three_significant_digits()
    {
        foreach (ulong seed in Seeds(30))
        {
            var exercise = Generate("m7-chain", seed);
            double[] z = Given(exercise.PromptHtml, "<mi>z</mi>");
            Assert.Equal(5, z.Length);
            double[] slopes = [.. z.Select(SigmoidSlope)];
            double product = slopes.Aggregate(1.0, (p, v) => p * v);
            Assert.True(product <= Math.Pow(0.25, 5));

            Assert.True((await CheckAsync(exercise, 1, ("first", slopes[0]), ("product", product))).Correct);
            Assert.True((await CheckAsync(exercise, 1, ("first", slopes[0]), ("product", product * 1.019))).Correct);
            Assert.True((await CheckAsync(exercise, 1, ("first", slopes[0]), ("product", product * 0.981))).Correct);
            Assert.False((await CheckAsync(exercise, 1, ("first", slopes[0]), ("product", product * 1.021))).Correct);
            double roundedProduct = slopes.Select(v => Significant(v, 3)).Aggregate(1.0, (p, v) => p * v);
            Assert.True((await CheckAsync(exercise, 1, ("first", Round(slopes[0], 3)), ("product", Significant(roundedProduct, 3)))).Correct, $"seed {seed}");

            var cases = new (string Code, double First, double Product)[]
            {
                ("value-instead-of-derivative", slopes[0], z.Select(Sigmoid).Aggregate(1.0, (p, v) => p * v)),
                ("value-instead-of-derivative", Sigmoid(z[0]), product),
                ("summed-not-multiplied", slopes[0], slopes.Sum()),
                ("peak-slope", slopes[0], Math.Pow(0.25, 5)),
                ("missed-a-factor", slopes[0], product / slopes[2]),
                ("formula-on-z", slopes[0], z.Select(v => v * (1 - v)).Aggregate(1.0, (p, v) => p * v)),
            };
            foreach (var (code, first, p) in cases)
            {
                var verdict = await CheckAsync(exercise, 1, ("first", first), ("product", p));
                Assert.False(verdict.Correct);
                Assert.Equal(code, verdict.Mistake);
            }

            var third = await CheckAsync(exercise, 3, ("first", 0.5), ("product", 0.5));
            foreach (double s in slopes)
            {
                AssertShows(third.Solution, s);
            }

            Assert.Equal("w-depth", third.See!.Anchor);
        }
    }

    [Fact]
    public async Task Backprop_answers_match_float64_backprop_and_a_finite_difference_of_the_loss()
    {
        int bce = 0, sigmoidHidden = 0;
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m8-backprop", seed);
            var n = ReadNetwork(exercise);
            bce += n.Bce ? 1 : 0;
            sigmoidHidden += n.Sigmoid ? 1 : 0;

            // The gradient as the loss's slope: a central difference in float64.
            double h = 1e-6;
            double numeric = (n.Loss(n.W1j(h)) - n.Loss(n.W1j(-h))) / (2 * h);
            Assert.Equal(n.Dw, numeric, 6);

            var right = await CheckAsync(exercise, 1, ("dzOut", n.DzOut), ("dw", n.Dw));
            Assert.True(right.Correct, $"seed {seed}: {right.Feedback}");
            AssertShows(right.Solution, n.DzOut);
            AssertShows(right.Solution, n.Dw);
            AssertShows(right.Solution, n.Zh[n.J]);

            // Worked by hand with every intermediate rounded to 4 decimals, as the prompt suggests.
            double dz4 = Round(n.DzOut, 4), slope4 = Round(n.Slope(n.Zh[n.J]), 4);
            var rounded = await CheckAsync(exercise, 1, ("dzOut", Round(dz4, 3)), ("dw", Round(Round(dz4 * n.W2[n.J], 4) * slope4 * n.X[n.I], 3)));
            Assert.True(rounded.Correct, $"seed {seed}: {rounded.Feedback}");
        }

        Assert.InRange(bce, 8, 32);
        Assert.InRange(sigmoidHidden, 8, 32);
    }

    [Fact]
    public async Task Backprop_mistakes_are_recognised()
    {
        var seen = new HashSet<string>();
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m8-backprop", seed);
            var n = ReadNetwork(exercise);
            double dz = n.DzOut, dw = n.Dw, slope = n.Slope(n.Zh[n.J]), w2 = n.W2[n.J], x = n.X[n.I];
            int oj = 1 - n.J;
            var cases = new List<(string Code, double Dz, double Dw)>
            {
                ("wrong-sign", -dz, -dw),
                ("wrong-sign", dz, -dw),
                ("forgot-activation-derivative", dz, dz * w2 * x),
                ("value-instead-of-derivative", dz, dz * w2 * n.H[n.J] * x),
                ("forgot-input-factor", dz, dz * w2 * slope),
                ("second-layer-weight", dz, dz * n.H[n.J]),
                ("wrong-weight", dz, dz * n.W2[oj] * n.Slope(n.Zh[oj]) * x),
                ("follows-wrong-dz", dz + 0.3, (dz + 0.3) * w2 * slope * x),
            };
            double yHat = n.YHat;
            if (n.Bce)
            {
                cases.Add(("extra-output-derivative", dz * yHat * (1 - yHat), dw));
                cases.Add(("forgot-output-derivative", (yHat - n.Y) / (yHat * (1 - yHat)), dw));
            }
            else
            {
                cases.Add(("forgot-factor-two", dz / 2, dw / 2));
            }

            foreach (var (code, mz, mw) in cases)
            {
                var verdict = await CheckAsync(exercise, 1, ("dzOut", mz), ("dw", mw));
                Assert.False(verdict.Correct);
                Assert.True(code == verdict.Mistake, $"seed {seed}: expected {code}, got {verdict.Mistake}: {verdict.Feedback}");
                seen.Add(code);
            }
        }

        Assert.Contains("extra-output-derivative", seen);
        Assert.Contains("forgot-factor-two", seen);
    }

    [Fact]
    public async Task Backprop_hints_step_and_the_solution_follows_the_third_wrong_try()
    {
        var exercise = Generate("m8-backprop", 2);
        var n = ReadNetwork(exercise);
        var hints = Numeric(exercise).Hints;
        Assert.Equal(hints[0], (await CheckAsync(exercise, 1, ("dzOut", 5), ("dw", 5))).Hint);
        var second = await CheckAsync(exercise, 2, ("dzOut", 5), ("dw", 5));
        Assert.Equal(hints[1], second.Hint);
        Assert.Null(second.Solution);
        var third = await CheckAsync(exercise, 3, ("dzOut", 5), ("dw", 5));
        AssertShows(third.Solution, n.Zh[0]);
        AssertShows(third.Solution, n.Zh[1]);
        AssertShows(third.Solution, n.YHat);
        AssertShows(third.Solution, n.Dw);
        Assert.Equal("w-backprop", third.See!.Anchor);
    }

    private static string Three(double value) => value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture).Replace("-", "\u2212", StringComparison.Ordinal);

    private static double Significant(double value, int digits)
    {
        double scale = Math.Pow(10, digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value))));
        return Math.Round(value * scale) / scale;
    }

    private static (double[] W1, double[] B1, double[] W2, double B2) ReadCollapse(Exercise exercise)
    {
        string html = exercise.PromptHtml;
        return (Given(html, Indexed("W", 1)), Given(html, Indexed("b", 1)), Given(html, Indexed("W", 2)), One(html, Indexed("b", 2)));
    }

    private static Network ReadNetwork(Exercise exercise)
    {
        string html = exercise.PromptHtml;
        var place = WeightPlace().Match(html);
        return new Network(
            Given(html, "<mi>x</mi>"), Given(html, Indexed("W", 1)), Given(html, Indexed("b", 1)), Given(html, Indexed("W", 2)), One(html, Indexed("b", 2)), One(html, "<mi>y</mi>"),
            html.Contains("two sigmoid units", StringComparison.Ordinal),
            html.Contains("binary cross-entropy", StringComparison.Ordinal),
            int.Parse(place.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) - 1,
            int.Parse(place.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) - 1);
    }

    [GeneratedRegex(@"row (\d), column (\d) of W₁")]
    private static partial Regex WeightPlace();

    /// <summary>A 2-2-1 network in float64; W1 row-major [j, i].</summary>
    private sealed record Network(double[] X, double[] W1, double[] B1, double[] W2, double B2, double Y, bool Sigmoid, bool Bce, int J, int I)
    {
        public double[] Zh => HiddenZ(W1);

        public double[] H => [.. Zh.Select(F)];

        public double YHat => Output(W1);

        public double DzOut => Bce ? YHat - Y : 2 * (YHat - Y);

        public double Dw => DzOut * W2[J] * Slope(Zh[J]) * X[I];

        public double F(double z) => Sigmoid ? ExercisesKit.Sigmoid(z) : Math.Tanh(z);

        public double Slope(double z) => Sigmoid ? SigmoidSlope(z) : TanhSlope(z);

        /// <summary>W1 with the asked weight moved by <paramref name="delta"/>.</summary>
        public double[] W1j(double delta)
        {
            double[] w = [.. W1];
            w[J * 2 + I] += delta;
            return w;
        }

        public double Loss(double[] w1)
        {
            double yHat = Output(w1);
            return Bce ? -(Y * Math.Log(yHat) + (1 - Y) * Math.Log(1 - yHat)) : (yHat - Y) * (yHat - Y);
        }

        private double[] HiddenZ(double[] w1) => [w1[0] * X[0] + w1[1] * X[1] + B1[0], w1[2] * X[0] + w1[3] * X[1] + B1[1]];

        private double Output(double[] w1)
        {
            var h = HiddenZ(w1).Select(F).ToArray();
            double z = W2[0] * h[0] + W2[1] * h[1] + B2;
            return Bce ? ExercisesKit.Sigmoid(z) : z;
        }
    }
}
