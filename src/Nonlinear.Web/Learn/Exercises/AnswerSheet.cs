namespace Nonlinear.Web.Learn.Exercises;

/// <summary>A learner's numbers for one attempt and which of them were accepted; what the tutor's rules read.</summary>
internal sealed class AnswerSheet(IReadOnlyDictionary<string, double> values, IReadOnlyDictionary<string, bool> accepted)
{
    /// <summary>The learner's number for <paramref name="field"/>.</summary>
    public double this[string field] => values[field];

    /// <summary>Every number given, by field.</summary>
    public IReadOnlyDictionary<string, double> Values => values;

    /// <summary>Whether the learner's <paramref name="field"/> was accepted.</summary>
    public bool Right(string field) => accepted.TryGetValue(field, out bool ok) && ok;

    /// <summary>The learner's <paramref name="field"/> when it was accepted, otherwise <paramref name="exact"/>: the
    /// value the next step should have used.</summary>
    public double Theirs(string field, double exact) => Right(field) ? values[field] : exact;
}
