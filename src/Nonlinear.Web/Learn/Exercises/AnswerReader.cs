using System.Globalization;
using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// Reads the values the page sent for an exercise's fields. Anything that is not an answer (a missing field, a string
/// where a number belongs, "NaN", an option that does not exist) is a 400 naming the field, which does not count as
/// an attempt.
/// </summary>
internal static class AnswerReader
{
    /// <summary>The finite number sent for <paramref name="field"/>.</summary>
    /// <param name="answers">Field name to JSON value, as sent.</param>
    /// <param name="field">The field.</param>
    /// <param name="nonFiniteNote">Appended to the refusal of "NaN"/"Infinity" (the exercise's own explanation), or null.</param>
    public static double Number(IReadOnlyDictionary<string, JsonElement> answers, string field, string? nonFiniteNote = null)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (!answers.TryGetValue(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw WebRequestException.BadRequest($"The answer has no value for '{field}': give a number.");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out double number) && double.IsFinite(number):
                return number;
            case JsonValueKind.Number:
                throw WebRequestException.BadRequest($"'{field}' is too large to be a number here; give a finite number.");
            case JsonValueKind.String:
                string text = value.GetString() ?? "";
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && !double.IsFinite(parsed)
                    || text.Trim().Equals("inf", StringComparison.OrdinalIgnoreCase) || text.Trim().Equals("-inf", StringComparison.OrdinalIgnoreCase))
                {
                    throw WebRequestException.BadRequest($"'{field}' is {Quote(text)}, not a finite number.{(nonFiniteNote is null ? "" : " " + nonFiniteNote)}");
                }

                throw WebRequestException.BadRequest($"'{field}' must be a number, not the text {Quote(text)}.");
            default:
                throw WebRequestException.BadRequest($"'{field}' must be a number, not {Describe(value.ValueKind)}.");
        }
    }

    /// <summary>The option value sent for the choice field <paramref name="field"/> (one of <paramref name="options"/>).</summary>
    public static string Choice(IReadOnlyDictionary<string, JsonElement> answers, string field, IReadOnlyList<ChoiceOption> options)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(options);
        if (!answers.TryGetValue(field, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw WebRequestException.BadRequest($"The answer has no value for '{field}': choose one of the options.");
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw WebRequestException.BadRequest($"'{field}' must be the value of an option (a string), not {Describe(value.ValueKind)}.");
        }

        string chosen = value.GetString() ?? "";
        return options.Any(o => o.Value == chosen)
            ? chosen
            : throw WebRequestException.BadRequest($"'{field}' is {Quote(chosen)}, which is none of the options ({string.Join(", ", options.Select(o => o.Value))}).");
    }

    private static string Quote(string text) => "'" + (text.Length > 20 ? text[..20] + "…" : text) + "'";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.String => "text",
        _ => "empty",
    };
}
