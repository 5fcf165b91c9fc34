namespace Nonlinear.Web.Learn;

/// <summary>A module's code panel: the same idea as C# with Nonlinear, as a <c>nonlinear</c> command and as PyTorch.</summary>
/// <param name="CSharp">The shown part of Learn/Content/code/mN.cs (between <c>// &lt;show&gt;</c> and <c>// &lt;/show&gt;</c>), dedented.</param>
/// <param name="Cli">Learn/Content/code/mN.sh as it is.</param>
/// <param name="PyTorch">Learn/Content/code/mN.py as it is.</param>
internal sealed record CodePanel(string CSharp, string Cli, string PyTorch)
{
    /// <summary>The line that opens a shown part of a C# panel.</summary>
    public const string ShowStart = "// <show>";

    /// <summary>The line that closes it.</summary>
    public const string ShowEnd = "// </show>";

    /// <summary>The panel <paramref name="name"/> ("m3": code/m3.cs, .sh, .py).</summary>
    /// <exception cref="InvalidOperationException">A file is missing or the C# has no well-formed shown part (a course bug).</exception>
    public static CodePanel Load(string name)
    {
        string file = $"code/{name}.cs";
        return new CodePanel(ShownPart(Read(file), file), Read($"code/{name}.sh").Trim(), Read($"code/{name}.py").Trim());
    }

    /// <summary>
    /// The lines between each <c>// &lt;show&gt;</c> and the next <c>// &lt;/show&gt;</c>, each part dedented by its
    /// common indentation (the code sits inside a class and a method; the panel shows it flush left), the parts
    /// separated by a blank line.
    /// </summary>
    /// <exception cref="InvalidOperationException">No shown part, or the markers do not pair up.</exception>
    public static string ShownPart(string source, string file)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parts = new List<string>();
        List<string>? part = null;
        int number = 0;
        foreach (string raw in source.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            string trimmed = raw.Trim();
            if (trimmed == ShowStart)
            {
                part = part is null ? [] : throw new InvalidOperationException($"{file}, line {number}: '{ShowStart}' inside a shown part (close the first with '{ShowEnd}').");
            }
            else if (trimmed == ShowEnd)
            {
                parts.Add(Dedent(part ?? throw new InvalidOperationException($"{file}, line {number}: '{ShowEnd}' without '{ShowStart}' before it.")));
                part = null;
            }
            else
            {
                part?.Add(raw.TrimEnd());
            }
        }

        if (part is not null)
        {
            throw new InvalidOperationException($"{file}: '{ShowStart}' is never closed with '{ShowEnd}'.");
        }

        string shown = string.Join("\n\n", parts.Where(p => p.Length > 0));
        return shown.Length > 0 ? shown : throw new InvalidOperationException($"{file}: no code between '{ShowStart}' and '{ShowEnd}': the panel would be empty.");
    }

    private static string Dedent(List<string> lines)
    {
        int start = lines.FindIndex(l => l.Length > 0);
        int end = lines.FindLastIndex(l => l.Length > 0);
        if (start < 0)
        {
            return "";
        }

        var kept = lines.GetRange(start, end - start + 1);
        int indent = kept.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", kept.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    private static string Read(string path)
    {
        try
        {
            using var stream = Course.OpenContent(path);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException($"The code panel file Learn/Content/{path} (named by course.json) is missing.", e);
        }
    }
}
