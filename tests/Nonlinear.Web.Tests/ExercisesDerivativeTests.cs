using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesForwardTests;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>The "derivative" kind: f(z) and f′(z) for the four elementwise activations.</summary>
public sealed class ExercisesDerivativeTests
{
    public static TheoryData<string> Slopes => new() { "m2-derivative-sigmoid", "m3-derivative-tanh", "m4-derivative-relu", "m5-derivative-leaky" };

    [Theory]
    [MemberData(nameof(Slopes))]
    public async Task Value_and_slope_in_float64_are_accepted_also_from_a_rounded_value(string id)
    {
        foreach (ulong seed in Seeds(30))
        {
            var exercise = Generate(id, seed);
            var s = Read(exercise);
            var right = await CheckAsync(exercise, 1, ("value", s.Value), ("derivative", s.Slope));
            Assert.True(right.Correct, $"seed {seed}: {right.Feedback}");
            AssertShows(right.Solution, s.Value);

            // The slope worked from the value rounded to 3 decimals, as the prompt allows.
            double value = Round(s.Value, 3);
            double slope = s.Activation switch
            {
                "sigmoid" => value * (1 - value),
                "tanh" => 1 - value * value,
                _ => s.Slope,
            };
            Assert.True((await CheckAsync(exercise, 1, ("value", value), ("derivative", Round(slope, 3)))).Correct, $"seed {seed}");
            Assert.False((await CheckAsync(exercise, 1, ("value", s.Value), ("derivative", s.Slope + 0.0011))).Correct);
        }
    }

    [Theory]
    [InlineData("m2-derivative-sigmoid", "value-instead-of-derivative")]
    [InlineData("m2-derivative-sigmoid", "derivative-instead-of-value")]
    [InlineData("m2-derivative-sigmoid", "swapped-value-and-derivative")]
    [InlineData("m2-derivative-sigmoid", "formula-on-z")]
    [InlineData("m3-derivative-tanh", "value-instead-of-derivative")]
    [InlineData("m3-derivative-tanh", "derivative-instead-of-value")]
    [InlineData("m3-derivative-tanh", "formula-on-z")]
    [InlineData("m3-derivative-tanh", "forgot-square")]
    [InlineData("m4-derivative-relu", "relu-negative-input")]
    [InlineData("m4-derivative-relu", "wrong-branch")]
    [InlineData("m5-derivative-leaky", "forgot-alpha")]
    [InlineData("m5-derivative-leaky", "leaky-as-relu")]
    [InlineData("m5-derivative-leaky", "wrong-branch")]
    public async Task Each_mistake_is_recognised(string id, string code)
    {
        int seen = 0;
        foreach (ulong seed in Seeds(60))
        {
            var exercise = Generate(id, seed);
            var s = Read(exercise);
            double z = s.Z;
            (double Value, double Slope)? mistaken = code switch
            {
                "value-instead-of-derivative" => (s.Value, s.Value),
                "derivative-instead-of-value" => (s.Slope, s.Slope),
                "swapped-value-and-derivative" => (s.Slope, s.Value),
                "formula-on-z" => (s.Value, s.Activation == "sigmoid" ? z * (1 - z) : 1 - z * z),
                "forgot-square" => (s.Value, 1 - s.Value),
                "relu-negative-input" or "forgot-alpha" when z < 0 => (z, s.Slope),
                "leaky-as-relu" when z < 0 => (s.Value, 0),
                "wrong-branch" => (s.Value, z < 0 ? 1 : s.Activation == "relu" ? 0 : s.Alpha),
                _ => null,
            };
            if (mistaken is not { } answer)
            {
                continue;
            }

            seen++;
            var verdict = await CheckAsync(exercise, 1, ("value", answer.Value), ("derivative", answer.Slope));
            Assert.False(verdict.Correct);
            Assert.Equal(code, verdict.Mistake);
        }

        Assert.True(seen >= 10, $"only {seen} instances had the case");
    }

    [Fact]
    public async Task The_slope_solution_shows_the_value_and_the_slope_after_three_wrong_tries()
    {
        var exercise = Generate("m2-derivative-sigmoid", 4);
        var s = Read(exercise);
        var hints = Numeric(exercise).Hints;
        Assert.Equal(hints[0], (await CheckAsync(exercise, 1, ("value", 0.9), ("derivative", 0.9))).Hint);
        Assert.Equal(hints[1], (await CheckAsync(exercise, 2, ("value", 0.9), ("derivative", 0.9))).Hint);
        var third = await CheckAsync(exercise, 3, ("value", 0.9), ("derivative", 0.9));
        AssertShows(third.Solution, s.Value);
        AssertShows(third.Solution, s.Slope);
        AssertShows(third.Solution, 1 - s.Value);
    }

    private static Point Read(Exercise exercise)
    {
        string html = exercise.PromptHtml;
        string activation = exercise.Definition.Text("activation", "");
        return new Point(One(html, "<mi>z</mi>"), activation, activation == "leaky_relu" ? Alpha(html) : 0);
    }

    private sealed record Point(double Z, string Activation, double Alpha)
    {
        public double Value => Activation switch
        {
            "sigmoid" => Sigmoid(Z),
            "tanh" => Math.Tanh(Z),
            "relu" => Math.Max(0, Z),
            _ => Z > 0 ? Z : Alpha * Z,
        };

        public double Slope => Activation switch
        {
            "sigmoid" => SigmoidSlope(Z),
            "tanh" => TanhSlope(Z),
            "relu" => Z > 0 ? 1 : 0,
            _ => Z > 0 ? 1 : Alpha,
        };
    }
}
