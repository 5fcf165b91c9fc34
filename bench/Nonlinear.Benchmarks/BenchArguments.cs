using System.Globalization;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The command-line options of a benchmark mode: each mode names its flags and valued options with what they set,
/// and one loop parses them all the same way (a missing value, a bad number or an unknown option is an
/// <see cref="ArgumentException"/> naming it and, for unknown options, the mode's usage).
/// </summary>
internal sealed class BenchArguments(string mode, string usage)
{
    private readonly Dictionary<string, Action> _flags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action<string>> _values = new(StringComparer.Ordinal);

    /// <summary>The command that reproduces a run with <paramref name="args"/>.</summary>
    public static string Command(string mode, string[] args)
        => $"dotnet run -c Release --project bench/Nonlinear.Benchmarks -- {mode}" + (args.Length > 0 ? " " + string.Join(' ', args) : "");

    public BenchArguments Flag(string name, Action set)
    {
        _flags[name] = set;
        return this;
    }

    public BenchArguments Value(string name, Action<string> set)
    {
        _values[name] = set;
        return this;
    }

    public void Parse(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (_flags.TryGetValue(name, out var flag))
            {
                flag();
            }
            else if (_values.TryGetValue(name, out var set))
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                string value = args[++i];
                try
                {
                    set(value);
                }
                catch (FormatException e)
                {
                    throw new ArgumentException($"{name} {value}: {e.Message}", e);
                }
            }
            else
            {
                throw new ArgumentException($"unknown option '{name}' ({mode} {usage})");
            }
        }
    }

    /// <summary>A comma-separated list of integers, e.g. "1,2".</summary>
    public static int[] Ints(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int)];

    /// <summary>An integer, with a message naming the text when it is not one.</summary>
    public static int Int(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
        ? value
        : throw new FormatException($"'{text}' is not an integer");
}
