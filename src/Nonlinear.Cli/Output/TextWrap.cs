using System.Text;

namespace Nonlinear.Cli.Output;

/// <summary>Word-wrapping for label/value text, without the trailing padding a Spectre grid adds.</summary>
internal static class TextWrap
{
    /// <summary>
    /// Lines of "<paramref name="label"/>  <paramref name="text"/>", the label padded to
    /// <paramref name="labelWidth"/> and continuation lines indented under the text.
    /// </summary>
    public static IEnumerable<string> LabelledLines(string label, string text, int labelWidth, int width)
    {
        int room = Math.Max(20, width - labelWidth);
        bool first = true;
        foreach (var line in Wrap(text, room))
        {
            yield return (first ? label.PadRight(labelWidth) : new string(' ', labelWidth)) + line;
            first = false;
        }
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        yield return line.ToString();
    }
}
