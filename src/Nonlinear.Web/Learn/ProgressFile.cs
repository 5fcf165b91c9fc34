using System.Globalization;
using System.Text.Json;

namespace Nonlinear.Web.Learn;

/// <summary>
/// A learner's progress as a file (<c>GET /api/learn/progress/export</c>, <c>POST /api/learn/progress/import</c>):
/// format "nonlinear-progress", version 1, with the variants, every attempt (its answer as sent, verbatim) and the
/// completed modules. Learner ids are not in it, so it imports into any profile on any machine.
/// </summary>
/// <param name="Format">Always <see cref="FormatName"/>.</param>
/// <param name="Version">Always <see cref="CurrentVersion"/> for files this build writes.</param>
/// <param name="Exported">When it was written (UTC, ISO 8601).</param>
/// <param name="Learner">The profile's name (informative; import goes into the signed-in learner).</param>
/// <param name="Variants">The variant worked on per exercise.</param>
/// <param name="Attempts">Every stored attempt, oldest first.</param>
/// <param name="Completions">The completed modules.</param>
internal sealed record ProgressFile(
    string? Format,
    int? Version,
    string? Exported,
    string? Learner,
    IReadOnlyList<ProgressFile.VariantEntry?>? Variants,
    IReadOnlyList<ProgressFile.AttemptEntry?>? Attempts,
    IReadOnlyList<ProgressFile.CompletionEntry?>? Completions)
{
    /// <summary>The value of "format".</summary>
    public const string FormatName = "nonlinear-progress";

    /// <summary>The version this build writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The largest file accepted for import.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The most attempts one file may hold.</summary>
    public const int MaxAttempts = 20_000;

    /// <summary>The longest stored answer (the answer endpoint accepts no larger body).</summary>
    public const int MaxAnswerLength = 16 * 1024;

    /// <summary>The highest variant number accepted.</summary>
    public const int MaxVariant = 1_000_000;

    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>
    /// Checks everything an import would write, before anything is written: the format and version, sizes, known
    /// exercise and module ids, variants, answers (JSON objects), mistake codes and times.
    /// </summary>
    /// <exception cref="WebRequestException">400 naming the first problem (with its place in the file).</exception>
    public void Validate(Course course)
    {
        ArgumentNullException.ThrowIfNull(course);
        if (Format != FormatName)
        {
            throw WebRequestException.BadRequest($"This is not a Nonlinear progress file: its \"format\" is {Describe(Format)}, expected \"{FormatName}\".");
        }

        if (Version != CurrentVersion)
        {
            throw WebRequestException.BadRequest($"This progress file has version {(Version is null ? "(none)" : Version.Value.ToString(CultureInfo.InvariantCulture))}; this build reads version {CurrentVersion}.");
        }

        Count(Variants, "variants", course.Modules.Sum(m => m.Exercises.Count));
        Count(Attempts, "attempts", MaxAttempts);
        Count(Completions, "completions", course.Modules.Count);
        for (int i = 0; i < (Variants?.Count ?? 0); i++)
        {
            var entry = Variants![i] ?? throw Bad($"variants[{i}] is null.");
            KnownExercise(course, entry.Exercise, $"variants[{i}]");
            VariantNumber(entry.Variant, $"variants[{i}]");
        }

        for (int i = 0; i < (Attempts?.Count ?? 0); i++)
        {
            string where = $"attempts[{i}]";
            var entry = Attempts![i] ?? throw Bad($"{where} is null.");
            KnownExercise(course, entry.Exercise, where);
            VariantNumber(entry.Variant, where);
            if (entry.Answer is null || entry.Answer.Length > MaxAnswerLength)
            {
                throw Bad($"{where}.answer must be the answer as sent (a JSON object as text, at most {MaxAnswerLength} characters).");
            }

            try
            {
                using var answer = JsonDocument.Parse(entry.Answer);
                if (answer.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Bad($"{where}.answer is not a JSON object.");
                }
            }
            catch (JsonException)
            {
                throw Bad($"{where}.answer is not valid JSON.");
            }

            if (entry.Correct is null)
            {
                throw Bad($"{where}.correct must be true or false.");
            }

            if (entry.Mistake is not null && (entry.Mistake.Length is 0 or > 64 || !entry.Mistake.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
            {
                throw Bad($"{where}.mistake must be a mistake code (lower-case letters, digits and '-', at most 64) or null.");
            }

            Time(entry.Created, $"{where}.created");
        }

        for (int i = 0; i < (Completions?.Count ?? 0); i++)
        {
            var entry = Completions![i] ?? throw Bad($"completions[{i}] is null.");
            if (entry.Module is null || !course.Modules.Any(m => m.Id == entry.Module))
            {
                throw Bad($"completions[{i}].module {Describe(entry.Module)} is not a module of this course (m1-m9).");
            }

            Time(entry.Completed, $"completions[{i}].completed");
        }
    }

    /// <summary>A time as stored (ISO 8601 UTC to the millisecond), e.g. "2025-03-01T12:00:00.000Z".</summary>
    public static bool IsTime(string? text) =>
        text is not null && DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _);

    private static void Count<T>(IReadOnlyList<T>? list, string name, int max)
    {
        if (list is not null && list.Count > max)
        {
            throw Bad($"The file has {list.Count} {name}; at most {max} are accepted.");
        }
    }

    private static void KnownExercise(Course course, string? id, string where)
    {
        if (id is null || !course.Modules.Any(m => m.Exercises.Any(e => e.Id == id)))
        {
            throw Bad($"{where}.exercise {Describe(id)} is not an exercise of this course.");
        }
    }

    private static void VariantNumber(int? variant, string where)
    {
        if (variant is null or < 0 or > MaxVariant)
        {
            throw Bad($"{where}.variant must be a whole number from 0 to {MaxVariant}.");
        }
    }

    private static void Time(string? text, string where)
    {
        if (!IsTime(text))
        {
            throw Bad($"{where} must be a time like \"2025-03-01T12:00:00.000Z\".");
        }
    }

    private static string Describe(string? text) =>
        text is null ? "(missing)" : "\"" + (text.Length > 40 ? text[..40] + "…" : text) + "\"";

    private static WebRequestException Bad(string message) => WebRequestException.BadRequest("The progress file was not imported: " + message);

    /// <summary>The variant worked on for one exercise.</summary>
    public sealed record VariantEntry(string? Exercise, int? Variant);

    /// <summary>One attempt: the exercise, the variant, the answer as sent (JSON text), the verdict and when.</summary>
    public sealed record AttemptEntry(string? Exercise, int? Variant, string? Answer, bool? Correct, string? Mistake, string? Created);

    /// <summary>A completed module and when.</summary>
    public sealed record CompletionEntry(string? Module, string? Completed);
}
