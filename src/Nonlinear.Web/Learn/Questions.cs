using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Learn;

/// <summary>Reads the common questions (Learn/Content/questions.json) and renders their answers.</summary>
internal static class Questions
{
    /// <summary>The common questions in the file's order, each answer rendered from Markdown.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or malformed (a course bug; the message says where).</exception>
    public static IReadOnlyList<CommonQuestion> Load()
    {
        var entries = CourseContent.ReadArray<QuestionFileEntry>("questions.json");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var questions = new List<CommonQuestion>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (string.IsNullOrWhiteSpace(e.Id) || string.IsNullOrWhiteSpace(e.Question) || string.IsNullOrWhiteSpace(e.Answer))
            {
                throw new InvalidOperationException($"questions.json, entry {i + 1}: id, question and answer are required.");
            }

            if (!ids.Add(e.Id))
            {
                throw new InvalidOperationException($"questions.json, entry {i + 1}: the id '{e.Id}' is used twice.");
            }

            string html = LessonRenderer.ToHtml(e.Answer);
            questions.Add(new CommonQuestion(e.Id, e.Question, html, LessonRenderer.PlainText(html), e.See));
        }

        return questions;
    }

    private sealed record QuestionFileEntry(string Id, string Question, string Answer, SeeAlso? See);
}
