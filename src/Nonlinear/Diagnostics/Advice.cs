namespace Nonlinear.Diagnostics;

/// <summary>One finding of the <see cref="Advisor"/>: what is wrong, why it matters, and what to do.</summary>
/// <param name="Severity">How much it matters.</param>
/// <param name="Code">A stable kebab-case identifier, one of <see cref="AdviceCodes"/> (e.g. "linear-collapse").</param>
/// <param name="Layer">The 1-based index of the layer concerned (the first one, for findings about several), or null for the model as a whole.</param>
/// <param name="Message">What is wrong, naming the layers.</param>
/// <param name="Reason">Why it matters, concretely (shapes, derivative bounds, what the loss does).</param>
/// <param name="Fix">What to do instead.</param>
public sealed record Advice(AdviceSeverity Severity, string Code, int? Layer, string Message, string Reason, string Fix)
{
    /// <summary>One line: "warning linear-collapse (layer 1): ...".</summary>
    public override string ToString()
        => $"{Severity.ToString().ToLowerInvariant()} {Code}{(Layer is { } l ? $" (layer {l})" : "")}: {Message}";
}
