using System.Globalization;

namespace Nonlinear.Web.Learn;

/// <summary>
/// Search over the course, in memory: each lesson section (linked by its heading's anchor), each glossary term and
/// each common question. Case-insensitive; the whole query as a phrase ranks above all of its words scattered, and a
/// hit in a title or term above one in the text.
/// </summary>
internal sealed class SearchIndex
{
    /// <summary>The shortest query (one letter matches nearly everything).</summary>
    public const int MinQuery = 2;

    /// <summary>The longest query.</summary>
    public const int MaxQuery = 100;

    /// <summary>At most this many results.</summary>
    public const int MaxResults = 20;

    private const int SnippetLength = 180;
    private const int SnippetLead = 60;

    private readonly List<Entry> _entries = [];

    /// <summary>The index of <paramref name="lessons"/>, <paramref name="glossary"/> and <paramref name="questions"/>.</summary>
    public SearchIndex(IEnumerable<Lesson> lessons, IEnumerable<GlossaryEntry> glossary, IEnumerable<CommonQuestion> questions)
    {
        ArgumentNullException.ThrowIfNull(lessons);
        ArgumentNullException.ThrowIfNull(glossary);
        ArgumentNullException.ThrowIfNull(questions);
        foreach (var term in glossary)
        {
            Add("glossary", term.Term, [term.Term], term.Definition, $"/learn/glossary#{term.Id}");
        }

        foreach (var lesson in lessons)
        {
            var module = lesson.Module;
            string number = module.Number.ToString(CultureInfo.InvariantCulture);
            for (int i = 0; i < lesson.Sections.Count; i++)
            {
                var section = lesson.Sections[i];

                // The first section opens the module (its introduction, or the heading that titles the lesson), so the
                // module's title finds it whatever the lesson's own heading says.
                string heading = section.Heading.Length > 0 ? section.Heading : module.Title;
                string title = heading.Equals(module.Title, StringComparison.OrdinalIgnoreCase)
                    ? $"Module {number}: {module.Title}"
                    : $"Module {number}, {module.Title}: {heading}";
                string link = section.Anchor is null ? $"/learn/{module.Id}" : $"/learn/{module.Id}#{section.Anchor}";
                Add("lesson", title, i == 0 ? [heading, module.Title] : [heading], section.Text, link);
            }
        }

        foreach (var question in questions)
        {
            Add("question", question.Question, [question.Question], question.AnswerText, $"/learn/questions#{question.Id}");
        }
    }

    /// <summary>How many sections, terms and questions are indexed.</summary>
    public int Count => _entries.Count;

    /// <summary>The best matches for <paramref name="query"/> (at most <see cref="MaxResults"/>).</summary>
    /// <exception cref="WebRequestException">400: the query is missing or not 2-100 characters long.</exception>
    public IReadOnlyList<SearchResult> Find(string? query)
    {
        string phrase = string.Join(' ', (query ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (phrase.Length is < MinQuery or > MaxQuery)
        {
            throw WebRequestException.BadRequest(
                $"Search for {MinQuery}-{MaxQuery} characters (q = {phrase.Length.ToString(CultureInfo.InvariantCulture)} characters after trimming), e.g. /api/learn/search?q=sigmoid.");
        }

        string[] words = phrase.Split(' ').Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return _entries
            .Select(entry => (entry, score: Score(entry, phrase, words)))
            .Where(hit => hit.score > 0)
            .OrderByDescending(hit => hit.score)
            .ThenBy(hit => hit.entry.Order)
            .Take(MaxResults)
            .Select(hit => new SearchResult(hit.entry.Kind, hit.entry.Title, Snippet(hit.entry.Text, phrase, words), hit.entry.Link))
            .ToList();
    }

    /// <summary>
    /// 0 for no match. Tiers, best first: the title is the query; starts with it; contains it; contains every word;
    /// the text contains the query (more often ranks higher); title and text together contain every word.
    /// </summary>
    private static int Score(Entry entry, string phrase, string[] words)
    {
        int best = 0;
        foreach (string title in entry.MatchTitles)
        {
            best = Math.Max(best, TitleScore(title, phrase, words));
        }

        if (best > 0)
        {
            return best;
        }

        int occurrences = Occurrences(entry.Text, phrase);
        if (occurrences > 0)
        {
            return 400 + Math.Min(occurrences, 20);
        }

        if (words.Length > 1 && words.All(w => entry.Text.Contains(w, StringComparison.OrdinalIgnoreCase) || entry.MatchTitles.Any(t => t.Contains(w, StringComparison.OrdinalIgnoreCase))))
        {
            return 100 + Math.Min(words.Sum(w => Occurrences(entry.Text, w)), 20);
        }

        return 0;
    }

    private static int TitleScore(string title, string phrase, string[] words)
    {
        if (title.Equals(phrase, StringComparison.OrdinalIgnoreCase))
        {
            return 1000;
        }

        if (title.StartsWith(phrase, StringComparison.OrdinalIgnoreCase))
        {
            return 900;
        }

        if (title.Contains(phrase, StringComparison.OrdinalIgnoreCase))
        {
            return 800;
        }

        return words.Length > 1 && words.All(w => title.Contains(w, StringComparison.OrdinalIgnoreCase)) ? 700 : 0;
    }

    private static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }

    /// <summary>About <see cref="SnippetLength"/> characters of <paramref name="text"/> around the first match, cut at spaces.</summary>
    private static string Snippet(string text, string phrase, string[] words)
    {
        int at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
        for (int i = 0; at < 0 && i < words.Length; i++)
        {
            at = text.IndexOf(words[i], StringComparison.OrdinalIgnoreCase);
        }

        int start = Math.Max(0, at - SnippetLead);
        if (start > 0)
        {
            // Start at a word: the first space after the cut (unless that would skip the match).
            int space = text.IndexOf(' ', start);
            start = space >= 0 && space < at ? space + 1 : start;
        }

        int end = Math.Min(text.Length, start + SnippetLength);
        if (end < text.Length)
        {
            int space = text.LastIndexOf(' ', end);
            end = space > Math.Max(start, at + phrase.Length) ? space : end;
        }

        return (start > 0 ? "…" : "") + text[start..end].Trim() + (end < text.Length ? "…" : "");
    }

    private void Add(string kind, string title, string[] matchTitles, string text, string link) =>
        _entries.Add(new Entry(kind, title, matchTitles, text, link, _entries.Count));

    /// <summary>
    /// One searchable thing: <paramref name="MatchTitles"/> are what a title hit is (a heading, a term, a question);
    /// <paramref name="Order"/> (glossary, then lessons in course order, then questions) breaks ties.
    /// </summary>
    private sealed record Entry(string Kind, string Title, string[] MatchTitles, string Text, string Link, int Order);
}
