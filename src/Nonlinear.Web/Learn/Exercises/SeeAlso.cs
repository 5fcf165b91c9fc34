namespace Nonlinear.Web.Learn.Exercises;

/// <summary>A pointer to where a concept is explained or shown live.</summary>
/// <param name="Module">The module id, e.g. "m2".</param>
/// <param name="Anchor">An element id inside the module's lesson (a widget or a heading), or null for the top.</param>
/// <param name="Label">The link text, e.g. "the sigmoid widget in module 2".</param>
internal sealed record SeeAlso(string Module, string? Anchor, string Label);
