namespace Nonlinear.Data;

/// <summary>
/// A data file (IDX, CSV) could not be read: missing, empty, truncated, corrupted or inconsistent. The message names
/// the file, where in it (line, record or byte offset) and what was expected against what was found, e.g.
/// "iris.csv, line 7: expected 5 cells, found 4".
/// </summary>
/// <remarks>
/// Every way a data load can fail surfaces as this one type (never an IndexOutOfRange, an InvalidDataException from
/// the gzip decoder or an OutOfMemory), so a caller can catch it and show the message as is. It is a
/// <see cref="FormatException"/>, like the other bad-input errors of the library (activation and model specs).
/// </remarks>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="fileName"/> with a one-line <paramref name="problem"/>.</summary>
    /// <param name="fileName">The file as the caller named it.</param>
    /// <param name="problem">What is wrong, without the file name.</param>
    /// <param name="line">The 1-based line the problem is on, or 0 when it is not about one line.</param>
    /// <param name="innerException">The underlying error, if any (e.g. the gzip decoder's).</param>
    public DataFormatException(string fileName, string problem, int line = 0, Exception? innerException = null)
        : base(line > 0 ? $"{fileName}, line {line}: {problem}" : $"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
        Line = line;
    }

    /// <summary>The file as the caller named it ("&lt;stream&gt;" when reading a stream without a name).</summary>
    public string FileName { get; }

    /// <summary>The problem, without the file name and line.</summary>
    public string Problem { get; }

    /// <summary>The 1-based line of a text file the problem is on, or 0 when it is not about one line.</summary>
    public int Line { get; }
}
