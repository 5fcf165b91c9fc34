using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Learn;

/// <summary>
/// The course as the page reads it: the overview with each module's progress, a module's lesson, code panel and
/// exercises, the glossary, the common questions and search (docs/learn-api.md, "Course"). Anonymous readers get
/// everything with nothing solved; a signed-in learner's solved exercises come from <see cref="ProgressStore"/>.
/// </summary>
internal static class CourseEndpoints
{
    public static void MapCourse(this WebApplication web)
    {
        var app = web.MapGroup("/api/learn").WithRefusals();

        app.MapGet("/course", (HttpContext context, Course course, ProgressStore progress) =>
        {
            var solved = Solved(context, progress);
            return Results.Json(
                new
                {
                    modules = course.Modules.Select(m =>
                    {
                        int done = m.Exercises.Count(e => solved.Contains(e.Id));
                        return new { id = m.Id, number = m.Number, title = m.Title, summary = m.Summary, exercises = m.Exercises.Count, solved = done, complete = done == m.Exercises.Count };
                    }),
                },
                WebJson.Options);
        });

        app.MapGet("/modules/{id}", (string id, HttpContext context, Course course, CourseContent content, ProgressStore progress) =>
        {
            var module = course.Module(id);
            var lesson = content.Lesson(module.Id);
            var solved = Solved(context, progress);
            int index = Enumerable.Range(0, course.Modules.Count).First(i => course.Modules[i].Id == module.Id);
            return Results.Json(
                new
                {
                    id = module.Id,
                    number = module.Number,
                    title = module.Title,
                    summary = module.Summary,
                    html = lesson.Html,
                    code = new { csharp = lesson.Code.CSharp, cli = lesson.Code.Cli, pytorch = lesson.Code.PyTorch },
                    exercises = module.Exercises.Select(e => new { id = e.Id, title = e.Title, kind = e.Kind, solved = solved.Contains(e.Id) }),
                    previous = index > 0 ? course.Modules[index - 1].Id : null,
                    next = index < course.Modules.Count - 1 ? course.Modules[index + 1].Id : null,
                },
                WebJson.Options);
        });

        app.MapGet("/glossary", (CourseContent content) => Results.Json(content.Glossary, WebJson.Options));

        app.MapGet("/questions", (CourseContent content) => Results.Json(content.Questions, WebJson.Options));

        app.MapGet("/search", (string? q, CourseContent content) => Results.Json(content.Search.Find(q), WebJson.Options));
    }

    private static IReadOnlySet<string> Solved(HttpContext context, ProgressStore progress) =>
        context.Learner() is { } learner ? progress.Solved(learner.LearnerId) : new HashSet<string>();
}
