using Nonlinear.Data.Sequences;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Models;

/// <summary>
/// <see cref="WordSampler"/> on bigram models (<c>embedding:27:27</c>: the logits at a step are the weight row of
/// the symbol read there), whose next-symbol logits are known exactly.
/// </summary>
public sealed class WordSamplerTests
{
    private const int K = CharacterVocabulary.SymbolCount;

    private static readonly double[] Temperatures = [3, 2, 1.5, 1, 0.8, 0.5, 0.3, 0.1, 0.03];

    /// <summary>A bigram model over T steps with weights N(0, 1) scaled by <paramref name="scale"/> (seeded).</summary>
    private static Sequential Bigram(int steps = 10, int seed = 1, float scale = 2)
    {
        var model = Sequential.Parse($"embedding:{K}:{K}");
        model.Build(new TensorShape(steps), seed);
        var w = model.Parameters[0].Value.Span;
        for (int i = 0; i < w.Length; i++)
        {
            w[i] *= scale;
        }

        return model;
    }

    private static float[] Row(Sequential model, int id) => model.Parameters[0].Value.Span.Slice(id * K, K).ToArray();

    [Fact]
    public void The_logits_are_read_at_the_step_after_the_prefix()
    {
        var model = Bigram();
        var sampler = new WordSampler(model);
        Assert.Equal(10, sampler.Steps);
        Assert.Equal(Row(model, CharacterVocabulary.Boundary), sampler.NextLogits(""));
        Assert.Equal(Row(model, CharacterVocabulary.Id('q')), sampler.NextLogits("zq"));
    }

    [Fact]
    public void Distributions_sum_to_one_and_match_softmax_of_z_over_t_in_float64()
    {
        var sampler = new WordSampler(Bigram(scale: 4));
        foreach (string prefix in new[] { "", "th", "x" })
        {
            var z = sampler.NextLogits(prefix);
            foreach (double t in Temperatures)
            {
                var p = sampler.NextDistribution(prefix, t);
                double max = z.Max(v => (double)v) / t;
                var e = z.Select(v => Math.Exp((v / t) - max)).ToArray();
                double sum = e.Sum();
                for (int i = 0; i < K; i++)
                {
                    double expected = e[i] / sum;
                    Assert.True(Math.Abs(p[i] - expected) <= 1e-7 + (2e-6 * expected), $"'{prefix}' T={t}: p[{i}] = {p[i]:R}, reference {expected:R}");
                }

                Assert.Equal(1, p.Sum(v => (double)v), 1e-6);
            }
        }
    }

    [Fact]
    public void Entropy_falls_monotonically_as_the_temperature_falls()
    {
        var sampler = new WordSampler(Bigram());
        var entropies = Temperatures.Select(t => WordSampler.Entropy(sampler.NextDistribution("", t))).ToArray();
        for (int i = 1; i < entropies.Length; i++)
        {
            Assert.True(entropies[i] < entropies[i - 1], $"H(T={Temperatures[i]}) = {entropies[i]} is not below H(T={Temperatures[i - 1]}) = {entropies[i - 1]}");
        }

        Assert.InRange(entropies[0], 0, Math.Log(K));

        // Colder than 1/30 of the gap between the two largest logits: the runner-up has e^-30 of the mass.
        var z = sampler.NextLogits("").OrderDescending().ToArray();
        double cold = WordSampler.Entropy(sampler.NextDistribution("", (z[0] - z[1]) / 30));
        Assert.True(cold < 1e-10, $"H = {cold}");
        Assert.Equal(0, WordSampler.Entropy(sampler.NextDistribution("", 0)));
    }

    [Fact]
    public void Entropy_is_in_nats()
    {
        Assert.Equal(Math.Log(4), WordSampler.Entropy([0.25f, 0.25f, 0.25f, 0.25f]), 1e-12);
        Assert.Equal(0, WordSampler.Entropy([0f, 1f, 0f]));
    }

    [Fact]
    public void Temperature_zero_is_the_arg_max_and_a_tiny_temperature_samples_the_same_words()
    {
        var model = Bigram(steps: 12);
        var sampler = new WordSampler(model);
        var p = sampler.NextDistribution("b", 0);
        int best = Array.IndexOf(Row(model, CharacterVocabulary.Id('b')), Row(model, CharacterVocabulary.Id('b')).Max());
        Assert.Equal(1f, p[best]);
        Assert.Equal(1f, p.Sum());

        // Greedy decoding by hand: follow the arg-max of each row from the boundary.
        var expected = new List<char>();
        int id = CharacterVocabulary.Boundary;
        while (expected.Count < 12)
        {
            var row = Row(model, id);
            id = Array.IndexOf(row, row.Max());
            if (id == CharacterVocabulary.Boundary)
            {
                break;
            }

            expected.Add(CharacterVocabulary.SymbolName(id));
        }

        var greedy = sampler.Sample(5, 0, seed: 1);
        Assert.All(greedy, w => Assert.Equal(new string([.. expected]), w.Text));
        var cold = sampler.Sample(5, 1e-4, seed: 7);
        Assert.Equal(greedy.Select(w => w.Text), cold.Select(w => w.Text));
    }

    [Fact]
    public void The_same_seed_gives_the_same_words_and_other_seeds_other_words()
    {
        var sampler = new WordSampler(Bigram(scale: 1));
        var a = sampler.Sample(20, 1, seed: 1).Select(w => w.Text).ToArray();
        var b = sampler.Sample(20, 1, seed: 1).Select(w => w.Text).ToArray();
        var c = sampler.Sample(20, 1, seed: 2).Select(w => w.Text).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(a.Distinct().Count() > 10, string.Join(" ", a));
    }

    [Fact]
    public void Words_hold_only_letters_start_with_the_prefix_and_end_at_the_boundary_or_at_t()
    {
        var sampler = new WordSampler(Bigram(steps: 6, scale: 1));
        var words = sampler.Sample(200, 1.5, seed: 3, prefix: "ca");
        Assert.All(words, w =>
        {
            Assert.Matches("^ca[a-z]*$", w.Text);
            Assert.InRange(w.Text.Length, 2, 6);
            Assert.Equal(w.Text.Length < 6, w.Ended);
        });
        Assert.Contains(words, w => w.Ended);
        Assert.Contains(words, w => !w.Ended);
    }

    [Fact]
    public void First_letters_are_drawn_with_the_models_probabilities()
    {
        // 6000 words of at most 1 letter: each first letter is a draw from softmax(W[boundary] / 0.8).
        var sampler = new WordSampler(Bigram(steps: 1, scale: 1));
        var p = sampler.NextDistribution("", 0.8);
        var words = sampler.Sample(6000, 0.8, seed: 5);
        for (int id = 0; id < K; id++)
        {
            int n = id == CharacterVocabulary.Boundary
                ? words.Count(w => w.Text.Length == 0)
                : words.Count(w => w.Text.Length == 1 && w.Text[0] == CharacterVocabulary.SymbolName(id));
            double expected = 6000 * p[id], sd = Math.Sqrt(6000 * p[id] * (1 - p[id]));
            Assert.True(Math.Abs(n - expected) <= (4.5 * sd) + 1, $"symbol {id}: {n} draws, expected {expected:F1} ± {sd:F1}");
        }
    }

    [Theory]
    [InlineData("Ab")]
    [InlineData("a1")]
    [InlineData("a b")]
    [InlineData("abcdefghij")]
    public void A_prefix_outside_a_z_or_too_long_is_rejected(string prefix)
    {
        var sampler = new WordSampler(Bigram(steps: 10));
        var e = Assert.Throws<ArgumentException>(() => sampler.Sample(1, 1, 1, prefix));
        Assert.Contains($"'{prefix}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_temperature_must_be_finite_and_not_negative(double t)
    {
        var sampler = new WordSampler(Bigram());
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(1, t, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.NextDistribution("", t));
    }

    [Fact]
    public void A_model_that_is_not_a_word_model_is_rejected_with_its_shapes()
    {
        var model = Sequential.Parse("dense:4,tanh,dense:3");
        model.Build(new TensorShape(2), 1);
        var e = Assert.Throws<ArgumentException>(() => new WordSampler(model));
        Assert.Contains("Not a character-level word model", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2]", e.Message, StringComparison.Ordinal);

        var wrongVocabulary = Sequential.Parse("embedding:27:10");
        wrongVocabulary.Build(new TensorShape(5), 1);
        Assert.Throws<ArgumentException>(() => new WordSampler(wrongVocabulary));
    }
}
