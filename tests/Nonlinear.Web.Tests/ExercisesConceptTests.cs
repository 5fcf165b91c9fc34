using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesForwardTests;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>The "concept" kind: shuffled options, the reason after every answer, the misconception named.</summary>
public sealed class ExercisesConceptTests
{
    public static TheoryData<string> Concepts => new(Course.Modules.SelectMany(m => m.Exercises).Where(e => e.Kind == "concept").Select(e => e.Id));

    [Theory]
    [MemberData(nameof(Concepts))]
    public async Task Exactly_one_option_is_right_and_the_reason_is_shown_after_a_right_or_wrong_answer(string id)
    {
        foreach (ulong seed in Seeds(20))
        {
            var exercise = Generate(id, seed);
            var field = Assert.Single(exercise.Fields);
            Assert.Equal("choice", field.Type);
            Assert.True(field.Options!.Count >= 3);
            Assert.Equal(field.Options.Count, field.Options.Select(o => o.Value).Distinct().Count());

            var verdicts = new List<Verdict>();
            foreach (var option in field.Options)
            {
                verdicts.Add(await CheckAsync(exercise, 1, new Dictionary<string, object> { ["choice"] = option.Value }));
            }

            Assert.Single(verdicts, v => v.Correct);
            Assert.All(verdicts, v => Assert.False(string.IsNullOrWhiteSpace(v.Reason)));
            Assert.All(verdicts, v => Assert.NotNull(v.See));
            Assert.All(verdicts.Where(v => !v.Correct), v => Assert.False(string.IsNullOrEmpty(v.Mistake)));
            Assert.All(verdicts.Where(v => !v.Correct), v => Assert.Null(v.Solution));
            Assert.NotNull(verdicts.Single(v => v.Correct).Solution);
        }
    }

    [Fact]
    public void Options_are_shuffled_by_the_seed_so_the_right_one_is_not_always_in_one_place()
    {
        var places = Seeds(40).Select(seed =>
        {
            var exercise = Generate("m2-concept-binary", seed);
            return exercise.Fields[0].Options!.ToList().FindIndex(o => o.Label.StartsWith("One unit with the sigmoid", StringComparison.Ordinal));
        }).ToList();
        Assert.DoesNotContain(-1, places);
        Assert.True(places.Distinct().Count() >= 3, string.Join(",", places));
    }

    [Fact]
    public async Task Output_and_loss_picks_the_task_from_the_seed_and_expects_its_pairing()
    {
        var expected = new Dictionary<string, string>
        {
            ["clothing"] = "Softmax over the outputs, with cross-entropy",
            ["spam"] = "One sigmoid output, with binary cross-entropy",
            ["price"] = "A linear (identity) output, with mean squared error",
            ["tags"] = "A sigmoid on each output, with binary cross-entropy on each",
        };
        var seen = new HashSet<string>();
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m9-concept-output-loss", seed);
            string task = expected.Keys.Single(k => exercise.PromptHtml.Contains(k switch { "clothing" => "clothing", "spam" => "spam", "price" => "price", _ => "tags a photo" }, StringComparison.Ordinal));
            seen.Add(task);
            var right = exercise.Fields[0].Options!.Single(o => o.Label == expected[task]);
            Assert.True((await CheckAsync(exercise, 1, new Dictionary<string, object> { ["choice"] = right.Value })).Correct, task);
        }

        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public async Task Softmax_for_a_multi_label_task_is_named_as_that_misconception()
    {
        foreach (ulong seed in Seeds(40))
        {
            var exercise = Generate("m9-concept-output-loss", seed);
            if (!exercise.PromptHtml.Contains("tags a photo", StringComparison.Ordinal))
            {
                continue;
            }

            var softmax = exercise.Fields[0].Options!.Single(o => o.Label.StartsWith("Softmax", StringComparison.Ordinal));
            var verdict = await CheckAsync(exercise, 1, new Dictionary<string, object> { ["choice"] = softmax.Value });
            Assert.False(verdict.Correct);
            Assert.Equal("softmax-for-multilabel", verdict.Mistake);
            Assert.Contains("compete", verdict.Feedback, StringComparison.Ordinal);
            return;
        }

        Assert.Fail("No seed drew the multi-label task.");
    }

    [Fact]
    public async Task A_choice_that_is_no_option_or_not_text_is_a_400_naming_the_field()
    {
        var exercise = Generate("m5-concept-dying", 1);
        foreach (object bad in new object[] { "z", 1, true })
        {
            var refusal = await Assert.ThrowsAsync<WebRequestException>(() => CheckAsync(exercise, 1, new Dictionary<string, object> { ["choice"] = bad }));
            Assert.Equal(400, refusal.Status);
            Assert.Contains("'choice'", refusal.Message, StringComparison.Ordinal);
        }

        var missing = await Assert.ThrowsAsync<WebRequestException>(() => CheckAsync(exercise, 1, new Dictionary<string, object>()));
        Assert.Contains("'choice'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_three_wrong_tries_the_right_option_is_shown()
    {
        var exercise = Generate("m7-concept-vanishing", 3);
        var solution = (ConceptSolution)exercise.Solution;
        string wrong = solution.WrongByValue.Keys.First();
        Assert.Null((await CheckAsync(exercise, 2, new Dictionary<string, object> { ["choice"] = wrong })).Solution);
        string? shown = (await CheckAsync(exercise, 3, new Dictionary<string, object> { ["choice"] = wrong })).Solution;
        Assert.Contains(solution.Variant.Right, shown, StringComparison.Ordinal);
    }
}
