namespace Nonlinear.Web.Learn;

/// <summary>One hit of a course search, as served.</summary>
/// <param name="Kind">"lesson", "glossary" or "question".</param>
/// <param name="Title">A lesson section's module and heading, a glossary term, or a question.</param>
/// <param name="Snippet">Plain text around the first match (with "…" where it was cut); the page shows it as text.</param>
/// <param name="Link">Where it is: /learn/m3#anchor, /learn/glossary#id or /learn/questions#id.</param>
internal sealed record SearchResult(string Kind, string Title, string Snippet, string Link);
