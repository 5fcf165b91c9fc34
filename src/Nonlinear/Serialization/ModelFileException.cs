namespace Nonlinear.Serialization;

/// <summary>
/// A model file could not be read or written: missing, unreadable, truncated, corrupted, or not a Nonlinear model.
/// The message names the file and the problem, e.g. "model.nlm: truncated: the header says 812 bytes of JSON but
/// the file has 300 bytes after the length prefix".
/// </summary>
/// <remarks>
/// Every way a load can fail surfaces as this one type (never an IndexOutOfRange, JsonException or OutOfMemory
/// from deep inside), so a caller can catch it and show the message as is. It is an <see cref="IOException"/>
/// because a bad model file is a problem with what is on disk, not with the calling code.
/// </remarks>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="fileName"/> with a one-line <paramref name="problem"/>.</summary>
    public ModelFileException(string fileName, string problem, Exception? innerException = null)
        : base($"{fileName}: {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The file as the caller named it ("&lt;stream&gt;" when reading or writing a stream without a name).</summary>
    public string FileName { get; }

    /// <summary>The problem, without the file name.</summary>
    public string Problem { get; }
}
