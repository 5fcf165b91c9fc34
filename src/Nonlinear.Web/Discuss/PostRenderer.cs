using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.AutoLinks;
using Markdig.Extensions.EmphasisExtras;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Discuss;

/// <summary>
/// Turns a post's Markdown into HTML the page may insert as it is. Markdig parses it with raw HTML disabled (any tag
/// in a post is shown as text), then a pass over the syntax tree decides every link and image:
/// <list type="bullet">
/// <item>a link keeps its target only for <c>http</c>, <c>https</c>, <c>mailto</c>, a relative address (<c>/x</c>,
/// <c>./x</c>, <c>x</c>, <c>?q</c>) or a fragment (<c>#x</c>); any other scheme (<c>javascript:</c>, <c>data:</c>,
/// <c>vbscript:</c>, <c>file:</c>...) turns the link into its plain text. The scheme is read as a browser reads it
/// (leading and trailing controls and spaces dropped, tabs and newlines removed anywhere, any case), after Markdig has
/// decoded entities and escapes;</item>
/// <item>a protocol-relative address (<c>//host/x</c>) is written out as <c>https://host/x</c>, then treated like any
/// absolute link;</item>
/// <item>a link to another host opens in a new tab with <c>rel="nofollow noopener noreferrer"</c>;</item>
/// <item>a link to this app's playground (<c>/#state</c>, or <c>http(s)://this-host/#state</c>) whose state the
/// playground reads without a warning gets <c>class="playground-link"</c> and <c>data-playground="state"</c>;</item>
/// <item>an image is never loaded: it becomes a link "[image: alt]" to its address under the same rules (so a post
/// cannot make readers' browsers fetch anything, from this host or another); inside a link it is just its alt text.</item>
/// </list>
/// Posts are stored as Markdown and rendered on reading (the rules can improve without touching stored posts); the
/// result per post and origin is cached, since a post's Markdown never changes.
/// </summary>
internal sealed class PostRenderer
{
    private const string ExternalRel = "nofollow noopener noreferrer";

    // A URL scheme as the WHATWG URL parser reads one: an ASCII letter, then letters, digits, '+', '-', '.', then ':'.
    private static readonly Regex Scheme = new("^([A-Za-z][A-Za-z0-9+.-]*):", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private readonly MarkdownPipeline _pipeline;
    private readonly PlaygroundLimits _playgroundLimits;
    private readonly int _maxCached;
    private readonly ConcurrentDictionary<(long Post, PostOrigin Origin), (string Markdown, string Html)> _cache = new();

    public PostRenderer(PlaygroundLimits playgroundLimits, DiscussLimits limits)
    {
        ArgumentNullException.ThrowIfNull(playgroundLimits);
        ArgumentNullException.ThrowIfNull(limits);
        _playgroundLimits = playgroundLimits;
        _maxCached = limits.MaxRenderedPosts;
        var builder = new MarkdownPipelineBuilder();

        // No raw HTML: a tag in a post is text. Only extensions that add no way to write attributes (no generic
        // attributes, no raw HTML): tables, ~~strikethrough~~ and bare web addresses as links.
        MarkdownExtensions.DisableHtml(builder);
        builder.UsePipeTables()
            .UseEmphasisExtras(EmphasisExtraOptions.Strikethrough)
            .UseAutoLinks(new AutoLinkOptions { UseHttpsForWWWLinks = true });
        _pipeline = builder.Build();
    }

    /// <summary>
    /// The HTML of stored post <paramref name="postId"/> (cached per origin, since links to this host differ; the
    /// cached entry is checked against the Markdown, as SQLite may reuse the id of a deleted post).
    /// </summary>
    public string Render(long postId, string markdown, PostOrigin origin)
    {
        var key = (postId, origin);
        if (_cache.TryGetValue(key, out var cached) && string.Equals(cached.Markdown, markdown, StringComparison.Ordinal))
        {
            return cached.Html;
        }

        string html = Render(markdown, origin);

        // Posts are many and each small; dropping the whole cache now and then keeps memory bounded without LRU bookkeeping.
        if (_cache.Count >= _maxCached)
        {
            _cache.Clear();
        }

        _cache[key] = (markdown, html);
        return html;
    }

    /// <summary>The HTML of <paramref name="markdown"/> as a reader at <paramref name="origin"/> sees it.</summary>
    public string Render(string markdown, PostOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(origin);
        try
        {
            var document = Markdown.Parse(markdown, _pipeline);
            Rewrite(document, origin);
            using var writer = new StringWriter();
            var renderer = new HtmlRenderer(writer);
            _pipeline.Setup(renderer);
            renderer.Render(document);
            writer.Flush();
            return writer.ToString();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // Markdig refuses syntax nested deeper than its limit (128) rather than overflow the stack; such a post is
            // shown as its plain text.
            return "<pre class=\"post-plain\">" + WebUtility.HtmlEncode(markdown) + "</pre>\n";
        }
    }

    /// <summary>
    /// The state of a playground link (<c>/#state</c> or <c>http(s)://this-host/#state</c>), or null when
    /// <paramref name="url"/> is not one or the playground would not read its state cleanly.
    /// </summary>
    public string? PlaygroundHash(string url, PostOrigin origin)
    {
        ArgumentNullException.ThrowIfNull(url);
        string clean = Clean(url);
        string? hash = null;
        if (clean.StartsWith("/#", StringComparison.Ordinal))
        {
            hash = clean[2..];
        }
        else if (Uri.TryCreate(clean, UriKind.Absolute, out var absolute)
            && absolute.Scheme is "http" or "https"
            && origin.Contains(absolute)
            && absolute.AbsolutePath == "/"
            && absolute.Query.Length == 0
            && clean.Contains('#', StringComparison.Ordinal))
        {
            hash = clean[(clean.IndexOf('#', StringComparison.Ordinal) + 1)..];
        }

        if (string.IsNullOrWhiteSpace(hash))
        {
            return null;
        }

        return PlaygroundState.Parse(hash, _playgroundLimits).Warnings.Count == 0 ? hash : null;
    }

    private void Rewrite(MarkdownDocument document, PostOrigin origin)
    {
        // Defence in depth: with HTML disabled Markdig makes no raw HTML nodes, but if one ever appeared it is text.
        foreach (var html in document.Descendants<HtmlInline>().ToList())
        {
            html.ReplaceBy(new LiteralInline(html.Tag ?? ""), copyChildren: false);
        }

        foreach (var block in document.Descendants<HtmlBlock>().ToList())
        {
            var paragraph = new ParagraphBlock { Inline = new ContainerInline() };
            paragraph.Inline.AppendChild(new LiteralInline(block.Lines.ToString()));
            var parent = block.Parent;
            if (parent is not null)
            {
                parent[parent.IndexOf(block)] = paragraph;
            }
        }

        // Images first: each becomes a link (or, inside a link, its alt text), which the next pass then judges.
        foreach (var image in document.Descendants<LinkInline>().Where(l => l.IsImage).ToList())
        {
            string alt = PlainText(image);
            if (InsideLink(image))
            {
                image.ReplaceBy(new LiteralInline(alt), copyChildren: false);
                continue;
            }

            var link = new LinkInline(image.Url ?? "", image.Title ?? "");
            link.AppendChild(new LiteralInline(alt.Length > 0 ? $"[image: {alt}]" : "[image]"));
            link.GetAttributes().AddClass("post-image");
            image.ReplaceBy(link, copyChildren: false);
        }

        foreach (var item in document.Descendants().ToList())
        {
            switch (item)
            {
                case LinkInline link:
                    Judge(link, origin);
                    break;
                case AutolinkInline autolink:
                    Judge(autolink, origin);
                    break;
            }
        }
    }

    private void Judge(LinkInline link, PostOrigin origin)
    {
        link.GetDynamicUrl = null;
        string? url = Allowed(link.Url ?? "", origin, out bool external);
        if (url is null)
        {
            // Refused: the link's text stays, as text.
            var child = link.FirstChild;
            while (child is not null)
            {
                var next = child.NextSibling;
                child.Remove();
                link.InsertBefore(child);
                child = next;
            }

            link.Remove();
            return;
        }

        link.Url = url;
        Mark(link.GetAttributes(), url, external, origin);
    }

    private void Judge(AutolinkInline autolink, PostOrigin origin)
    {
        string target = autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url;
        string? url = Allowed(target, origin, out bool external);
        if (url is null)
        {
            autolink.ReplaceBy(new LiteralInline(autolink.Url), copyChildren: false);
            return;
        }

        // The renderer adds "mailto:" to an e-mail autolink itself; the address is unchanged by cleaning otherwise.
        autolink.Url = autolink.IsEmail ? autolink.Url : url;
        Mark(autolink.GetAttributes(), url, external, origin);
    }

    private void Mark(HtmlAttributes attributes, string url, bool external, PostOrigin origin)
    {
        if (external)
        {
            attributes.AddProperty("rel", ExternalRel);
            attributes.AddProperty("target", "_blank");
            return;
        }

        string? hash = PlaygroundHash(url, origin);
        if (hash is not null)
        {
            attributes.AddClass("playground-link");
            attributes.AddProperty("data-playground", hash);
        }
    }

    /// <summary>
    /// The address to write for <paramref name="url"/>, or null when its scheme is not allowed;
    /// <paramref name="external"/> tells whether it leads away from this app (another host).
    /// </summary>
    internal static string? Allowed(string url, PostOrigin origin, out bool external)
    {
        external = false;
        string clean = Clean(url);

        // Protocol-relative ("//host", and "\\host" or "/\host", which browsers read the same way): written as https.
        if (clean.Length >= 2 && clean[0] is ('/' or '\\') && clean[1] is ('/' or '\\'))
        {
            clean = "https://" + clean.TrimStart('/', '\\');
        }

        var scheme = Scheme.Match(clean);
        if (!scheme.Success)
        {
            // No scheme: relative to this app (a path, a query or a fragment).
            return clean;
        }

        switch (scheme.Groups[1].Value.ToLowerInvariant())
        {
            case "mailto":
                external = false;
                return clean;
            case "http" or "https":
                if (!Uri.TryCreate(clean, UriKind.Absolute, out var absolute) || absolute.Host.Length == 0)
                {
                    return null;
                }

                external = !origin.Contains(absolute);
                return clean;
            default:
                return null;
        }
    }

    /// <summary>
    /// <paramref name="url"/> as a browser's URL parser sees it: leading and trailing C0 controls and spaces removed,
    /// tabs and newlines removed anywhere (so "java&#9;script:" cannot slip past the scheme check).
    /// </summary>
    private static string Clean(string url)
    {
        var text = new StringBuilder(url.Length);
        foreach (char c in url.AsSpan().Trim("\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f "))
        {
            if (c is not ('\t' or '\n' or '\r'))
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool InsideLink(Inline inline)
    {
        for (var parent = inline.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is LinkInline { IsImage: false })
            {
                return true;
            }
        }

        return false;
    }

    private static string PlainText(ContainerInline container)
    {
        var text = new StringBuilder();
        foreach (var inline in container.Descendants<Inline>())
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.ToString());
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.ToString());
                    break;
            }
        }

        return text.ToString();
    }
}
