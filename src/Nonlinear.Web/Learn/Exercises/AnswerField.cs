namespace Nonlinear.Web.Learn.Exercises;

/// <summary>One answer the page asks for.</summary>
/// <param name="Name">The key in the answers object, e.g. "z".</param>
/// <param name="Label">What the page shows next to it (HTML allowed: MathML).</param>
/// <param name="Type">"number", "choice", "text" (e.g. a model spec) or "playground" (a playground link, answered from an embedded playground).</param>
/// <param name="Tolerance">For numbers: the accepted absolute error, stated on the page; null otherwise.</param>
/// <param name="Options">For choices: value and label of each option; null otherwise.</param>
/// <param name="Preset">For "playground" and "text": the starting value (a playground hash, a model spec); for "choice": the value as given, to preselect.</param>
internal sealed record AnswerField(string Name, string Label, string Type, double? Tolerance = null, IReadOnlyList<ChoiceOption>? Options = null, string? Preset = null);
