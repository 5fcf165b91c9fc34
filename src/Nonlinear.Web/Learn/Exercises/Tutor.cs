using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The rule-based tutor for numeric exercises: accepts numbers within the stated tolerance (also when they follow from
/// the learner's own rounded intermediates), names the first recognised mistake with the learner's numbers, gives hint 1
/// after the first wrong try and hint 2 after the second, and the worked solution after the third wrong try or a right
/// answer.
/// </summary>
internal static class Tutor
{
    /// <summary>Wrong tries of a variant after which the worked solution is shown.</summary>
    public const int TriesBeforeSolution = 3;

    /// <summary>Checks <paramref name="answers"/> against <paramref name="solution"/>; <paramref name="attempt"/> is 1 for the first try.</summary>
    /// <exception cref="WebRequestException">400: a field is missing or not a finite number.</exception>
    public static Verdict Check(NumericSolution solution, IReadOnlyDictionary<string, JsonElement> answers, int attempt)
    {
        ArgumentNullException.ThrowIfNull(solution);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var answer in solution.Answers)
        {
            values[answer.Field] = AnswerReader.Number(answers, answer.Field, solution.NonFiniteNote);
        }

        // Fields are judged in order, so a carried value (a from the learner's z) sees whether the fields it uses passed.
        var accepted = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var answer in solution.Answers)
        {
            accepted[answer.Field] = Accepts(answer, values[answer.Field], new AnswerSheet(values, accepted));
        }

        var sheet = new AnswerSheet(values, accepted);
        bool correct = accepted.Values.All(ok => ok);
        if (correct)
        {
            return new Verdict(true, accepted, null, Praise(solution, sheet)) { Solution = solution.Worked, See = solution.See };
        }

        var mistake = solution.Mistakes.FirstOrDefault(rule => Matches(rule, solution, sheet));
        string feedback = mistake?.Feedback(sheet) ?? NotYet(solution, sheet);
        return new Verdict(false, accepted, mistake?.Code, feedback)
        {
            Hint = solution.Hints.Count == 0 ? null : solution.Hints[Math.Clamp(attempt, 1, solution.Hints.Count) - 1],
            Solution = attempt >= TriesBeforeSolution ? solution.Worked : null,
            See = solution.See,
        };
    }

    /// <summary>Whether <paramref name="value"/> is within <paramref name="tolerance"/> of <paramref name="target"/>
    /// (with a hair of slack for the binary rounding of decimal answers at the very edge).</summary>
    public static bool Near(double value, double target, double tolerance) =>
        Math.Abs(value - target) <= tolerance * (1 + 1e-9) + 1e-12;

    private static bool Accepts(NumericAnswer answer, double value, AnswerSheet sheet)
    {
        if (Near(value, answer.Exact, answer.Tolerance))
        {
            return true;
        }

        if (answer.Carried is null || !(answer.DependsOn ?? []).All(sheet.Right))
        {
            return false;
        }

        double carried = answer.Carried(sheet);
        return Near(value, carried, answer.ToleranceAt(carried));
    }

    private static bool Matches(MistakeRule rule, NumericSolution solution, AnswerSheet sheet)
    {
        var expected = rule.Expected(sheet);
        if (expected is null || expected.Count == 0)
        {
            return false;
        }

        bool anyWrong = false;
        foreach (var (field, value) in expected)
        {
            var answer = solution.Answers.FirstOrDefault(a => a.Field == field);
            if (answer is null || !double.IsFinite(value) || !Near(sheet[field], value, answer.ToleranceAt(value)))
            {
                return false;
            }

            anyWrong |= !sheet.Right(field);
        }

        return anyWrong;
    }

    private static string Praise(NumericSolution solution, AnswerSheet sheet) =>
        "<p>Right: " + string.Join(", ", solution.Answers.Select(a => $"{a.Label} = {MathMarkup.Theirs(sheet[a.Field])}")) + ".</p>";

    /// <summary>How close an answer must be, as the prompt says it: "within ±0.001" or "within 2 %".</summary>
    public static string Within(NumericAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Relative is { } share
            ? $"within {MathMarkup.Given(share * 100)} %"
            : $"within ±{MathMarkup.Theirs(answer.Tolerance)}";
    }

    private static string NotYet(NumericSolution solution, AnswerSheet sheet)
    {
        var right = solution.Answers.Where(a => sheet.Right(a.Field)).Select(a => a.Label).ToList();
        var wrong = solution.Answers.Where(a => !sheet.Right(a.Field))
            .Select(a => $"{a.Label} (you gave {MathMarkup.Theirs(sheet[a.Field])}; {Within(a)} is accepted)")
            .ToList();
        string rightPart = right.Count == 0 ? "" : $"{string.Join(" and ", right)} {(right.Count == 1 ? "is" : "are")} right; ";
        return $"<p>Not yet: {rightPart}{string.Join(" and ", wrong)} {(wrong.Count == 1 ? "is" : "are")} off.</p>";
    }
}
