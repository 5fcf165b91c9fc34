namespace Nonlinear.Web.Learn;

/// <summary>A module's lesson as served: rendered once at startup.</summary>
/// <param name="Module">The module as course.json lists it.</param>
/// <param name="Html">The lesson's HTML (trusted: MathML and widget elements kept).</param>
/// <param name="Sections">Its text per heading, for search.</param>
/// <param name="Code">The module's code panel.</param>
internal sealed record Lesson(CourseModule Module, string Html, IReadOnlyList<LessonSection> Sections, CodePanel Code);
