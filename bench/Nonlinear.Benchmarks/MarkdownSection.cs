namespace Nonlinear.Benchmarks;

/// <summary>
/// One level-2 section of a markdown file: from a line that starts with its heading (e.g. "## Training step")
/// up to the next level-2 heading ("## ...", outside fenced code blocks) or the end of the file. Lets the
/// train-step mode replace only its own section of docs/benchmarks.md and the side-by-side mode, which rewrites
/// that file wholesale, carry the section over.
/// </summary>
internal static class MarkdownSection
{
    public const string TrainingStepHeading = "## Training step";

    public const string MatrixMultiplyHeading = "## Matrix multiply";

    /// <summary>The section (heading line included, trailing blank lines trimmed, ending in a newline), or null if the text has none.</summary>
    public static string? Extract(string text, string heading)
    {
        var lines = SplitLines(text);
        var (start, end) = Find(lines, heading);
        return start < 0 ? null : string.Join('\n', lines[start..end]).TrimEnd() + "\n";
    }

    /// <summary>
    /// The text with the section replaced by <paramref name="section"/> (which starts with the heading line), or
    /// with <paramref name="section"/> appended after a blank line when there is none.
    /// </summary>
    public static string Replace(string text, string heading, string section)
    {
        section = section.TrimEnd() + "\n";
        var lines = SplitLines(text);
        var (start, end) = Find(lines, heading);
        if (start < 0)
        {
            return text.TrimEnd() + "\n\n" + section;
        }

        var before = string.Join('\n', lines[..start]).TrimEnd();
        var after = string.Join('\n', lines[end..]).Trim();
        return (before.Length == 0 ? "" : before + "\n\n") + section + (after.Length == 0 ? "" : "\n" + after + "\n");
    }

    /// <summary>Writes <paramref name="section"/> into <paramref name="path"/>, keeping the rest of the file (created with a title if missing).</summary>
    public static void WriteInto(string path, string heading, string section)
    {
        string existing = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        File.WriteAllText(path, Replace(existing, heading, section));
    }

    private static string[] SplitLines(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    /// <summary>[start, end) line range of the section; start = -1 when absent.</summary>
    private static (int Start, int End) Find(string[] lines, string heading)
    {
        int start = -1;
        bool fenced = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (fenced || !IsLevel2(line))
            {
                continue;
            }

            if (start >= 0)
            {
                return (start, i);
            }

            var trimmed = line.TrimEnd();
            if (trimmed.StartsWith(heading, StringComparison.Ordinal) && (trimmed.Length == heading.Length || !char.IsLetterOrDigit(trimmed[heading.Length])))
            {
                start = i;
            }
        }

        return (start, lines.Length);
    }

    private static bool IsLevel2(string line) => line.StartsWith("## ", StringComparison.Ordinal);
}
