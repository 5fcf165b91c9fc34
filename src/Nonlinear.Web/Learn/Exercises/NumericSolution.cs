namespace Nonlinear.Web.Learn.Exercises;

/// <summary>What a numeric exercise's checker and tutor know: the answers, the mistakes to recognise, the hints and the
/// worked solution. Kept as <see cref="Exercise.Solution"/> (regenerated from the seed for every check).</summary>
/// <param name="Answers">The numbers asked for, in the order of the fields.</param>
/// <param name="Mistakes">Recognised mistakes, most specific first (the first that matches is named).</param>
/// <param name="Hints">Hint 1 (after the first wrong try) and hint 2 (after the second); HTML.</param>
/// <param name="Worked">The worked solution with every intermediate number; HTML.</param>
/// <param name="See">Where the idea is shown live.</param>
internal sealed record NumericSolution(
    IReadOnlyList<NumericAnswer> Answers,
    IReadOnlyList<MistakeRule> Mistakes,
    IReadOnlyList<string> Hints,
    string Worked,
    SeeAlso See)
{
    /// <summary>Added to the 400 when a field holds "NaN" or "Infinity" (e.g. the overflow story for large logits).</summary>
    public string? NonFiniteNote { get; init; }

    /// <summary>The exact answers by field, as a sheet where everything is accepted.</summary>
    public AnswerSheet ExactSheet() => new(
        Answers.ToDictionary(a => a.Field, a => a.Exact),
        Answers.ToDictionary(a => a.Field, _ => true));

    /// <summary>
    /// Whether the mistake <paramref name="code"/> gives numbers that differ from the right ones by more than the two
    /// tolerances (around the right and the mistaken value) in some field, so an answer cannot be both right and that mistake. Generators resample until the
    /// mistakes their exercise is about are told apart.
    /// </summary>
    public bool Distinguishes(string code)
    {
        var rule = Mistakes.FirstOrDefault(m => m.Code == code);
        return rule is not null && Distinct(rule);
    }

    /// <summary>This solution without the mistakes that cannot be told apart from the right answer on these numbers.</summary>
    public NumericSolution WithoutIndistinct() => this with { Mistakes = [.. Mistakes.Where(Distinct)] };

    private bool Distinct(MistakeRule rule)
    {
        var expected = rule.Expected(ExactSheet());
        if (expected is null)
        {
            // The rule reads a wrong answer (e.g. "follows from your wrong z"): it cannot coincide with the right one.
            return true;
        }

        return expected.Any(pair =>
        {
            var answer = Answers.FirstOrDefault(a => a.Field == pair.Key);
            return answer is not null && !(Math.Abs(pair.Value - answer.Exact) <= answer.Tolerance + answer.ToleranceAt(pair.Value));
        });
    }
}
