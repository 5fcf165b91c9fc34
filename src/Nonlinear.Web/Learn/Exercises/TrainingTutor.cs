using System.Globalization;
using System.Net;
using System.Text.Json;
using Nonlinear.Diagnostics;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// What the two training kinds (make-it-learn, fix-network) share: reading their course.json parameters and the
/// learner's text answers, the hints in steps and the solution after the third wrong try, the words for the
/// playground's datasets, and the advisor's findings as the verdict lists them.
/// </summary>
internal static class TrainingTutor
{
    /// <summary>Wrong tries of a variant after which the worked solution is shown (as for every exercise).</summary>
    public const int TriesBeforeSolution = 3;

    /// <summary>Hint 1 after the first wrong try, hint 2 after the second (the last one after that).</summary>
    public static string? Hint(IReadOnlyList<string> hints, int attempt) =>
        hints.Count == 0 ? null : hints[Math.Clamp(attempt, 1, hints.Count) - 1];

    /// <summary>The solution after a right answer or the third wrong try; null before.</summary>
    public static string? Solution(bool correct, int attempt, string solution) =>
        correct || attempt >= TriesBeforeSolution ? solution : null;

    /// <summary>A text parameter that must be there.</summary>
    /// <exception cref="InvalidOperationException">It is missing (a course bug; the tests generate every exercise).</exception>
    public static string Required(ExerciseDefinition definition, string name)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string value = definition.Text(name, "");
        return value.Length > 0 ? value : throw new InvalidOperationException($"Exercise {definition.Id}: the parameter '{name}' is missing.");
    }

    /// <summary>A whole-number parameter, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="InvalidOperationException">It is not a whole number.</exception>
    public static int Integer(ExerciseDefinition definition, string name, int fallback)
    {
        ArgumentNullException.ThrowIfNull(definition);
        double value = definition.Number(name, fallback);
        return value == Math.Floor(value) && value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new InvalidOperationException($"Exercise {definition.Id}: the parameter '{name}' = {value} is not a whole number.");
    }

    /// <summary>A parameter that is a list of texts (e.g. the hints); empty when absent.</summary>
    public static IReadOnlyList<string> Texts(ExerciseDefinition definition, string name)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Parameters is null || !definition.Parameters.TryGetValue(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateArray().Select(e => e.GetString()!)]
            : throw new InvalidOperationException($"Exercise {definition.Id}: the parameter '{name}' must be a list of texts.");
    }

    /// <summary>Where the exercise's idea is shown: the parameters "seeAnchor" and "seeLabel", or the module's lesson.</summary>
    public static SeeAlso See(ExerciseDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string anchor = definition.Text("seeAnchor", "");
        return new SeeAlso(definition.ModuleId, anchor.Length == 0 ? null : anchor,
            definition.Text("seeLabel", $"the lesson of module {definition.ModuleId.TrimStart('m')}"));
    }

    /// <summary>The text the learner sent for <paramref name="field"/>; a 400 naming the field when it is missing, not text or longer than <paramref name="maxLength"/>.</summary>
    public static string ReadText(IReadOnlyDictionary<string, JsonElement> answers, string field, int maxLength, string what)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (!answers.TryGetValue(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw WebRequestException.BadRequest($"The answer has no value for '{field}': send {what}.");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw WebRequestException.BadRequest($"'{field}' must be text ({what}), not {value.ValueKind.ToString().ToLowerInvariant()}.");
        }

        string text = value.GetString()!;
        return text.Length <= maxLength
            ? text
            : throw WebRequestException.BadRequest($"'{field}' is {text.Length:N0} characters long; {what} here has at most {maxLength:N0}.");
    }

    /// <summary>The option the learner chose for <paramref name="field"/>; a 400 naming the field when it is none of <paramref name="options"/>.</summary>
    public static string ReadChoice(IReadOnlyDictionary<string, JsonElement> answers, string field, IReadOnlyList<ChoiceOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string chosen = ReadText(answers, field, 100, "the value of one of its options");
        return options.Any(o => o.Value == chosen)
            ? chosen
            : throw WebRequestException.BadRequest($"'{field}' is '{Shorten(chosen)}', which is none of the options ({string.Join(", ", options.Select(o => o.Value))}).");
    }

    /// <summary>An accuracy as the tutor writes it, e.g. "0.984".</summary>
    public static string Accuracy(double accuracy) => accuracy.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A number as the prompt writes it (shortest round-trip form).</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary><paramref name="text"/> safe inside the server's HTML (learner text, engine messages that quote it).</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The value for JSON: null for NaN (not trained, diverged).</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>The data of a playground dataset in words, e.g. "XOR (points in the four quadrants; class 1 where x₁ and x₂ have the same sign)".</summary>
    public static string DataText(string dataset, int classes) => dataset switch
    {
        "xor" => "XOR (points in the four quadrants; class 1 where x₁ and x₂ have the same sign)",
        "circle" => "the circle (class 1 inside a disc of radius 2.5, class 0 in the ring around it)",
        "spiral" => $"the spiral ({(classes == 2 ? "two arms" : $"{classes} arms")} winding around each other, one class per arm)",
        "gauss" => $"{classes} Gaussian clusters (one class each)",
        _ => $"the {dataset} data",
    };

    /// <summary>The dataset's short name, e.g. "XOR", "the circle".</summary>
    public static string DataName(string dataset) => dataset switch
    {
        "xor" => "XOR",
        "gauss" => "the Gaussian clusters",
        _ => $"the {dataset}",
    };

    /// <summary>Why a straight boundary cannot separate the dataset's classes.</summary>
    public static string WhyNotStraight(string dataset) => dataset switch
    {
        "xor" => "XOR's classes sit in opposite corners, which no straight line separates",
        "circle" => "no straight line separates the inner disc from the ring around it",
        "spiral" => "no straight line separates arms that wind around each other",
        _ => "these classes need a bent boundary",
    };

    /// <summary>The advisor's finding as the verdict lists it; <paramref name="renumber"/> names layers the learner's way.</summary>
    public static TrainingAdvice Advice(Advice advice, string stage, Func<string, string> renumber)
    {
        ArgumentNullException.ThrowIfNull(advice);
        ArgumentNullException.ThrowIfNull(renumber);
        return new TrainingAdvice(stage, advice.Severity.ToString().ToLowerInvariant(), advice.Code, renumber(advice.Message), renumber(advice.Reason), renumber(advice.Fix));
    }

    /// <summary>One finding as a paragraph of feedback: what is wrong and what to do.</summary>
    public static string Paragraph(TrainingAdvice advice)
    {
        ArgumentNullException.ThrowIfNull(advice);
        return $"<p>The advisor, {advice.Stage}: {Encode(advice.Message)} {Encode(advice.Fix)}</p>";
    }

    private static string Shorten(string text) => text.Length > 20 ? text[..20] + "…" : text;
}
