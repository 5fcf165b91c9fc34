using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Learn;

/// <summary>One of the nine modules as course.json lists it.</summary>
/// <param name="Id">"m1".."m9": the key of progress, threads and links (/learn/m3).</param>
/// <param name="Number">1-9, the order.</param>
/// <param name="Title">The module's title.</param>
/// <param name="Summary">One sentence for the course overview.</param>
/// <param name="Lesson">The lesson's Markdown file in Learn/Content.</param>
/// <param name="Code">The base name of its code panel files in Learn/Content/code (.cs, .sh, .py).</param>
/// <param name="Exercises">The module's exercises in order; the module is complete when all are solved.</param>
internal sealed record CourseModule(string Id, int Number, string Title, string Summary, string Lesson, string Code, IReadOnlyList<ExerciseDefinition> Exercises);
