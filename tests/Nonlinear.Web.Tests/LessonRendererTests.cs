using Nonlinear.Web.Learn;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The course's Markdown renderer: trusted HTML kept, anchors on headings, sections for search.</summary>
public sealed class LessonRendererTests
{
    private const string Lesson = """
        Before any heading: the <math><mi>σ</mi></math> intro.

        # Sigmoid

        The sigmoid <math><mi>σ</mi><mo>(</mo><mi>x</mi><mo>)</mo></math> squashes.

        <math display="block" alttext="sigma(x) = 1/(1+e^-x)">
          <mi>σ</mi><mo>(</mo><mi>x</mi><mo>)</mo><mo>=</mo>
          <mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mi>x</mi></mrow></msup></mrow></mfrac>
        </math>

        ## Its slope & range

        <div class="widget" id="w-sigmoid" data-widget="activation" data-activation="sigmoid" data-x="1"></div>

        | x | f(x) |
        |---|------|
        | 0 | 0.5  |

        ```csharp
        var s = ActivationRegistry.Parse("sigmoid");
        ```

        ## Its slope & range

        Twice the same heading still gets two anchors.
        """;

    [Fact]
    public void Raw_mathml_and_widget_elements_are_kept()
    {
        var (html, _) = LessonRenderer.Render(Lesson);
        Assert.Contains("<math display=\"block\" alttext=\"sigma(x) = 1/(1+e^-x)\">", html, StringComparison.Ordinal);
        Assert.Contains("<mfrac><mn>1</mn>", html, StringComparison.Ordinal);
        Assert.Contains("<math><mi>σ</mi><mo>(</mo><mi>x</mi><mo>)</mo></math>", html, StringComparison.Ordinal);
        Assert.Contains("<div class=\"widget\" id=\"w-sigmoid\" data-widget=\"activation\" data-activation=\"sigmoid\" data-x=\"1\"></div>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Headings_get_anchors_and_tables_and_fenced_code_render()
    {
        var (html, _) = LessonRenderer.Render(Lesson);
        Assert.Contains("<h1 id=\"sigmoid\">Sigmoid</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<h2 id=\"its-slope--range\">Its slope &amp; range</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<h2 id=\"its-slope--range-1\">", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.Contains("<td>0.5</td>", html, StringComparison.Ordinal);
        Assert.Contains("<code class=\"language-csharp\">", html, StringComparison.Ordinal);
        Assert.Contains("ActivationRegistry.Parse(&quot;sigmoid&quot;)", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Sections_split_at_headings_with_their_anchors_and_plain_text()
    {
        var (_, sections) = LessonRenderer.Render(Lesson);
        Assert.Equal([null, "sigmoid", "its-slope--range", "its-slope--range-1"], sections.Select(s => s.Anchor));
        Assert.Equal(["", "Sigmoid", "Its slope & range", "Its slope & range"], sections.Select(s => s.Heading));
        Assert.Equal("Before any heading: the σ intro.", sections[0].Text);

        // An inline formula's tokens run together; a formula with alttext reads as its alttext.
        Assert.Equal("The sigmoid σ(x) squashes. sigma(x) = 1/(1+e^-x)", sections[1].Text);
        Assert.Contains("0.5", sections[2].Text, StringComparison.Ordinal);
        Assert.Contains("ActivationRegistry.Parse(\"sigmoid\")", sections[2].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", string.Concat(sections.Select(s => s.Text)), StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_text_decodes_entities_and_drops_tags()
    {
        Assert.Equal("a < b & c", LessonRenderer.PlainText("<p>a &lt; <em>b</em> &amp; c</p>"));
        Assert.Equal("see (module 4) then", LessonRenderer.PlainText("<p>see (<a href=\"/learn/m4\">module 4</a>) then</p>"));
        Assert.Equal("one two", LessonRenderer.PlainText("<td>one</td><td>two</td>"));
        Assert.Equal("slope (σ′)", LessonRenderer.PlainText("<p>slope (<math><msup><mi>σ</mi><mo>′</mo></msup></math>)</p>"));
    }
}
