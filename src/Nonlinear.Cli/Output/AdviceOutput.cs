using System.Globalization;
using System.Text.Json;
using Nonlinear.Diagnostics;
using Spectre.Console;

namespace Nonlinear.Cli.Output;

/// <summary>How advice is shown: a table with the reasons below it, compact lines before training, or JSON.</summary>
internal static class AdviceOutput
{
    /// <summary>"info", "warning" or "error".</summary>
    public static string Severity(Advice advice) => advice.Severity.ToString().ToLowerInvariant();

    /// <summary>The advice as a JSON array of {severity, code, layer, message, reason, fix} (layer null for the whole model).</summary>
    public static void WriteArray(Utf8JsonWriter w, IEnumerable<Advice> advice)
    {
        w.WriteStartArray();
        foreach (var a in advice)
        {
            w.WriteStartObject();
            w.WriteString("severity", Severity(a));
            w.WriteString("code", a.Code);
            if (a.Layer is { } layer)
            {
                w.WriteNumber("layer", layer);
            }
            else
            {
                w.WriteNull("layer");
            }

            w.WriteString("message", a.Message);
            w.WriteString("reason", a.Reason);
            w.WriteString("fix", a.Fix);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A numbered table (severity, layer, problem, fix), then why each one matters, then the counts.</summary>
    public static void WriteTable(CliContext context, IReadOnlyList<Advice> advice)
    {
        var console = context.CreateConsole();
        if (advice.Count == 0)
        {
            console.WriteLine("No problems found.");
            return;
        }

        var table = new Table().AddColumns("#", "severity", "layer", "problem", "fix");
        for (int i = 0; i < advice.Count; i++)
        {
            var a = advice[i];
            table.AddRow(
                new Text(Number(i + 1)),
                new Text(Severity(a)),
                new Text(a.Layer is { } l ? Number(l) : "-"),
                new Text($"{a.Message} [{a.Code}]"),
                new Text(a.Fix));
        }

        console.Write(table);
        console.WriteLine();
        console.WriteLine("Why:");
        for (int i = 0; i < advice.Count; i++)
        {
            foreach (var line in TextWrap.LabelledLines($"  {Number(i + 1)}.", advice[i].Reason, 6, context.TextWidth))
            {
                console.WriteLine(line);
            }
        }

        console.WriteLine();
        console.WriteLine(Counts(advice) + (advice.All(a => a.Severity == AdviceSeverity.Info) ? ": no warnings or errors." : "."));
    }

    /// <summary>Two lines per finding (what, then the fix), for the start of a training run.</summary>
    public static void WriteCompact(TextWriter output, IReadOnlyList<Advice> advice, string? header = null)
    {
        if (advice.Count == 0)
        {
            return;
        }

        output.WriteLine(header ?? $"advice: {Counts(advice)} ('nonlinear advise' explains why; --no-advice hides this)");
        foreach (var a in advice)
        {
            output.WriteLine($"  {Severity(a)} {a.Code}{(a.Layer is { } l ? $" (layer {Number(l)})" : "")}: {a.Message}");
            output.WriteLine($"    fix: {a.Fix}");
        }

        output.WriteLine();
    }

    /// <summary>"1 error, 2 warnings, 1 note".</summary>
    public static string Counts(IReadOnlyList<Advice> advice)
    {
        var parts = new List<string>();
        void Add(AdviceSeverity severity, string one, string many)
        {
            int n = advice.Count(a => a.Severity == severity);
            if (n > 0)
            {
                parts.Add($"{Number(n)} {(n == 1 ? one : many)}");
            }
        }

        Add(AdviceSeverity.Error, "error", "errors");
        Add(AdviceSeverity.Warning, "warning", "warnings");
        Add(AdviceSeverity.Info, "note", "notes");
        return string.Join(", ", parts);
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
