namespace Nonlinear.Web.Learn.Exercises;

/// <summary>A wrong option of a concept question: what it says, the misconception behind it, and why it is wrong.</summary>
/// <param name="Label">The option's text (HTML made by the server).</param>
/// <param name="Code">The misconception's code, stored as the attempt's mistake (e.g. "softmax-for-multilabel").</param>
/// <param name="WhyNot">Why this option is wrong (HTML), shown when a learner picks it.</param>
internal sealed record ConceptOption(string Label, string Code, string WhyNot);
