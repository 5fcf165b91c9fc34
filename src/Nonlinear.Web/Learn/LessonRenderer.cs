using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace Nonlinear.Web.Learn;

/// <summary>
/// Renders the course's own Markdown (lessons, answers to common questions) to HTML. The content is trusted: it ships
/// in the assembly and the tests check it, so raw HTML is kept (MathML formulas, widget elements). Never use this
/// for anything a learner wrote: posts go through the discussion's renderer, which disables HTML.
/// </summary>
internal static partial class LessonRenderer
{
    /// <summary>
    /// GitHub-style heading ids (so a search result or the glossary can link to /learn/m3#zero-centred-outputs),
    /// pipe tables, strikethrough and the like, and generic attributes (<c>{#id .class}</c>) for an explicit anchor.
    /// No maths extension: formulas are MathML already, and '$' stays a dollar.
    /// </summary>
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseListExtras()
        .UseGenericAttributes()
        .Build();

    /// <summary>The HTML of <paramref name="markdown"/> (trusted course content).</summary>
    public static string ToHtml(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return Markdown.ToHtml(markdown, Pipeline);
    }

    /// <summary>
    /// The HTML of a lesson and its text cut into sections at each heading (for search): the text before the first
    /// heading is a section without an anchor.
    /// </summary>
    public static (string Html, IReadOnlyList<LessonSection> Sections) Render(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var document = Markdown.Parse(markdown, Pipeline);
        string html = Markdown.ToHtml(document, Pipeline);

        var sections = new List<LessonSection>();
        string? anchor = null;
        string heading = "";
        var text = new StringBuilder();
        foreach (var block in document)
        {
            if (block is HeadingBlock headingBlock)
            {
                Flush();
                anchor = headingBlock.GetAttributes().Id;
                heading = PlainText(BlockHtml(headingBlock));
            }
            else
            {
                text.Append(PlainText(BlockHtml(block))).Append(' ');
            }
        }

        Flush();
        return (html, sections);

        void Flush()
        {
            string body = Squeeze(text.ToString());
            if (body.Length > 0 || heading.Length > 0)
            {
                sections.Add(new LessonSection(anchor, heading, body));
            }

            text.Clear();
        }
    }

    /// <summary>
    /// The readable text of trusted HTML: tags dropped (a block's edge becomes a space), entities decoded, whitespace
    /// squeezed. A MathML formula
    /// becomes its <c>alttext</c> when it has one, otherwise its tokens run together ("σ(x)=1/(1+e−x)" reads better
    /// in a search snippet than one token per word).
    /// </summary>
    public static string PlainText(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        string withoutMath = MathElement().Replace(html, match =>
        {
            var alt = AltText().Match(match.Groups["open"].Value);
            return alt.Success ? alt.Groups["alt"].Value : Whitespace().Replace(Tag().Replace(match.Groups["body"].Value, ""), "");
        });

        // A block's edge separates words; an inline tag does not ("(<a>module 4</a>)" reads "(module 4)").
        string spaced = BlockTag().Replace(withoutMath, " ");
        return Squeeze(WebUtility.HtmlDecode(Tag().Replace(spaced, "")));
    }

    private static string BlockHtml(Block block)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(block);
        writer.Flush();
        return writer.ToString();
    }

    private static string Squeeze(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"<math(?<open>[^>]*)>(?<body>.*?)</math\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MathElement();

    [GeneratedRegex("""\balttext\s*=\s*(?:"(?<alt>[^"]*)"|'(?<alt>[^']*)')""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AltText();

    [GeneratedRegex(@"</?(?:p|div|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tfoot|tr|td|th|pre|blockquote|br|hr|figure|figcaption|section|details|summary)\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
