using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesForwardTests;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>Every exercise of course.json whose kind is built here: generation over many seeds, determinism, seeds.</summary>
public sealed class ExercisesGenerationTests
{
    public static TheoryData<string> ByHand => new(Course.Modules.SelectMany(m => m.Exercises)
        .Where(e => ExerciseKinds.ByHand.Any(k => k.Kind == e.Kind)).Select(e => e.Id));

    [Theory]
    [MemberData(nameof(ByHand))]
    public void Two_hundred_seeds_generate_without_throwing_and_with_finite_answers(string id)
    {
        foreach (ulong seed in Seeds(200))
        {
            var exercise = Generate(id, seed);
            Assert.False(string.IsNullOrWhiteSpace(exercise.PromptHtml));
            Assert.NotEmpty(exercise.Fields);
            if (exercise.Solution is NumericSolution numeric)
            {
                Assert.All(numeric.Answers, a => Assert.True(double.IsFinite(a.Exact) && a.Tolerance > 0, $"{id} seed {seed}: {a.Field} = {a.Exact}"));
                Assert.Equal(numeric.Answers.Select(a => a.Field), exercise.Fields.Select(f => f.Name));
                Assert.All(exercise.Fields, f => Assert.Equal("number", f.Type));
                Assert.Equal(2, numeric.Hints.Count);
                Assert.False(string.IsNullOrWhiteSpace(numeric.Worked));
                Assert.DoesNotContain("NaN", exercise.PromptHtml, StringComparison.Ordinal);
                Assert.DoesNotContain("NaN", numeric.Worked, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ByHand))]
    public void The_same_seed_gives_the_same_exercise_and_different_learners_get_different_numbers(string id)
    {
        var first = Generate(id, ExerciseSeed.For(1, id, 0));
        var again = Generate(id, ExerciseSeed.For(1, id, 0));
        Assert.Equal(first.PromptHtml, again.PromptHtml);
        Assert.Equal(Options(first), Options(again));

        // Different learners (and variants) see different numbers or wordings; among ten, nearly all differ.
        var others = Enumerable.Range(2, 10).Select(learner => Generate(id, ExerciseSeed.For(learner, id, 0)));
        Assert.True(others.Count(o => o.PromptHtml + Options(o) != first.PromptHtml + Options(first)) >= 5);
        Assert.NotEqual(first.PromptHtml + Options(first), Generate(id, ExerciseSeed.For(1, id, 1)).PromptHtml + Options(Generate(id, ExerciseSeed.For(1, id, 1))));
    }

    [Fact]
    public void The_seed_is_the_first_8_bytes_of_SHA_256_of_learner_exercise_and_variant()
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("42\nm2-forward-sigmoid\n3"));
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(hash), ExerciseSeed.For(42, "m2-forward-sigmoid", 3));
        Assert.NotEqual(ExerciseSeed.For(42, "m2-forward-sigmoid", 3), ExerciseSeed.For(43, "m2-forward-sigmoid", 3));
    }

    [Fact]
    public void Every_concept_question_of_the_course_is_in_the_bank_and_every_kind_of_the_course_is_known()
    {
        var definitions = Course.Modules.SelectMany(m => m.Exercises).ToList();
        Assert.All(definitions.Where(d => d.Kind == "concept"), d => Assert.NotNull(ConceptQuestions.Find(d.Text("question", ""))));
        var known = ExerciseKinds.ByHand.Select(k => k.Kind).Concat(["make-it-learn", "fix-network"]).ToHashSet();
        Assert.All(definitions, d => Assert.Contains(d.Kind, known));
    }

    [Fact]
    public void A_course_exercise_whose_kind_is_not_registered_is_a_clear_404()
    {
        var kinds = new ExerciseKinds(ExerciseKinds.ByHand);
        var refusal = Assert.Throws<WebRequestException>(() => kinds.For(Definition("m1-learn-xor")));
        Assert.Equal(404, refusal.Status);
        Assert.Contains("not available in this build", refusal.Message, StringComparison.Ordinal);
        Assert.Same(ExerciseKinds.ByHand[0], kinds.For(Definition("m2-forward-sigmoid")));
    }

    [Fact]
    public void Two_kinds_with_one_name_are_refused_when_the_registry_is_built()
    {
        Assert.Throws<InvalidOperationException>(() => new ExerciseKinds([new ForwardKind(), new ForwardKind()]));
    }

    private static string Options(Exercise exercise) =>
        string.Join("|", exercise.Fields.SelectMany(f => f.Options ?? []).Select(o => o.Label));
}
