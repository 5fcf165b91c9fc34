using System.Reflection;
using System.Text.Json;
using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Learn;

/// <summary>The course: the nine modules and their exercises, read from the embedded Learn/Content/course.json.</summary>
internal sealed class Course
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, CourseModule> _modules;
    private readonly Dictionary<string, ExerciseDefinition> _exercises;

    private Course(IReadOnlyList<CourseModule> modules)
    {
        Modules = modules;
        _modules = modules.ToDictionary(m => m.Id, StringComparer.Ordinal);
        _exercises = modules.SelectMany(m => m.Exercises).ToDictionary(e => e.Id, StringComparer.Ordinal);
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<CourseModule> Modules { get; }

    /// <summary>The course as shipped in the assembly.</summary>
    public static Course Load()
    {
        using var stream = OpenContent("course.json");
        var file = JsonSerializer.Deserialize<CourseFile>(stream, Json) ?? throw new InvalidOperationException("course.json is empty.");
        var modules = file.Modules
            .Select(m => m with { Exercises = [.. m.Exercises.Select(e => e with { ModuleId = m.Id })] })
            .OrderBy(m => m.Number)
            .ToList();
        return new Course(modules);
    }

    /// <summary>An embedded content file (path relative to Learn/Content, '/' separated).</summary>
    /// <exception cref="FileNotFoundException">No such file is embedded.</exception>
    public static Stream OpenContent(string path) =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("learn/" + path)
        ?? throw new FileNotFoundException($"The course file {path} is not embedded in the assembly.", path);

    /// <summary>The module with <paramref name="id"/>, or a 404 the page shows.</summary>
    public CourseModule Module(string id) =>
        _modules.TryGetValue(id, out var module) ? module : throw WebRequestException.NotFound($"There is no module '{Truncate(id)}': the course has m1-m9.");

    /// <summary>The exercise with <paramref name="id"/>, or a 404 the page shows.</summary>
    public ExerciseDefinition Exercise(string id) =>
        _exercises.TryGetValue(id, out var exercise) ? exercise : throw WebRequestException.NotFound($"There is no exercise '{Truncate(id)}'.");

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private sealed record CourseFile(IReadOnlyList<CourseModule> Modules);
}
