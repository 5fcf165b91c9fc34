using System.Text.Json;

namespace Nonlinear.Web.Learn;

/// <summary>
/// Everything the course shows besides exercises, read and rendered once at startup: the nine lessons with their
/// code panels, the glossary, the common questions and the search index over all three.
/// </summary>
internal sealed class CourseContent
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private readonly Course _course;
    private readonly Dictionary<string, Lesson> _lessons;

    private CourseContent(Course course, IReadOnlyList<Lesson> lessons, IReadOnlyList<GlossaryEntry> glossary, IReadOnlyList<CommonQuestion> questions)
    {
        _course = course;
        Lessons = lessons;
        _lessons = lessons.ToDictionary(l => l.Module.Id, StringComparer.Ordinal);
        Glossary = glossary;
        Questions = questions;
        Search = new SearchIndex(lessons, glossary, questions);
    }

    /// <summary>The lessons in course order.</summary>
    public IReadOnlyList<Lesson> Lessons { get; }

    /// <summary>The glossary's terms.</summary>
    public IReadOnlyList<GlossaryEntry> Glossary { get; }

    /// <summary>The common questions.</summary>
    public IReadOnlyList<CommonQuestion> Questions { get; }

    /// <summary>Search over the lessons, the glossary and the questions.</summary>
    public SearchIndex Search { get; }

    /// <summary>
    /// Reads and renders every lesson and code panel that <paramref name="course"/> names, the glossary and the
    /// questions.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A file is missing or malformed: a course bug, so the server refuses to start and the message names the file
    /// (the tests start the app and catch it).
    /// </exception>
    public static CourseContent Load(Course course) => Load(course, Course.OpenContent);

    /// <summary>As <see cref="Load(Course)"/>, reading the lessons with <paramref name="open"/> (tests replace a file).</summary>
    internal static CourseContent Load(Course course, Func<string, Stream> open)
    {
        ArgumentNullException.ThrowIfNull(course);
        ArgumentNullException.ThrowIfNull(open);
        var lessons = new List<Lesson>(course.Modules.Count);
        foreach (var module in course.Modules)
        {
            string markdown;
            try
            {
                using var stream = open(module.Lesson);
                using var reader = new StreamReader(stream);
                markdown = reader.ReadToEnd();
            }
            catch (FileNotFoundException e)
            {
                throw new InvalidOperationException($"Module {module.Id} ('{module.Title}'): its lesson Learn/Content/{module.Lesson}, named by course.json, is missing.", e);
            }

            var (html, sections) = LessonRenderer.Render(markdown);
            lessons.Add(new Lesson(module, html, sections, CodePanel.Load(module.Code)));
        }

        return new CourseContent(course, lessons, Learn.Glossary.Load(), Learn.Questions.Load());
    }

    /// <summary>The lesson of module <paramref name="id"/>, or the course's 404 for an unknown module.</summary>
    public Lesson Lesson(string id) => _lessons[_course.Module(id).Id];

    /// <summary>A JSON array of <typeparamref name="T"/> from the content file <paramref name="file"/>.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or is not such an array.</exception>
    internal static List<T> ReadArray<T>(string file)
    {
        try
        {
            using var stream = Course.OpenContent(file);
            return JsonSerializer.Deserialize<List<T>>(stream, Json) ?? throw new InvalidOperationException($"Learn/Content/{file} is null; expected an array.");
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException($"The course file Learn/Content/{file} is missing.", e);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Learn/Content/{file} is not valid: {e.Message}", e);
        }
    }
}
