using System.Text;
using Nonlinear.Data;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The CSV reader (<see cref="CsvDataset.Parse(string, CsvOptions?)"/>, which <see cref="CsvDataset.Load"/> uses after
/// reading the file). CSV has no length fields; its counts are the rows and the cells per row, so the format-aware
/// mutations repeat rows thousands of times, add rows of thousands of cells, insert huge fields (long numbers,
/// numbers beyond the float range, quoted fields with line breaks), put interesting values in cells and damage
/// quotes, separators and line ends.
/// </summary>
internal static class CsvTarget
{
    private static readonly string[] Cells =
    [
        "", " ", "NaN", "nan", "NA", "?", "null", "Infinity", "-Infinity", "1e39", "-1e39", "1e309", "-0", "0x10", "1,5", "1.5.5",
        "\"", "\"\"", "\"a,b\"", "\"a\nb\"", "\"unterminated", "x\"y", "\t", "\r", "\uFEFF", "\u00e9t\u00e9", "\uD800", "2147483648",
        "79228162514264337593543950336", "1e-400", "+3", "label", "0", "1", "2",
    ];

    public static FuzzTarget Create() => new(
        "csv",
        Seeds(),
        [
            new("repeat-row", RepeatRow),
            new("huge-field", HugeField),
            new("interesting-cell", InterestingCell),
            new("many-cells", ManyCells),
            new("insert-quote", (random, input, _) => Insert(random, input, "\"")),
            new("insert-separator", (random, input, _) => Insert(random, input, ByteMutations.Pick(random, [",", ";", "\t"]))),
            new("line-ends", LineEnds),
        ],
        Read,
        [typeof(DataFormatException)]);

    private static string? Read(byte[] bytes)
    {
        var data = CsvDataset.Parse(Encoding.UTF8.GetString(bytes), new CsvOptions { Name = "fuzz.csv" });
        if (data.Count < 1)
        {
            return "a dataset without rows";
        }

        foreach (float x in data.Features.Span)
        {
            if (!float.IsFinite(x))
            {
                return $"a feature value {x}";
            }
        }

        return null;
    }

    private static byte[][] Seeds() =>
    [
        .. new[]
        {
            "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n",
            "x1;x2;y\n0.5;1;yes\n-1;2e3;no\n3;4;yes\n",
            "a\tb\tc\n1\t2\t0.5\n3\t4\t1.25\n5\t6\t-2\n7\t8\t100\n",
            "1,2,0\n3,4,1\n5,6,0\n7,8,1\n",
            "\"name, quoted\",\"value\",\"class\"\n\"1\",\"2\",\"a \"\"b\"\"\"\n3,4,\"multi\nline\"\n5,6,\"a \"\"b\"\"\"\n",
            "\uFEFFf,g,label\r\n1,2,3\r\n\r\n4,5,6\r\n7,8,9\r\n10,11,3\r\n",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static byte[] Edit(byte[] input, Func<string, string> edit) => Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(input)));

    private static byte[] Insert(Random random, byte[] input, string text)
        => Edit(input, s => s.Insert(random.Next(s.Length + 1), text));

    private static byte[] RepeatRow(Random random, byte[] input, byte[] other) => Edit(input, s =>
    {
        var lines = s.Split('\n').ToList();
        int at = random.Next(lines.Count);
        int times = ByteMutations.Pick(random, [2, 100, 5000]);
        lines.InsertRange(at, Enumerable.Repeat(lines[at], times));
        return string.Join('\n', lines);
    });

    private static byte[] HugeField(Random random, byte[] input, byte[] other) => Edit(input, s =>
    {
        int length = ByteMutations.Pick(random, [400, 10_000, 100_000]);
        string field = random.Next(4) switch
        {
            0 => "1" + new string('0', length),
            1 => "0." + new string('0', length) + "1",
            2 => "\"" + new string('\n', length) + "\"",
            _ => new string('x', length),
        };
        var separators = Enumerable.Range(0, s.Length).Where(i => s[i] is ',' or ';' or '\t' or '\n').ToArray();
        int at = separators.Length == 0 ? 0 : ByteMutations.Pick(random, separators) + 1;
        return s.Insert(Math.Min(at, s.Length), field);
    });

    private static byte[] InterestingCell(Random random, byte[] input, byte[] other) => Edit(input, s =>
    {
        var cells = s.Split(',', ';', '\t', '\n');
        if (cells.Length == 0)
        {
            return s;
        }

        // Replace the n-th cell's text, keeping the separators around it.
        int n = random.Next(cells.Length), position = 0;
        for (int i = 0; i < n; i++)
        {
            position += cells[i].Length + 1;
        }

        return string.Concat(s.AsSpan(0, position), ByteMutations.Pick(random, Cells), s.AsSpan(position + cells[n].Length));
    });

    private static byte[] ManyCells(Random random, byte[] input, byte[] other) => Edit(input, s =>
    {
        int count = ByteMutations.Pick(random, [10, 1000, 20_000]);
        string row = string.Join(ByteMutations.Pick(random, [",", ";", "\t"]), Enumerable.Repeat(ByteMutations.Pick(random, ["1", "", "a"]), count));
        var lines = s.Split('\n').ToList();
        lines.Insert(random.Next(lines.Count + 1), row);
        return string.Join('\n', lines);
    });

    private static byte[] LineEnds(Random random, byte[] input, byte[] other) => Edit(input, s => random.Next(4) switch
    {
        0 => s.Replace("\n", "\r", StringComparison.Ordinal),
        1 => s.Replace("\n", "", StringComparison.Ordinal),
        2 => s.Replace("\n", "\n\n\n", StringComparison.Ordinal),
        _ => s.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal),
    });
}
