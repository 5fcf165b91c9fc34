using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>The "forward" kind for sigmoid, tanh, ReLU and Leaky ReLU: numbers read from the prompt, answers computed in float64.</summary>
public sealed class ExercisesForwardTests
{
    private const double Tolerance = 0.001;

    public static TheoryData<string> Neurons => new() { "m2-forward-sigmoid", "m3-forward-tanh", "m4-forward-relu", "m5-forward-leaky" };

    [Theory]
    [MemberData(nameof(Neurons))]
    public async Task The_right_answer_computed_in_float64_is_accepted_and_shows_the_worked_solution(string id)
    {
        foreach (ulong seed in Seeds(25))
        {
            var exercise = Generate(id, seed);
            var n = Read(exercise);
            var verdict = await CheckAsync(exercise, 1, ("z", n.Z), ("a", n.A));
            Assert.True(verdict.Correct, $"seed {seed}: {verdict.Feedback}");
            Assert.Null(verdict.Mistake);
            AssertShows(verdict.Solution, n.Z);
            AssertShows(verdict.Solution, n.A);
        }
    }

    [Theory]
    [MemberData(nameof(Neurons))]
    public async Task Answers_worked_with_z_rounded_to_3_decimals_are_accepted(string id)
    {
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate(id, seed);
            var n = Read(exercise);
            double z = Round(n.Z, 3);
            var verdict = await CheckAsync(exercise, 1, ("z", z), ("a", Round(n.F(z), 3)));
            Assert.True(verdict.Correct, $"seed {seed}: {verdict.Feedback}");
        }
    }

    [Theory]
    [MemberData(nameof(Neurons))]
    public async Task Tolerance_holds_at_its_edge_for_each_field(string id)
    {
        foreach (ulong seed in Seeds(10))
        {
            var exercise = Generate(id, seed);
            var n = Read(exercise);
            Assert.True((await CheckAsync(exercise, 1, ("z", n.Z + 0.95 * Tolerance), ("a", n.A))).Correct);
            Assert.True((await CheckAsync(exercise, 1, ("z", n.Z), ("a", n.A - 0.95 * Tolerance))).Correct);
            var zOff = await CheckAsync(exercise, 1, ("z", n.Z + 1.05 * Tolerance), ("a", n.A));
            Assert.False(zOff.Correct);
            Assert.False(zOff.Fields["z"]);
            Assert.True(zOff.Fields["a"]);
            var aOff = await CheckAsync(exercise, 1, ("z", n.Z), ("a", n.A + 1.05 * Tolerance));
            Assert.False(aOff.Correct);
            Assert.False(aOff.Fields["a"]);
        }
    }

    [Theory]
    [InlineData("m2-forward-sigmoid", "forgot-bias")]
    [InlineData("m2-forward-sigmoid", "missed-term")]
    [InlineData("m2-forward-sigmoid", "forgot-activation")]
    [InlineData("m2-forward-sigmoid", "derivative-instead-of-value")]
    [InlineData("m2-forward-sigmoid", "wrong-sign")]
    [InlineData("m2-forward-sigmoid", "follows-wrong-z")]
    [InlineData("m3-forward-tanh", "forgot-bias")]
    [InlineData("m3-forward-tanh", "forgot-activation")]
    [InlineData("m3-forward-tanh", "derivative-instead-of-value")]
    [InlineData("m3-forward-tanh", "wrong-sign")]
    [InlineData("m4-forward-relu", "forgot-bias")]
    [InlineData("m4-forward-relu", "relu-negative-input")]
    [InlineData("m5-forward-leaky", "forgot-bias")]
    [InlineData("m5-forward-leaky", "forgot-alpha")]
    [InlineData("m5-forward-leaky", "leaky-as-relu")]
    public async Task Each_mistake_is_recognised_with_the_learners_numbers(string id, string code)
    {
        int seen = 0;
        foreach (ulong seed in Seeds(60))
        {
            var exercise = Generate(id, seed);
            var n = Read(exercise);
            (double Z, double A)? mistaken = code switch
            {
                "forgot-bias" => (n.WX, n.F(n.WX)),
                "missed-term" => (n.Z - n.W[0] * n.X[0], n.F(n.Z - n.W[0] * n.X[0])),
                "forgot-activation" => (n.Z, n.Z),
                "derivative-instead-of-value" => (n.Z, n.Slope(n.Z)),
                "wrong-sign" => (n.Z, id.Contains("tanh", StringComparison.Ordinal) ? -Math.Tanh(n.Z) : Sigmoid(-n.Z)),
                "follows-wrong-z" => (n.Z + 0.7777, n.F(n.Z + 0.7777)),
                "relu-negative-input" or "forgot-alpha" when n.Z < 0 => (n.Z, n.Z),
                "leaky-as-relu" when n.Z < 0 => (n.Z, 0),
                _ => null,
            };
            if (mistaken is not { } answer)
            {
                continue;
            }

            seen++;
            var verdict = await CheckAsync(exercise, 1, ("z", answer.Z), ("a", answer.A));
            Assert.False(verdict.Correct);
            Assert.Equal(code, verdict.Mistake);
            Assert.DoesNotContain("Not yet", verdict.Feedback, StringComparison.Ordinal);
        }

        Assert.True(seen >= 10, $"only {seen} instances had the case");
    }

    [Fact]
    public async Task The_tutors_words_carry_the_learners_own_numbers()
    {
        var exercise = Generate("m2-forward-sigmoid", 7);
        var n = Read(exercise);
        var verdict = await CheckAsync(exercise, 1, ("z", n.WX), ("a", n.F(n.WX)));
        Assert.Equal("forgot-bias", verdict.Mistake);
        Assert.Contains(MathText(n.B), verdict.Feedback, StringComparison.Ordinal);
        Assert.Contains(MathText(Math.Round(n.WX, 6)), verdict.Feedback, StringComparison.Ordinal);
        Assert.Equal("w-sigmoid", verdict.See!.Anchor);
        Assert.Equal("m2", verdict.See.Module);
    }

    [Fact]
    public void ReLU_and_Leaky_ReLU_draw_negative_pre_activations_about_half_of_the_time()
    {
        foreach (string id in new[] { "m4-forward-relu", "m5-forward-leaky" })
        {
            int negative = Seeds(60).Count(seed => Read(Generate(id, seed)).Z < 0);
            Assert.InRange(negative, 15, 45);
        }
    }

    [Theory]
    [MemberData(nameof(Neurons))]
    public async Task Hints_come_in_steps_and_the_worked_solution_after_the_third_wrong_try(string id)
    {
        var exercise = Generate(id, 11);
        var n = Read(exercise);
        var hints = Numeric(exercise).Hints;
        var first = await CheckAsync(exercise, 1, ("z", n.Z + 0.5), ("a", n.A + 0.5));
        var second = await CheckAsync(exercise, 2, ("z", n.Z + 0.5), ("a", n.A + 0.5));
        var third = await CheckAsync(exercise, 3, ("z", n.Z + 0.5), ("a", n.A + 0.5));
        Assert.Equal(hints[0], first.Hint);
        Assert.Equal(hints[1], second.Hint);
        Assert.NotEqual(first.Hint, second.Hint);
        Assert.Null(first.Solution);
        Assert.Null(second.Solution);
        AssertShows(third.Solution, n.Z);
        AssertShows(third.Solution, n.A);
    }

    /// <summary>Seeds spread over 64 bits.</summary>
    internal static IEnumerable<ulong> Seeds(int count) => Enumerable.Range(1, count).Select(i => unchecked((ulong)i * 0x9E3779B97F4A7C15UL));

    /// <summary>Asserts the HTML shows <paramref name="value"/> to 4 decimals (either neighbour when float32 and float64 round apart).</summary>
    internal static void AssertShows(string? html, double value)
    {
        Assert.NotNull(html);
        Assert.True(
            html.Contains(Four(value), StringComparison.Ordinal) || html.Contains(Four(value + 5e-5), StringComparison.Ordinal) || html.Contains(Four(value - 5e-5), StringComparison.Ordinal),
            $"{Four(value)} is not in: {html}");
    }

    /// <summary>A given number as the tutor writes it (typographic minus).</summary>
    internal static string MathText(double value) =>
        value.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture).Replace("-", "\u2212", StringComparison.Ordinal);

    private static Neuron Read(Exercise exercise)
    {
        string html = exercise.PromptHtml;
        string activation = exercise.Definition.Text("activation", "");
        double alpha = activation == "leaky_relu" ? Alpha(html) : 0;
        return new Neuron(Given(html, "<mi>W</mi>"), Given(html, "<mi>x</mi>"), One(html, "<mi>b</mi>"), activation, alpha);
    }

    private sealed record Neuron(double[] W, double[] X, double B, string Activation, double Alpha)
    {
        public double WX => Dot(W, X);

        public double Z => WX + B;

        public double A => F(Z);

        public double F(double z) => Activation switch
        {
            "sigmoid" => Sigmoid(z),
            "tanh" => Math.Tanh(z),
            "relu" => Math.Max(0, z),
            _ => z > 0 ? z : Alpha * z,
        };

        public double Slope(double z) => Activation switch
        {
            "sigmoid" => SigmoidSlope(z),
            "tanh" => TanhSlope(z),
            "relu" => z > 0 ? 1 : 0,
            _ => z > 0 ? 1 : Alpha,
        };
    }
}
