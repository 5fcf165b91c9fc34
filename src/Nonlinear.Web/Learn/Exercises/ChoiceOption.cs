namespace Nonlinear.Web.Learn.Exercises;

/// <summary>One option of a choice field.</summary>
internal sealed record ChoiceOption(string Value, string Label);
