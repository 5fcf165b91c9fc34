using System.Globalization;
using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Reads rows of numeric features from a CSV file (comma, semicolon or tab separated; a first line that is not
/// numeric is taken as a header). Every problem names the file, the line and what was expected.
/// </summary>
public static class CsvFeatures
{
    /// <summary>The rows of <paramref name="path"/> as a tensor [rows, <paramref name="columns"/>].</summary>
    /// <exception cref="FormatException">A row has the wrong number of columns or a cell is not a finite number (file and line named).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Tensor Read(string path, int columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        var values = new List<float>();
        int line = 0, rows = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            var cells = text.Split(text.Contains('\t') ? '\t' : text.Contains(';') ? ';' : ',');
            bool numeric = cells.All(c => float.TryParse(c.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (!numeric && rows == 0 && values.Count == 0 && line == 1)
            {
                continue; // a header
            }

            if (cells.Length != columns)
            {
                throw new FormatException($"{path}, line {line}: {cells.Length} column(s); the model takes {columns} feature(s) per row.");
            }

            foreach (var cell in cells)
            {
                if (!float.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                {
                    throw new FormatException($"{path}, line {line}: '{cell.Trim()}' is not a finite number.");
                }

                values.Add(v);
            }

            rows++;
        }

        if (rows == 0)
        {
            throw new FormatException($"{path}: no data rows.");
        }

        return Tensor.FromArray(values.ToArray(), rows, columns);
    }
}
