using Nonlinear.Cli.Output;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// Reads the x values for eval from the command line or stdin. Separators are whitespace and commas, so both
/// "1 2 3" and a pasted "[1, 2, 3]"-style list without brackets work; a bad token is reported with where it was.
/// </summary>
internal static class InputValues
{
    private static readonly char[] Separators = [' ', '\t', ',', '\r', '\n'];

    public static float[] FromArguments(IReadOnlyList<string> arguments)
    {
        var values = new List<float>();
        for (int i = 0; i < arguments.Count; i++)
        {
            foreach (var token in arguments[i].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                values.Add(Parse(token, $"argument {i + 1}"));
            }
        }

        return [.. values];
    }

    public static float[] FromReader(TextReader reader)
    {
        var values = new List<float>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            foreach (var token in line.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                values.Add(Parse(token, $"stdin line {lineNumber}"));
            }
        }

        return [.. values];
    }

    private static float Parse(string token, string where)
    {
        if (Numbers.TryParse(token, out float value))
        {
            return value;
        }

        // System.CommandLine hands unknown options to the value argument (it must, or -5 would be an option).
        string option = token.StartsWith('-') ? " nor an option of this command" : "";
        throw new CliUsageException($"'{token}' ({where}) is not a number{option}; expected values like 1.5, -2, 1e-3, nan, inf or -inf.");
    }
}
