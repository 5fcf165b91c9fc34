namespace Nonlinear.Web.Learn.Exercises;

/// <summary>What a concept exercise's checker knows (kept as <see cref="Exercise.Solution"/>).</summary>
/// <param name="Options">The options as shown, in order.</param>
/// <param name="RightValue">The value of the right option.</param>
/// <param name="WrongByValue">The wrong options by their value.</param>
/// <param name="Variant">The wording shown.</param>
/// <param name="See">Where the idea is shown live.</param>
internal sealed record ConceptSolution(
    IReadOnlyList<ChoiceOption> Options,
    string RightValue,
    IReadOnlyDictionary<string, ConceptOption> WrongByValue,
    ConceptVariant Variant,
    SeeAlso See);
