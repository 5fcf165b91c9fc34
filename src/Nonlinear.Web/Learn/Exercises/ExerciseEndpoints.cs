using System.Text.Json;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The exercises of a signed-in learner: <c>GET /api/learn/exercises/{id}</c> (the current variant),
/// <c>POST .../answers</c> (checked, stored, answered by the tutor) and <c>POST .../next</c> (a new variant).
/// Any registered <see cref="IExerciseKind"/> is served alike.
/// </summary>
internal static class ExerciseEndpoints
{
    /// <summary>The largest answer body accepted (a playground hash or a model spec fits many times over).</summary>
    public const int MaxAnswerBytes = 16 * 1024;

    /// <summary>The mistake stored for a right answer given after the worked solution was shown (it does not solve the exercise).</summary>
    public const string AfterSolution = "solution-shown";

    /// <summary>Registers the kinds answered by hand and the registry every kind is found in.</summary>
    public static IServiceCollection AddExercises(this IServiceCollection services)
    {
        foreach (var kind in ExerciseKinds.ByHand)
        {
            services.AddSingleton(kind);
        }

        return services.AddSingleton<ExerciseKinds>();
    }

    public static void MapExercises(this WebApplication web)
    {
        var app = web.MapGroup("/api/learn/exercises").WithRefusals();
        app.MapGet("/{id}", (string id, HttpContext context, Course course, ExerciseKinds kinds, ProgressStore store) =>
        {
            var who = context.RequireLearner();
            var definition = course.Exercise(id);
            var kind = kinds.For(definition);
            var progress = store.Progress(who.LearnerId, definition.Id);
            var exercise = kind.Generate(definition, ExerciseSeed.For(who.LearnerId, definition.Id, progress.Variant));
            return View(exercise, progress);
        });

        app.MapPost("/{id}/next", (string id, HttpContext context, Course course, ExerciseKinds kinds, ProgressStore store) =>
        {
            var who = context.RequireLearner();
            var definition = course.Exercise(id);
            var kind = kinds.For(definition);
            store.NextVariant(who.LearnerId, definition.Id);
            var progress = store.Progress(who.LearnerId, definition.Id);
            var exercise = kind.Generate(definition, ExerciseSeed.For(who.LearnerId, definition.Id, progress.Variant));
            return View(exercise, progress);
        });

        app.MapPost("/{id}/answers", async (string id, HttpContext context, Course course, ExerciseKinds kinds, ProgressStore store) =>
        {
            var who = context.RequireLearner();
            var definition = course.Exercise(id);
            var kind = kinds.For(definition);
            var body = await RequestBody.ReadAsync<AnswerRequest>(context.Request, MaxAnswerBytes).ConfigureAwait(false);
            if (body.Variant is not { } variant)
            {
                throw WebRequestException.BadRequest("The answer has no 'variant': send the variant the exercise was shown with.");
            }

            if (body.Answers.ValueKind != JsonValueKind.Object)
            {
                throw WebRequestException.BadRequest("'answers' must be an object with one value per field, e.g. {\"z\": 0.53}.");
            }

            var progress = store.Progress(who.LearnerId, definition.Id);
            if (variant != progress.Variant)
            {
                throw ProgressStore.Stale(variant, progress.Variant);
            }

            var exercise = kind.Generate(definition, ExerciseSeed.For(who.LearnerId, definition.Id, variant));
            var answers = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in body.Answers.EnumerateObject())
            {
                answers[property.Name] = property.Value;
            }

            // A malformed answer throws its 400 here, before anything is stored: it does not count as a try.
            var verdict = await kind.CheckAsync(exercise, answers, progress.Attempts + 1, context.RequestAborted).ConfigureAwait(false);

            // After the worked solution was shown, copying it is not solving: the learner takes a fresh variant for that.
            bool copied = verdict.Correct && progress.SolutionShown;
            var recorded = store.Record(who.LearnerId, definition.Id, variant, body.Answers.GetRawText(), verdict.Correct && !copied, copied ? AfterSolution : verdict.Mistake);
            string feedback = copied
                ? verdict.Feedback + "<p>This variant's solution was shown before, so it does not count as solved: ask for new numbers and solve a fresh variant.</p>"
                : verdict.Feedback;
            return Results.Json(
                new
                {
                    correct = verdict.Correct,
                    fields = verdict.Fields,
                    mistake = copied ? AfterSolution : verdict.Mistake,
                    feedback,
                    hint = verdict.Hint,
                    solution = verdict.Solution,
                    reason = verdict.Reason,
                    see = verdict.See,
                    training = verdict.Training,
                    attempts = recorded.Attempts,
                    solved = recorded.Solved,
                    moduleComplete = recorded.ModuleComplete,
                },
                WebJson.Options);
        });
    }

    /// <summary>The exercise as the page shows it; the solution only once the variant is solved or its solution was shown.</summary>
    private static IResult View(Exercise exercise, VariantProgress progress) => Results.Json(
        new
        {
            id = exercise.Definition.Id,
            module = exercise.Definition.ModuleId,
            kind = exercise.Definition.Kind,
            title = exercise.Definition.Title,
            variant = progress.Variant,
            prompt = exercise.PromptHtml,
            fields = exercise.Fields.Select(Field),
            attempts = progress.Attempts,
            solved = progress.Solved,
            solution = progress.SolvedHere || progress.SolutionShown ? Solution(exercise) : null,
        },
        WebJson.Options);

    /// <summary>A field with only the keys its type uses.</summary>
    private static Dictionary<string, object?> Field(AnswerField field)
    {
        var view = new Dictionary<string, object?> { ["name"] = field.Name, ["label"] = field.Label, ["type"] = field.Type };
        if (field.Tolerance is { } tolerance)
        {
            view["tolerance"] = tolerance;
        }

        if (field.Options is { } options)
        {
            view["options"] = options;
        }

        if (field.Preset is { } preset)
        {
            view["preset"] = preset;
        }

        return view;
    }

    /// <summary>The worked solution of kinds that have one without a check (numeric and concept kinds).</summary>
    private static string? Solution(Exercise exercise) => exercise.Solution switch
    {
        NumericSolution numeric => numeric.Worked,
        ConceptSolution concept => $"<p>The answer: {concept.Options.First(o => o.Value == concept.RightValue).Label}</p>{concept.Variant.Reason}",
        _ => null,
    };

    /// <summary>The body of an answer: the variant it is for and the value per field.</summary>
    private sealed record AnswerRequest(int? Variant, JsonElement Answers);
}
