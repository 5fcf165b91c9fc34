namespace Nonlinear.Web.Learn.Exercises;

/// <summary>The checker's and the tutor's answer to one attempt.</summary>
/// <param name="Correct">Whether the whole answer is accepted.</param>
/// <param name="Fields">Per field: accepted or not (fields the kind cannot judge alone are absent).</param>
/// <param name="Mistake">The recognised mistake's code (e.g. "forgot-bias"), or null.</param>
/// <param name="Feedback">The tutor's words on this attempt (HTML made by the server): the mistake named, or praise.</param>
internal sealed record Verdict(bool Correct, IReadOnlyDictionary<string, bool> Fields, string? Mistake, string Feedback)
{
    /// <summary>The next hint (after a wrong attempt: hint 1 after the first, 2 after the second); HTML.</summary>
    public string? Hint { get; init; }

    /// <summary>The worked solution with every intermediate number: after a correct answer or the third wrong one; HTML.</summary>
    public string? Solution { get; init; }

    /// <summary>For concept checks: why the right answer is right (shown after answering); HTML.</summary>
    public string? Reason { get; init; }

    /// <summary>Where the concept is shown live: a module id and optionally a widget id in its lesson.</summary>
    public SeeAlso? See { get; init; }

    /// <summary>For training exercises: what the server measured (epochs, accuracies, advice); serialized as is.</summary>
    public object? Training { get; init; }
}
