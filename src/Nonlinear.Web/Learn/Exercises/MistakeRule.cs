namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// A likely mistake the tutor recognises: the numbers a learner who made it would give (for some fields), and what to
/// tell them, with their own numbers.
/// </summary>
/// <param name="Code">Stable code stored with the attempt, e.g. "forgot-bias".</param>
/// <param name="Expected">
/// The mistaken values for the fields this mistake affects, given the learner's sheet (some mistakes follow from the
/// learner's other answers); null when the rule does not apply to this sheet. The rule matches when every one of
/// these fields is within its tolerance of the mistaken value and at least one of them was not accepted.
/// </param>
/// <param name="Feedback">The tutor's words (HTML made by the server) for a learner who made it.</param>
internal sealed record MistakeRule(string Code, Func<AnswerSheet, IReadOnlyDictionary<string, double>?> Expected, Func<AnswerSheet, string> Feedback)
{
    /// <summary>A mistake that gives <paramref name="value"/> for one field, whatever else the learner answered.</summary>
    public static MistakeRule For(string code, string field, double value, Func<AnswerSheet, string> feedback) =>
        new(code, _ => new Dictionary<string, double> { [field] = value }, feedback);

    /// <summary>A mistake that gives fixed values for several fields.</summary>
    public static MistakeRule For(string code, IReadOnlyDictionary<string, double> values, Func<AnswerSheet, string> feedback) =>
        new(code, _ => values, feedback);
}
