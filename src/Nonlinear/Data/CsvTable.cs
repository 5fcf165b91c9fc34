using System.Globalization;
using System.Text;

namespace Nonlinear.Data;

/// <summary>
/// The cells of a CSV file, RFC 4180 style: fields separated by one character, optionally quoted ("a,b"; a
/// doubled quote inside quotes is one quote; quoted fields may span lines); blank lines are skipped; unquoted
/// cells are trimmed. Each row remembers the 1-based line it starts on, for error messages.
/// </summary>
internal sealed class CsvTable
{
    private static readonly HashSet<string> MissingMarkers = new(StringComparer.OrdinalIgnoreCase) { "", "na", "n/a", "nan", "null", "none", "?" };

    private CsvTable(string path, char separator, string[]? header, List<(int Line, string[] Cells)> rows)
    {
        Path = path;
        Separator = separator;
        Header = header;
        Rows = rows;
    }

    public string Path { get; }

    public char Separator { get; }

    /// <summary>The header's cells, or null when the file has none.</summary>
    public string[]? Header { get; }

    /// <summary>The data rows, header excluded.</summary>
    public List<(int Line, string[] Cells)> Rows { get; }

    /// <summary>Reads <paramref name="path"/>, detecting the separator and the header unless given.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable, empty, or has an unterminated quote.</exception>
    public static CsvTable Read(string path, char? separator, bool? hasHeader)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (separator is { } s && s is not (',' or ';' or '\t'))
        {
            throw new ArgumentException($"The separator must be ',', ';' or a tab; got '{s}'.", nameof(separator));
        }

        if (!File.Exists(path))
        {
            throw new DataFormatException(path, Directory.Exists(path) ? "is a directory, not a CSV file" : "no such file");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be read: {e.Message}", innerException: e);
        }

        return Parse(text, path, separator, hasHeader);
    }

    /// <summary>Reads CSV <paramref name="text"/> as <see cref="Read"/> reads a file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">The text is empty or has an unterminated quote.</exception>
    public static CsvTable Parse(string text, string name, char? separator, bool? hasHeader)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (separator is { } s && s is not (',' or ';' or '\t'))
        {
            throw new ArgumentException($"The separator must be ',', ';' or a tab; got '{s}'.", nameof(separator));
        }

        string path = name;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..]; // a byte-order mark is not part of the first column's name
        }

        char sep = separator ?? DetectSeparator(text);
        var rows = Split(text, sep, path);
        if (rows.Count == 0)
        {
            throw new DataFormatException(path, "is empty: no header and no data rows");
        }

        bool header = hasHeader ?? LooksLikeHeader(rows);
        string[]? names = null;
        if (header)
        {
            names = rows[0].Cells;
            rows.RemoveAt(0);
        }

        if (rows.Count == 0)
        {
            throw new DataFormatException(path, "has a header but no data rows");
        }

        return new CsvTable(path, sep, names, rows);
    }

    /// <summary>"'sepal_length' (column 0)" with a header, "column 0" without.</summary>
    public string ColumnName(int column) => Header is { } h && column < h.Length && h[column].Length > 0
        ? $"'{h[column]}' (column {column})"
        : $"column {column}";

    /// <summary>Whether the text is a missing-value marker: empty, NA, N/A, NaN, null, none or ?.</summary>
    public static bool IsMissing(string cell) => MissingMarkers.Contains(cell.Trim());

    public static bool TryParseNumber(string cell, out double value)
        => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The number in a feature cell, or a <see cref="DataFormatException"/> naming the line, column and text.</summary>
    public float Number(int line, string cell, int column)
    {
        if (IsMissing(cell))
        {
            throw new DataFormatException(Path, $"missing value {Quote(cell)} in {ColumnName(column)}; missing values are not supported (remove or fill in the row)", line);
        }

        if (!TryParseNumber(cell, out double value))
        {
            throw new DataFormatException(Path, $"{Quote(cell)} in {ColumnName(column)} is not a finite number", line);
        }

        float f = (float)value;
        if (!float.IsFinite(f))
        {
            throw new DataFormatException(Path, $"{Quote(cell)} in {ColumnName(column)} is beyond the float range (about ±3.4e38)", line);
        }

        return f;
    }

    public static string Quote(string cell) => cell.Length == 0 ? "(empty cell)" : cell.Length <= 40 ? $"'{cell}'" : $"'{cell[..37]}...'";

    private static bool LooksLikeHeader(List<(int Line, string[] Cells)> rows)
    {
        var first = rows[0].Cells;
        for (int j = 0; j < first.Length; j++)
        {
            if (IsMissing(first[j]) || TryParseNumber(first[j], out _))
            {
                continue;
            }

            // A word on top of a column of numbers is a column name. "Mostly numbers" (more than half of the
            // non-missing cells), so that one bad cell further down is reported where it is rather than
            // turning the header into data.
            int numbers = 0, words = 0;
            for (int r = 1; r < rows.Count; r++)
            {
                var cells = rows[r].Cells;
                if (j >= cells.Length || IsMissing(cells[j]))
                {
                    continue;
                }

                if (TryParseNumber(cells[j], out _))
                {
                    numbers++;
                }
                else
                {
                    words++;
                }
            }

            if (numbers > words || rows.Count == 1)
            {
                return true;
            }
        }

        return false;
    }

    private static char DetectSeparator(string text)
    {
        int comma = 0, semicolon = 0, tab = 0;
        bool quoted = false, content = false;
        foreach (char c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                if (content)
                {
                    break; // the first non-blank line decides
                }
            }
            else if (!quoted)
            {
                content |= !char.IsWhiteSpace(c) || c == '\t';
                comma += c == ',' ? 1 : 0;
                semicolon += c == ';' ? 1 : 0;
                tab += c == '\t' ? 1 : 0;
            }
        }

        return tab > comma && tab > semicolon ? '\t' : semicolon > comma ? ';' : ',';
    }

    private static List<(int Line, string[] Cells)> Split(string text, char sep, string path)
    {
        var rows = new List<(int, string[])>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        int line = 1, rowLine = 1, i = 0;
        bool wasQuoted = false, cellHasText = false, rowHasContent = false;

        void EndCell()
        {
            cells.Add(wasQuoted ? cell.ToString() : cell.ToString().Trim());
            rowHasContent |= wasQuoted || cellHasText || cells.Count > 1;
            cell.Clear();
            wasQuoted = false;
            cellHasText = false;
        }

        void EndRow()
        {
            EndCell();
            if (rowHasContent)
            {
                rows.Add((rowLine, cells.ToArray()));
            }

            cells.Clear();
            rowHasContent = false;
        }

        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && !cellHasText && !wasQuoted)
            {
                // A quoted field: up to the closing quote; "" inside is one quote.
                int startLine = line;
                cell.Clear();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new DataFormatException(path, "a quoted field is never closed: expected a closing '\"' before the end of the file", startLine);
                    }

                    char q = text[i];
                    if (q == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            cell.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    if (q == '\n')
                    {
                        line++;
                    }

                    cell.Append(q);
                    i++;
                }

                wasQuoted = true;

                // Only blanks may follow the closing quote before the separator or the line end.
                while (i < text.Length && text[i] is ' ' or '\t' && text[i] != sep)
                {
                    i++;
                }

                if (i < text.Length && text[i] != sep && text[i] is not ('\n' or '\r'))
                {
                    throw new DataFormatException(path, $"unexpected '{text[i]}' after the closing quote of a field; expected '{(sep == '\t' ? "\\t" : sep.ToString())}' or the end of the line", line);
                }

                continue;
            }

            if (c == sep)
            {
                EndCell();
            }
            else if (c is '\n' or '\r')
            {
                EndRow();
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                line++;
                rowLine = line;
            }
            else if (!wasQuoted)
            {
                cell.Append(c);
                cellHasText |= !char.IsWhiteSpace(c);
            }

            i++;
        }

        EndRow();
        return rows;
    }
}
