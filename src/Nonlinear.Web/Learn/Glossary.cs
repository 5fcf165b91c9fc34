namespace Nonlinear.Web.Learn;

/// <summary>Reads the glossary (Learn/Content/glossary.json).</summary>
internal static class Glossary
{
    /// <summary>The glossary's terms in the file's order.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or malformed (a course bug; the message says where).</exception>
    public static IReadOnlyList<GlossaryEntry> Load()
    {
        var entries = CourseContent.ReadArray<GlossaryEntry>("glossary.json");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (string.IsNullOrWhiteSpace(e.Term) || string.IsNullOrWhiteSpace(e.Id) || string.IsNullOrWhiteSpace(e.Definition))
            {
                throw new InvalidOperationException($"glossary.json, entry {i + 1}: term, id and definition are required.");
            }

            if (!ids.Add(e.Id))
            {
                throw new InvalidOperationException($"glossary.json, entry {i + 1} ('{e.Term}'): the id '{e.Id}' is used twice.");
            }
        }

        return entries;
    }
}
