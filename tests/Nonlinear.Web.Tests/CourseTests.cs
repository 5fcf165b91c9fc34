using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The course as shipped: every lesson renders and names only known widgets, playground links in lessons read without
/// warnings, every glossary and question link lands on an element of its lesson, no lesson carries scripts, and the
/// course endpoints answer as docs/learn-api.md says (anonymous and signed in), refusing unknown ids and bad queries.
/// </summary>
public sealed partial class CourseTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    /// <summary>The widgets the page can mount (wwwroot/learn/widgets/&lt;name&gt;.js; docs/learn-api.md).</summary>
    private static readonly HashSet<string> KnownWidgets =
        ["activation", "forward221", "collapse", "softmax", "depth", "backprop221", "dying", "advisor", "playground"];

    private static readonly Course Course = Course.Load();

    private static readonly Lazy<CourseContent> Content = new(() => CourseContent.Load(Course));

    public static TheoryData<string> ModuleIds => [.. Course.Modules.Select(m => m.Id)];

    [Fact]
    public void The_course_has_nine_modules_in_order_with_unique_exercise_ids()
    {
        Assert.Equal(Enumerable.Range(1, 9), Course.Modules.Select(m => m.Number));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"m{i}"), Course.Modules.Select(m => m.Id));
        var ids = Course.Modules.SelectMany(m => m.Exercises).Select(e => e.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Course.Modules, m => Assert.NotEmpty(m.Exercises));
        Assert.All(Course.Modules.SelectMany(m => m.Exercises.Select(e => (m, e))), p => Assert.StartsWith(p.m.Id + "-", p.e.Id, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ModuleIds))]
    public async Task Every_module_renders_with_its_code_panel_and_exercises(string id)
    {
        using var client = factory.CreateClient();
        var module = await client.GetFromJsonAsync<JsonElement>($"/api/learn/modules/{id}");
        var expected = Course.Module(id);
        Assert.Equal(id, module.GetProperty("id").GetString());
        Assert.Equal(expected.Number, module.GetProperty("number").GetInt32());
        Assert.Equal(expected.Title, module.GetProperty("title").GetString());
        Assert.Equal(expected.Summary, module.GetProperty("summary").GetString());

        string html = module.GetProperty("html").GetString()!;
        Assert.Matches("<h[1-3] id=\"[^\"]+\">", html);
        Assert.DoesNotMatch(@"<p>\s*</p>", html);

        var code = module.GetProperty("code");
        string csharp = code.GetProperty("csharp").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(csharp));
        Assert.DoesNotContain("// <show>", csharp, StringComparison.Ordinal);
        Assert.DoesNotContain("// </show>", csharp, StringComparison.Ordinal);
        Assert.False(char.IsWhiteSpace(csharp[0]), "The shown C# is dedented.");
        Assert.Contains("nonlinear ", code.GetProperty("cli").GetString(), StringComparison.Ordinal);
        Assert.Contains("import torch", code.GetProperty("pytorch").GetString(), StringComparison.Ordinal);

        var exercises = module.GetProperty("exercises").EnumerateArray().ToList();
        Assert.Equal(expected.Exercises.Select(e => e.Id), exercises.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(expected.Exercises.Select(e => e.Kind), exercises.Select(e => e.GetProperty("kind").GetString()));
        Assert.All(exercises, e => Assert.False(e.GetProperty("solved").GetBoolean()));

        int index = Course.Modules.ToList().FindIndex(m => m.Id == id);
        Assert.Equal(index > 0 ? Course.Modules[index - 1].Id : null, module.GetProperty("previous").GetString());
        Assert.Equal(index < 8 ? Course.Modules[index + 1].Id : null, module.GetProperty("next").GetString());
    }

    [Theory]
    [MemberData(nameof(ModuleIds))]
    public void Every_widget_in_a_lesson_is_a_known_widget_with_an_id(string id)
    {
        var widgets = Widgets(Content.Value.Lesson(id).Html);
        Assert.NotEmpty(widgets);
        foreach (var widget in widgets)
        {
            Assert.True(widget.TryGetValue("data-widget", out string? name), $"{id}: a widget without data-widget: {Describe(widget)}");
            Assert.Contains(name, KnownWidgets);
            Assert.True(widget.TryGetValue("id", out string? elementId) && elementId.Length > 0, $"{id}: widget '{name}' has no id");
        }
    }

    [Theory]
    [MemberData(nameof(ModuleIds))]
    public void Ids_in_a_lesson_are_unique(string id)
    {
        var ids = Ids(Content.Value.Lesson(id).Html);
        var twice = ids.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{id}: ids used twice: {string.Join(", ", twice)}");
    }

    [Fact]
    public void Every_playground_widget_hash_reads_without_warnings()
    {
        var limits = new PlaygroundLimits();
        int count = 0;
        foreach (var lesson in Content.Value.Lessons)
        {
            foreach (var widget in Widgets(lesson.Html).Where(w => w.GetValueOrDefault("data-widget") == "playground"))
            {
                count++;
                Assert.True(widget.TryGetValue("data-hash", out string? hash) && hash.Length > 0, $"{lesson.Module.Id}: playground widget {widget.GetValueOrDefault("id")} has no data-hash");
                var state = PlaygroundState.Parse(hash, limits);
                Assert.True(state.Warnings.Count == 0, $"{lesson.Module.Id}, {widget.GetValueOrDefault("id")}: {string.Join(" ", state.Warnings)}");
            }
        }

        Assert.True(count > 0, "No lesson embeds a playground.");
    }

    [Fact]
    public void Every_glossary_and_question_link_lands_on_an_element_of_its_lesson()
    {
        Assert.NotEmpty(Content.Value.Glossary);
        Assert.NotEmpty(Content.Value.Questions);
        var links = Content.Value.Glossary.Select(g => (what: $"glossary '{g.Term}'", see: g.See))
            .Concat(Content.Value.Questions.Select(q => (what: $"question '{q.Id}'", see: q.See)));
        foreach (var (what, see) in links)
        {
            Assert.True(see is not null, $"{what} has no 'see'.");
            Assert.True(Course.Modules.Any(m => m.Id == see.Module), $"{what}: no module '{see.Module}'.");
            Assert.False(string.IsNullOrWhiteSpace(see.Label), $"{what}: the link has no label.");
            if (see.Anchor is not null)
            {
                Assert.True(Ids(Content.Value.Lesson(see.Module).Html).Contains(see.Anchor), $"{what}: no element id '{see.Anchor}' in {see.Module}'s lesson.");
            }
        }
    }

    [Fact]
    public void Glossary_ids_and_question_ids_are_unique()
    {
        Assert.Equal(Content.Value.Glossary.Count, Content.Value.Glossary.Select(g => g.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Content.Value.Questions.Count, Content.Value.Questions.Select(q => q.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void No_lesson_or_answer_carries_a_script_or_an_event_handler()
    {
        var documents = Content.Value.Lessons.Select(l => (name: l.Module.Lesson, html: l.Html))
            .Concat(Content.Value.Questions.Select(q => (name: $"questions.json '{q.Id}'", html: q.AnswerHtml)));
        foreach (var (name, html) in documents)
        {
            Assert.DoesNotMatch(new Regex("<\\s*script", RegexOptions.IgnoreCase), html);
            Assert.False(EventHandler().IsMatch(html), $"{name} has an on* attribute: {EventHandler().Match(html).Value}");
            Assert.False(ScriptUrl().IsMatch(html), $"{name} links to a javascript: URL.");
            Assert.DoesNotMatch(new Regex("<\\s*(iframe|object|embed|style)\\b", RegexOptions.IgnoreCase), html);
        }
    }

    [Theory]
    [MemberData(nameof(ModuleIds))]
    public void Formulas_stay_mathml_with_no_markdown_inside(string id)
    {
        string html = Content.Value.Lesson(id).Html;
        var formulas = MathElement().Matches(html);
        Assert.Equal(Regex.Matches(html, "<math\\b").Count, formulas.Count);
        foreach (Match formula in formulas)
        {
            // Emphasis, code or paragraphs inside a formula mean Markdown read its '*' or '_' or blank line.
            Assert.False(Regex.IsMatch(formula.Value, "<(em|strong|code|p|br)\\b"), $"{id}: Markdown inside a formula: {formula.Value}");
        }
    }

    [Fact]
    public async Task The_course_overview_lists_the_modules_with_nothing_solved_for_an_anonymous_reader()
    {
        using var client = factory.CreateClient();
        var course = await client.GetFromJsonAsync<JsonElement>("/api/learn/course");
        var modules = course.GetProperty("modules").EnumerateArray().ToList();
        Assert.Equal(Course.Modules.Select(m => m.Id), modules.Select(m => m.GetProperty("id").GetString()));
        foreach (var (module, expected) in modules.Zip(Course.Modules))
        {
            Assert.Equal(expected.Title, module.GetProperty("title").GetString());
            Assert.Equal(expected.Summary, module.GetProperty("summary").GetString());
            Assert.Equal(expected.Number, module.GetProperty("number").GetInt32());
            Assert.Equal(expected.Exercises.Count, module.GetProperty("exercises").GetInt32());
            Assert.Equal(0, module.GetProperty("solved").GetInt32());
            Assert.False(module.GetProperty("complete").GetBoolean());
        }
    }

    [Fact]
    public async Task A_learner_sees_their_solved_exercises_and_completed_modules()
    {
        using var client = factory.CreateClient();
        var profile = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Course reader " + Guid.NewGuid().ToString("N")[..8] });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        long learner = (await profile.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("learner").GetProperty("id").GetInt64();

        // m2 all solved (one of them twice), m3's first exercise solved and its second only tried.
        var m2 = Course.Module("m2").Exercises.Select(e => e.Id).ToList();
        var m3 = Course.Module("m3").Exercises.Select(e => e.Id).ToList();
        Attempt(learner, m2[0], correct: true);
        foreach (string exercise in m2)
        {
            Attempt(learner, exercise, correct: true);
        }

        Attempt(learner, m3[0], correct: true);
        Attempt(learner, m3[1], correct: false);

        var course = await client.GetFromJsonAsync<JsonElement>("/api/learn/course");
        var byId = course.GetProperty("modules").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!);
        Assert.Equal(m2.Count, byId["m2"].GetProperty("solved").GetInt32());
        Assert.True(byId["m2"].GetProperty("complete").GetBoolean());
        Assert.Equal(1, byId["m3"].GetProperty("solved").GetInt32());
        Assert.False(byId["m3"].GetProperty("complete").GetBoolean());
        Assert.Equal(0, byId["m1"].GetProperty("solved").GetInt32());

        var module = await client.GetFromJsonAsync<JsonElement>("/api/learn/modules/m3");
        var solved = module.GetProperty("exercises").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("solved").GetBoolean());
        Assert.True(solved[m3[0]]);
        Assert.False(solved[m3[1]]);

        // Another reader (no cookie) still sees nothing solved.
        using var anonymous = factory.CreateClient();
        var theirs = await anonymous.GetFromJsonAsync<JsonElement>("/api/learn/course");
        Assert.All(theirs.GetProperty("modules").EnumerateArray(), m => Assert.Equal(0, m.GetProperty("solved").GetInt32()));
    }

    [Fact]
    public async Task The_glossary_and_questions_are_served_with_rendered_answers()
    {
        using var client = factory.CreateClient();
        var glossary = (await client.GetFromJsonAsync<JsonElement>("/api/learn/glossary")).EnumerateArray().ToList();
        Assert.Equal(Content.Value.Glossary.Select(g => g.Term), glossary.Select(g => g.GetProperty("term").GetString()));
        foreach (var entry in glossary)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(entry.GetProperty("definition").GetString()));
            Assert.Equal(JsonValueKind.String, entry.GetProperty("see").GetProperty("module").ValueKind);
        }

        var questions = (await client.GetFromJsonAsync<JsonElement>("/api/learn/questions")).EnumerateArray().ToList();
        Assert.Equal(Content.Value.Questions.Select(q => q.Id), questions.Select(q => q.GetProperty("id").GetString()));
        foreach (var question in questions)
        {
            Assert.False(string.IsNullOrWhiteSpace(question.GetProperty("question").GetString()));
            Assert.StartsWith("<", question.GetProperty("answerHtml").GetString(), StringComparison.Ordinal);
            Assert.False(question.TryGetProperty("answer", out _));
            Assert.False(question.TryGetProperty("answerText", out _));
        }
    }

    [Theory]
    [MemberData(nameof(ModuleIds))]
    public async Task Search_finds_each_module_by_its_title_and_by_a_word_of_its_lesson(string id)
    {
        using var client = factory.CreateClient();
        var module = Course.Module(id);
        var byTitle = await Search(client, module.Title);
        Assert.Contains(byTitle, r => r.Kind == "lesson" && Links(r, id));

        // The lesson's rarest long word across the course (a term this module teaches), searched in upper case.
        var lesson = Content.Value.Lesson(id);
        string word = Words(string.Join(' ', lesson.Sections.Select(s => s.Text)))
            .Where(w => w.Length >= 6)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(w => Content.Value.Lessons.Sum(l => l.Sections.Count(s => s.Text.Contains(w, StringComparison.OrdinalIgnoreCase))))
            .ThenByDescending(w => w.Length)
            .ThenBy(w => w, StringComparer.Ordinal)
            .First();
        var byWord = await Search(client, word.ToUpperInvariant());
        var hit = byWord.FirstOrDefault(r => r.Kind == "lesson" && Links(r, id));
        Assert.True(hit is not null, $"Searching '{word}' did not find {id}: {string.Join(", ", byWord.Select(r => r.Link))}");
        Assert.Contains(word, hit.Snippet, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Search_links_sections_glossary_terms_and_questions_and_ranks_title_hits_first()
    {
        using var client = factory.CreateClient();
        var term = Content.Value.Glossary[0];
        var results = await Search(client, term.Term);
        Assert.InRange(results.Count, 1, SearchIndex.MaxResults);
        Assert.Contains(results, r => r.Kind == "glossary" && r.Link == $"/learn/glossary#{term.Id}" && r.Title == term.Term);

        var question = Content.Value.Questions[0];
        var asked = await Search(client, question.Question);
        Assert.Equal($"/learn/questions#{question.Id}", asked[0].Link);
        Assert.Equal("question", asked[0].Kind);

        // A section's heading: its section is found by its anchor, and only title hits rank above it.
        var (lesson, section) = Content.Value.Lessons.SelectMany(l => l.Sections.Select(s => (l, s)))
            .First(p => p.s.Anchor is not null && p.s.Heading.Length >= 4 && p.s.Heading != p.l.Module.Title);
        var headed = await Search(client, section.Heading);
        int at = headed.FindIndex(r => r.Link == $"/learn/{lesson.Module.Id}#{section.Anchor}");
        Assert.True(at >= 0, $"Searching the heading '{section.Heading}' did not find its section.");
        Assert.All(headed.Take(at), r => Assert.Contains(section.Heading, r.Title, StringComparison.OrdinalIgnoreCase));
        Assert.All(headed, r => Assert.Contains(r.Kind, new[] { "lesson", "glossary", "question" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("   x   ")]
    [InlineData(null)]
    public async Task Search_refuses_a_query_shorter_than_two_characters(string? q)
    {
        using var client = factory.CreateClient();
        string url = q is null ? "/api/learn/search" : $"/api/learn/search?q={Uri.EscapeDataString(q)}";
        await Problems.AssertAsync(await client.GetAsync(url), HttpStatusCode.BadRequest, "2-100 characters");
    }

    [Fact]
    public async Task Search_refuses_a_query_longer_than_a_hundred_characters_and_takes_one_of_a_hundred()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await client.GetAsync($"/api/learn/search?q={new string('x', 101)}"), HttpStatusCode.BadRequest, "2-100 characters");
        var response = await client.GetAsync($"/api/learn/search?q={new string('x', 100)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
    }

    [Fact]
    public async Task Search_treats_markup_and_sql_looking_queries_as_text()
    {
        using var client = factory.CreateClient();
        foreach (string q in new[] { "<script>alert(1)</script>", "' OR 1=1 --", "%%", "(.*)+" })
        {
            var response = await client.GetAsync($"/api/learn/search?q={Uri.EscapeDataString(q)}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(JsonValueKind.Array, (await response.Content.ReadFromJsonAsync<JsonElement>()).ValueKind);
        }
    }

    [Theory]
    [InlineData("m10")]
    [InlineData("M1")]
    [InlineData("module-1")]
    public async Task An_unknown_module_is_a_404_naming_it(string id)
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await client.GetAsync($"/api/learn/modules/{id}"), HttpStatusCode.NotFound, "no module", id, "m1-m9");
    }

    [Fact]
    public void A_lesson_missing_from_the_assembly_stops_the_server_naming_the_module_and_the_file()
    {
        var missing = Course.Module("m3");
        var error = Assert.Throws<InvalidOperationException>(() => CourseContent.Load(Course, path =>
            path == missing.Lesson ? throw new FileNotFoundException("not embedded", path) : Course.OpenContent(path)));
        Assert.Contains("m3", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing.Lesson, error.Message, StringComparison.Ordinal);
        Assert.Contains("course.json", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<SearchResult>> Search(HttpClient client, string q)
    {
        var response = await client.GetAsync($"/api/learn/search?q={Uri.EscapeDataString(q)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = await response.Content.ReadFromJsonAsync<List<SearchResult>>(WebJson.Options) ?? [];
        Assert.InRange(results.Count, 0, SearchIndex.MaxResults);
        return results;
    }

    private static bool Links(SearchResult result, string module) =>
        result.Link == $"/learn/{module}" || result.Link.StartsWith($"/learn/{module}#", StringComparison.Ordinal);

    private void Attempt(long learner, string exercise, bool correct) =>
        factory.Services.GetRequiredService<LearnDatabase>().Write((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, created_at) VALUES ($learner, $exercise, 0, '{}', $correct, $now);";
            insert.Parameters.AddWithValue("$learner", learner);
            insert.Parameters.AddWithValue("$exercise", exercise);
            insert.Parameters.AddWithValue("$correct", correct ? 1 : 0);
            insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
            return insert.ExecuteNonQuery();
        });

    /// <summary>The attributes of every element whose class list has "widget" (lesson HTML is trusted and regular: the renderer's own output).</summary>
    private static List<Dictionary<string, string>> Widgets(string html) =>
        [.. StartTag().Matches(html)
            .Select(tag => Attribute().Matches(tag.Groups["attributes"].Value)
                .GroupBy(a => a.Groups["name"].Value.ToLowerInvariant())
                .ToDictionary(g => g.Key, g => WebUtility.HtmlDecode(g.First().Groups["value"].Value)))
            .Where(attributes => attributes.TryGetValue("class", out string? classes) && classes.Split(' ').Contains("widget"))];

    private static List<string> Ids(string html) =>
        [.. StartTag().Matches(html)
            .SelectMany(tag => Attribute().Matches(tag.Groups["attributes"].Value))
            .Where(a => a.Groups["name"].Value.Equals("id", StringComparison.OrdinalIgnoreCase))
            .Select(a => WebUtility.HtmlDecode(a.Groups["value"].Value))];

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value);

    private static string Describe(Dictionary<string, string> attributes) => string.Join(" ", attributes.Select(a => $"{a.Key}=\"{a.Value}\""));

    [GeneratedRegex(@"<[a-zA-Z][a-zA-Z0-9]*(?<attributes>(?:\s+[^\s=>/]+(?:\s*=\s*(?:""[^""]*""|'[^']*'|[^\s>]+))?)*)\s*/?>")]
    private static partial Regex StartTag();

    [GeneratedRegex(@"(?<name>[^\s=>/]+)(?:\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)'|(?<value>[^\s>]+)))?")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"<[a-zA-Z][^>]*\son[a-zA-Z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();

    [GeneratedRegex(@"(?:href|src|action)\s*=\s*[""']?\s*javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptUrl();

    [GeneratedRegex(@"<math\b[^>]*>.*?</math\s*>", RegexOptions.Singleline)]
    private static partial Regex MathElement();

    [GeneratedRegex(@"\p{L}[\p{L}\-]*\p{L}")]
    private static partial Regex WordPattern();
}
