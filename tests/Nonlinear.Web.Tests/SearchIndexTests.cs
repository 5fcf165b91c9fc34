using System.Net;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learn.Exercises;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>Search over a small hand-made course: what matches, the order, the snippets and the refusals.</summary>
public sealed class SearchIndexTests
{
    private static readonly CodePanel NoCode = new("", "", "");

    private static readonly string SaturationText = "Far from zero the slope is almost zero: the unit saturates and learns slowly. "
        + string.Concat(Enumerable.Repeat("Filler words to make the section long. ", 12)) + "The end mentions the gradient once.";

    private static CourseModule Module(int number, string title) => new($"m{number}", number, title, "", $"m{number}.md", $"m{number}", []);

    private static SearchIndex Index()
    {
        var lessons = new[]
        {
            new Lesson(Module(2, "Sigmoid"), "", [
                new LessonSection(null, "", "The sigmoid squashes any input into (0, 1)."),
                new LessonSection("saturation", "Saturation", SaturationText),
            ], NoCode),
            new Lesson(Module(7, "Vanishing gradients"), "", [
                new LessonSection("vanishing-gradients", "Vanishing gradients", "Products of derivatives shrink through depth; the gradient vanishes. Gradient, gradient."),
                new LessonSection("initialisation", "Initialisation", "Glorot for tanh and sigmoid, He for ReLU."),
            ], NoCode),
        };
        var glossary = new[] { new GlossaryEntry("Gradient", "gradient", "The vector of partial derivatives of the loss.", new SeeAlso("m8", null, "backprop")) };
        var questions = new[] { new CommonQuestion("why-sigmoid-slow", "Why does a deep sigmoid network learn slowly?", "<p>Its gradient vanishes.</p>", "Its gradient vanishes: the gradient of the first layers is tiny.", null) };
        return new SearchIndex(lessons, glossary, questions);
    }

    [Fact]
    public void Every_section_term_and_question_is_indexed()
    {
        Assert.Equal(6, Index().Count);
    }

    [Fact]
    public void Title_and_term_hits_rank_above_text_hits_and_text_hits_by_how_often()
    {
        var results = Index().Find("gradient");
        Assert.Equal(
            ["/learn/glossary#gradient", "/learn/m7#vanishing-gradients", "/learn/questions#why-sigmoid-slow", "/learn/m2#saturation"],
            results.Select(r => r.Link));
        Assert.Equal(["glossary", "lesson", "question", "lesson"], results.Select(r => r.Kind));
        Assert.Equal("Module 7: Vanishing gradients", results[1].Title);
    }

    [Fact]
    public void Search_ignores_case_and_finds_a_module_by_its_title_on_its_first_section()
    {
        var results = Index().Find("SIGMOID");
        Assert.Equal("/learn/m2", results[0].Link);
        Assert.Equal("Module 2: Sigmoid", results[0].Title);
        Assert.Contains(results, r => r.Link == "/learn/m7#initialisation" && r.Title == "Module 7, Vanishing gradients: Initialisation");
    }

    [Fact]
    public void Every_word_of_a_query_may_match_apart_below_the_whole_phrase()
    {
        var results = Index().Find("slope   saturates");
        Assert.Equal(["/learn/m2#saturation"], results.Select(r => r.Link));
        Assert.Empty(Index().Find("slope bananas"));
    }

    [Fact]
    public void A_snippet_is_cut_around_the_match_at_word_boundaries()
    {
        var hit = Assert.Single(Index().Find("mentions the gradient"));
        Assert.StartsWith("…", hit.Snippet, StringComparison.Ordinal);
        Assert.Contains("mentions the gradient", hit.Snippet, StringComparison.Ordinal);
        Assert.InRange(hit.Snippet.Length, 20, 200);
        Assert.DoesNotContain("  ", hit.Snippet, StringComparison.Ordinal);

        // A piece of the section's text that starts after a space (a whole word), not in the middle of one.
        string text = SaturationText;
        string piece = hit.Snippet.Trim('…');
        int at = text.IndexOf(piece, StringComparison.Ordinal);
        Assert.True(at > 0, $"Not a piece of the text: {hit.Snippet}");
        Assert.Equal(' ', text[at - 1]);
    }

    [Fact]
    public void At_most_twenty_results_come_back()
    {
        var sections = Enumerable.Range(0, 30).Select(i => new LessonSection($"s{i}", $"Part {i}", "relu everywhere")).ToList();
        var index = new SearchIndex([new Lesson(Module(4, "ReLU"), "", sections, NoCode)], [], []);
        Assert.Equal(SearchIndex.MaxResults, index.Find("relu").Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" a ")]
    public void Queries_under_two_characters_are_refused(string? q)
    {
        var refusal = Assert.Throws<WebRequestException>(() => Index().Find(q));
        Assert.Equal((int)HttpStatusCode.BadRequest, refusal.Status);
    }

    [Fact]
    public void Queries_over_a_hundred_characters_are_refused()
    {
        Assert.Equal(400, Assert.Throws<WebRequestException>(() => Index().Find(new string('q', 101))).Status);
        Assert.Empty(Index().Find(new string('q', 100)));
    }
}
