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
    /// Whether the mistakes <paramref name="codes"/> can all be told apart on these numbers: each gives numbers that
    /// differ from the right ones by more than the two tolerances (around the right and the mistaken value) in some
    /// field, and no two of them give the same numbers in the fields they share. Generators draw again until the
    /// mistakes their exercise is about are told apart, so the tutor never names one for another.
    /// </summary>
    public bool TellsApart(IReadOnlyCollection<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var rules = Mistakes.Where(m => codes.Contains(m.Code)).ToList();
        if (!codes.All(code => rules.Any(r => r.Code == code)) || !rules.All(Distinct))
        {
            return false;
        }

        var exact = ExactSheet();
        var expected = rules.Select(r => r.Expected(exact)).ToList();
        for (int i = 0; i < rules.Count; i++)
        {
            for (int j = i + 1; j < rules.Count; j++)
            {
                if (rules[i].Code != rules[j].Code && Coincide(expected[i], expected[j]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>This solution without the mistakes that cannot be told apart from the right answer on these numbers.</summary>
    public NumericSolution WithoutIndistinct() => this with { Mistakes = [.. Mistakes.Where(Distinct)] };

    private bool Coincide(IReadOnlyDictionary<string, double>? first, IReadOnlyDictionary<string, double>? second)
    {
        if (first is null || second is null)
        {
            return false;
        }

        var shared = first.Keys.Where(second.ContainsKey).ToList();
        return shared.Count > 0 && shared.All(field =>
        {
            var answer = Answers.First(a => a.Field == field);
            return Math.Abs(first[field] - second[field]) <= answer.ToleranceAt(first[field]) + answer.ToleranceAt(second[field]);
        });
    }

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
