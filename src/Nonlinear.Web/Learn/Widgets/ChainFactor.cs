namespace Nonlinear.Web.Learn.Widgets;

/// <summary>One factor of the chain rule for a weight: its symbol ("g'(z1)"), what it is in words, and its value.</summary>
internal sealed record ChainFactor(string Symbol, string Label, float Value);
