using System.Text.Json;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Learn;

/// <summary>
/// A learner's progress: <c>GET /api/learn/progress</c> (per module and exercise), <c>GET .../export</c> (the
/// progress file, as a download) and <c>POST .../import</c> (that file merged into the signed-in learner).
/// </summary>
internal static class ProgressEndpoints
{
    private static readonly JsonSerializerOptions FileJson = new(WebJson.Options) { WriteIndented = true };

    public static void MapProgress(this WebApplication web)
    {
        var app = web.MapGroup("/api/learn/progress").WithRefusals();
        app.MapGet("", (HttpContext context, Course course, ProgressStore store) =>
        {
            var who = context.RequireLearner();
            return Results.Json(Summary(who, course, store), WebJson.Options);
        });

        app.MapGet("/export", (HttpContext context, ProgressStore store) =>
        {
            var who = context.RequireLearner();
            var file = store.Export(who.LearnerId, who.Name);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(file, FileJson);
            return Results.File(json, "application/json", $"nonlinear-progress-{DateTime.UtcNow:yyyy-MM-dd}.json");
        });

        app.MapPost("/import", async (HttpContext context, Course course, ProgressStore store, ServeOptions options) =>
        {
            var who = context.RequireLearner();

            // A progress file carries its own "correct" flags, so in a class it could claim work not done here; the
            // instructor's numbers must be what learners did on this server.
            if (options.Classroom)
            {
                throw new WebRequestException(StatusCodes.Status403Forbidden, "In a classroom, progress is earned on this server: importing a progress file is for your own machine ('nonlinear serve' without --classroom).");
            }

            var file = await RequestBody.ReadAsync<ProgressFile>(context.Request, ProgressFile.MaxBytes).ConfigureAwait(false);
            file.Validate(course);
            var (attempts, completions) = store.Import(who.LearnerId, file);
            return Results.Json(new { added = new { attempts, completions }, progress = Summary(who, course, store) }, WebJson.Options);
        });
    }

    private static object Summary(SignedIn who, Course course, ProgressStore store)
    {
        var solved = store.Solved(who.LearnerId);
        var attempts = store.AttemptCounts(who.LearnerId);
        var completed = store.Completed(who.LearnerId);
        var all = course.Modules.SelectMany(m => m.Exercises).ToList();
        return new
        {
            learner = new { id = who.LearnerId, name = who.Name },
            modules = course.Modules.Select(m => new
            {
                id = m.Id,
                title = m.Title,
                complete = completed.Contains(m.Id) || m.Exercises.All(e => solved.Contains(e.Id)),
                exercises = m.Exercises.Select(e => new { id = e.Id, title = e.Title, kind = e.Kind, solved = solved.Contains(e.Id), attempts = attempts.GetValueOrDefault(e.Id) }),
            }),
            solved = all.Count(e => solved.Contains(e.Id)),
            total = all.Count,
        };
    }
}
