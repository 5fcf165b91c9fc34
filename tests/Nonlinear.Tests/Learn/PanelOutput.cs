using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace Nonlinear.Tests.Learn;

/// <summary>What a code panel's Run printed, read back as numbers: lines of "name = v1 v2 ...  other = ..." fields.</summary>
internal sealed partial class PanelOutput
{
    private readonly string[] _lines;

    private PanelOutput(string text)
    {
        Text = text;
        _lines = text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Everything printed.</summary>
    public string Text { get; }

    /// <summary>Runs <paramref name="run"/> (a panel's Run) and keeps what it printed.</summary>
    public static PanelOutput Of(Action<TextWriter> run)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        run(writer);
        return new PanelOutput(writer.ToString());
    }

    /// <summary>The lines that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> Lines(string prefix) => [.. _lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>The one line that starts with <paramref name="prefix"/>.</summary>
    public string Line(string prefix) => Assert.Single(Lines(prefix));

    /// <summary>The numbers of field <paramref name="name"/> on the one line that has it (fields are separated by two spaces).</summary>
    public double[] Field(string name)
    {
        var found = _lines.SelectMany(Fields).Where(f => f.Name == name).ToList();
        Assert.True(found.Count == 1, $"Expected one field '{name}' in:\n{Text}");
        return found[0].Values;
    }

    /// <summary>The fields of <paramref name="line"/>: "x = 1  slope = 0.25" → (x, [1]), (slope, [0.25]).</summary>
    public static IEnumerable<(string Name, double[] Values)> Fields(string line) =>
        line.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split(" = ", 2))
            .Where(pair => pair.Length == 2)
            .Select(pair => (pair[0], Numbers(pair[1])));

    /// <summary>Every number in <paramref name="text"/> (NaN and infinities included).</summary>
    public static double[] Numbers(string text) =>
        [.. Number().Matches(text).Select(m => double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"-?(?:Infinity|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
