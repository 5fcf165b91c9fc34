namespace Nonlinear.Web.Learn;

/// <summary>A lesson's text from one heading to the next, as search reads it.</summary>
/// <param name="Anchor">The heading's id (the link /learn/m3#anchor), or null for the text before the first heading.</param>
/// <param name="Heading">The heading's text ("" before the first heading).</param>
/// <param name="Text">The section's plain text: tags dropped, formulas compacted, whitespace squeezed.</param>
internal sealed record LessonSection(string? Anchor, string Heading, string Text);
