namespace Nonlinear.Web.Learn.Exercises;

/// <summary>One wording of a concept question, with its numbers drawn.</summary>
/// <param name="Prompt">The question (HTML).</param>
/// <param name="Right">The right option's text (HTML).</param>
/// <param name="Wrong">The wrong options.</param>
/// <param name="Reason">Why the right option is right (HTML), shown after every answer.</param>
internal sealed record ConceptVariant(string Prompt, string Right, IReadOnlyList<ConceptOption> Wrong, string Reason);
