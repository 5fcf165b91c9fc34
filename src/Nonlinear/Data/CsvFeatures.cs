using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Reads rows of numeric features (no label) from a CSV file, e.g. the inputs to predict on. The same format as
/// <see cref="CsvDataset"/>: comma, semicolon or tab separated, quoted fields, blank lines skipped, and a
/// first row that names the columns is taken as a header. Every problem names the file, the line and what was
/// expected.
/// </summary>
public static class CsvFeatures
{
    /// <summary>The rows of <paramref name="path"/> as a tensor [rows, <paramref name="columns"/>].</summary>
    /// <exception cref="DataFormatException">
    /// The file is missing or empty, a row has the wrong number of columns, or a cell is missing or not a finite
    /// number (file, line and column named).
    /// </exception>
    public static Tensor Read(string path, int columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        var table = CsvTable.Read(path, separator: null, hasHeader: null);
        var values = new float[table.Rows.Count * columns];
        int k = 0;
        foreach (var (line, cells) in table.Rows)
        {
            if (cells.Length != columns)
            {
                throw new DataFormatException(path, $"{cells.Length} column(s); the model takes {columns} feature(s) per row", line);
            }

            for (int j = 0; j < columns; j++)
            {
                values[k++] = table.Number(line, cells[j], j);
            }
        }

        return Tensor.FromArray(values, table.Rows.Count, columns);
    }
}
