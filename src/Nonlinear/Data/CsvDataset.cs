using System.Globalization;
using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Reads a CSV file of tabular data into a <see cref="Dataset"/>: numeric feature columns and one label column,
/// whose values decide the task unless <see cref="CsvOptions.Task"/> says otherwise.
/// </summary>
/// <remarks>
/// <para>
/// Format: comma, semicolon or tab separated (detected from the first row); quoted fields ("a,b", with "" for a
/// quote) may hold separators and line breaks; blank lines are skipped; a header row is detected (see
/// <see cref="CsvOptions.HasHeader"/>).
/// </para>
/// <para>
/// Labels: classification when a label is not a number, or when all are integers with at most
/// <see cref="CsvOptions.MaxClasses"/> distinct values. The classes are the distinct labels in sorted order
/// (numbers numerically, then text ordinally), and their texts become <see cref="Dataset.ClassNames"/>. Two
/// classes make a Binary dataset (targets [N, 1], 0 for the first class, 1 for the second), more a Multiclass
/// one (targets [N] of class indices). Otherwise Regression, targets [N, 1].
/// </para>
/// <para>
/// Errors are <see cref="DataFormatException"/>s naming the file, the 1-based line, the column and the text:
/// ragged rows, non-numeric features, missing values (empty, NA, N/A, NaN, null, none, ?: not supported), an
/// empty file, an unknown label column (the columns are listed), or a single class.
/// </para>
/// </remarks>
/// <example><code>
/// var iris = CsvDataset.Load("iris.csv");                        // label: the last column, "species"
/// var (train, test) = iris.Split(0.2, seed: 1);
/// </code></example>
public static class CsvDataset
{
    /// <summary>Reads <paramref name="path"/> into a dataset; see the type's remarks for the rules.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">Header, label column, separator, task and name; null for automatic detection.</param>
    /// <exception cref="DataFormatException">The file is missing, empty or malformed, the label column does not exist, or the labels do not fit the task.</exception>
    /// <exception cref="ArgumentException">An option is invalid (a separator other than ',', ';' or tab, <see cref="CsvOptions.MaxClasses"/> below 2).</exception>
    public static Dataset Load(string path, CsvOptions? options = null)
    {
        options = Check(options);
        var table = CsvTable.Read(path, options.Separator, options.HasHeader);
        return Build(table, options, options.Name ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>
    /// Reads CSV <paramref name="text"/> (an upload, a string built in memory) into a dataset, by the same rules as
    /// <see cref="Load"/>; errors name the text as <see cref="CsvOptions.Name"/>, or "CSV text" without one.
    /// </summary>
    /// <exception cref="DataFormatException">The text is empty or malformed, the label column does not exist, or the labels do not fit the task.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <example><code>
    /// var data = CsvDataset.Parse("x1,x2,label\n0.5,1,yes\n-1,2,no\n", new CsvOptions { Name = "upload.csv" });
    /// // data.FeatureNames: x1, x2; data.LabelName: label; data.ClassNames: no, yes
    /// </code></example>
    public static Dataset Parse(string text, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options = Check(options);
        string name = string.IsNullOrWhiteSpace(options.Name) ? "CSV text" : options.Name;
        var table = CsvTable.Parse(text, name, options.Separator, options.HasHeader);
        return Build(table, options, name);
    }

    private static CsvOptions Check(CsvOptions? options)
    {
        options ??= new CsvOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxClasses, 2, nameof(options));
        if (options.Task is { } forced && !Enum.IsDefined(forced))
        {
            throw new ArgumentOutOfRangeException(nameof(options), forced, "Unknown task kind.");
        }

        return options;
    }

    private static Dataset Build(CsvTable table, CsvOptions options, string name)
    {
        string path = table.Path;
        int columns = table.Header?.Length ?? table.Rows[0].Cells.Length;
        foreach (var (line, cells) in table.Rows)
        {
            if (cells.Length != columns)
            {
                string reference = table.Header is null ? $"as on the first row, line {table.Rows[0].Line}" : "as in the header";
                throw new DataFormatException(path, $"expected {columns} cells ({reference}), found {cells.Length}", line);
            }
        }

        if (columns < 2)
        {
            throw new DataFormatException(path, $"has {columns} column; a dataset needs at least one feature column and a label column (separator '{Show(table.Separator)}')");
        }

        int label = LabelIndex(table, columns, options.LabelColumn);
        int n = table.Rows.Count, f = columns - 1;
        var x = new float[n * f];
        var labels = new string[n];
        for (int r = 0; r < n; r++)
        {
            var (line, cells) = table.Rows[r];
            int k = r * f;
            for (int j = 0; j < columns; j++)
            {
                if (j == label)
                {
                    if (CsvTable.IsMissing(cells[j]))
                    {
                        throw new DataFormatException(path, $"missing label {CsvTable.Quote(cells[j])} in {table.ColumnName(j)}; missing values are not supported (remove the row)", line);
                    }

                    labels[r] = cells[j];
                }
                else
                {
                    x[k++] = table.Number(line, cells[j], j);
                }
            }
        }

        var features = Tensor.FromArray(x, n, f);
        var featureNames = Enumerable.Range(0, columns).Where(j => j != label).Select(j => ColumnLabel(table, j)).ToArray();
        string labelName = ColumnLabel(table, label);
        return BuildTargets(table, label, labels, options) switch
        {
            (TaskKind.Regression, var y, _) => new Dataset(name, features, Tensor.FromArray(y, n, 1), TaskKind.Regression)
                { FeatureNames = featureNames, LabelName = labelName },
            (TaskKind.Binary, var y, var names) => new Dataset(name, features, Tensor.FromArray(y, n, 1), TaskKind.Binary, 2, names)
                { FeatureNames = featureNames, LabelName = labelName },
            (var task, var y, var names) => new Dataset(name, features, Tensor.FromArray(y, n), task, names!.Count, names)
                { FeatureNames = featureNames, LabelName = labelName },
        };
    }

    /// <summary>A column's header cell, or "column j" (0-based) without a header or for an empty cell.</summary>
    private static string ColumnLabel(CsvTable table, int column)
        => table.Header is { } h && column < h.Length && h[column].Trim().Length > 0
            ? h[column].Trim()
            : $"column {column.ToString(CultureInfo.InvariantCulture)}";

    private static int LabelIndex(CsvTable table, int columns, string? wanted)
    {
        if (wanted is null)
        {
            return columns - 1;
        }

        if (table.Header is { } header)
        {
            for (int j = 0; j < header.Length; j++)
            {
                if (string.Equals(header[j].Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return j;
                }
            }
        }

        // "column 3" is how FeatureNames and LabelName call a column without a header cell; it names it back.
        string trimmed = wanted.Trim();
        if (trimmed.StartsWith("column ", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(trimmed.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out int named)
            && named < columns)
        {
            return named;
        }

        if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index))
        {
            int resolved = index < 0 ? columns + index : index;
            if (resolved >= 0 && resolved < columns)
            {
                return resolved;
            }

            throw new DataFormatException(table.Path, $"label column index {index} is outside the {columns} columns (0..{columns - 1}, or -{columns}..-1 from the end)");
        }

        string list = table.Header is { } h ? string.Join(", ", h.Select(c => $"'{c}'")) : $"no header; use an index 0..{columns - 1}";
        throw new DataFormatException(table.Path, $"label column '{wanted}' not found; the columns are: {list}");
    }

    private static (TaskKind Task, float[] Targets, IReadOnlyList<string>? Names) BuildTargets(CsvTable table, int column, string[] labels, CsvOptions options)
    {
        int n = labels.Length;
        var values = new double[n];
        bool allNumeric = true, allIntegers = true;
        int firstText = -1;
        for (int r = 0; r < n; r++)
        {
            if (CsvTable.TryParseNumber(labels[r], out values[r]))
            {
                allIntegers &= values[r] == Math.Floor(values[r]);
            }
            else
            {
                allNumeric = false;
                allIntegers = false;
                firstText = firstText < 0 ? r : firstText;
            }
        }

        var task = options.Task;
        if (task == TaskKind.Regression || task is null && allNumeric && !(allIntegers && values.Distinct().Take(options.MaxClasses + 1).Count() <= options.MaxClasses))
        {
            if (!allNumeric)
            {
                var (line, _) = table.Rows[firstText];
                throw new DataFormatException(table.Path, $"label {CsvTable.Quote(labels[firstText])} in {table.ColumnName(column)} is not a number; a regression target must be numeric", line);
            }

            var y = new float[n];
            for (int r = 0; r < n; r++)
            {
                y[r] = (float)values[r];
                if (!float.IsFinite(y[r]))
                {
                    throw new DataFormatException(table.Path, $"label {CsvTable.Quote(labels[r])} in {table.ColumnName(column)} is beyond the float range", table.Rows[r].Line);
                }
            }

            return (TaskKind.Regression, y, null);
        }

        // Classes: numbers by value (so "1" and "1.0" are one class), in numeric order, then texts in ordinal order.
        var numbers = new SortedDictionary<double, string>();
        var texts = new SortedSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < n; r++)
        {
            if (CsvTable.TryParseNumber(labels[r], out double v))
            {
                numbers.TryAdd(v, v.ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                texts.Add(labels[r]);
            }
        }

        var names = numbers.Values.Concat(texts).ToArray();
        if (names.Length < 2)
        {
            throw new DataFormatException(table.Path, $"{table.ColumnName(column)} holds only one class, {CsvTable.Quote(names[0])}; classification needs at least 2 (or choose another label column)");
        }

        var resolved = task ?? (names.Length == 2 ? TaskKind.Binary : TaskKind.Multiclass);
        if (resolved == TaskKind.Binary && names.Length != 2)
        {
            throw new DataFormatException(table.Path, $"the binary task needs 2 classes; {table.ColumnName(column)} holds {names.Length}: {string.Join(", ", names.Take(10))}{(names.Length > 10 ? ", ..." : "")}");
        }

        var numberIndex = new Dictionary<double, int>();
        var textIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int c = 0;
        foreach (var v in numbers.Keys)
        {
            numberIndex[v] = c++;
        }

        foreach (var t in texts)
        {
            textIndex[t] = c++;
        }

        var targets = new float[n];
        for (int r = 0; r < n; r++)
        {
            targets[r] = CsvTable.TryParseNumber(labels[r], out double v) ? numberIndex[v] : textIndex[labels[r]];
        }

        return (resolved, targets, names);
    }

    private static string Show(char separator) => separator == '\t' ? "\\t" : separator.ToString();
}
