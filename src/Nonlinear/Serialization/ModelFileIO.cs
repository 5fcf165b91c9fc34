namespace Nonlinear.Serialization;

/// <summary>
/// The file-system side of the readers of model files, checkpoints and ONNX models: opening a file and reading a
/// stream, with every I/O failure turned into a <see cref="ModelFileException"/> that names the file.
/// </summary>
internal static class ModelFileIO
{
    /// <summary>Opens <paramref name="path"/> for reading; <paramref name="missing"/> is the problem named when it does not exist.</summary>
    /// <exception cref="ModelFileException">The file is missing or cannot be opened.</exception>
    public static FileStream OpenRead(string path, string missing = "no such file")
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new ModelFileException(path, missing, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ModelFileException(path, "no such file (its directory does not exist)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFileException(path, $"cannot open: {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/>, a reader that checks lengths up front, and reports a stream that ends early or
    /// fails as a <see cref="ModelFileException"/> naming <paramref name="name"/>.
    /// </summary>
    public static T Read<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            // Only when the file shrinks while being read: the lengths were checked up front.
            throw new ModelFileException(name, "truncated: the file ended while it was being read", e);
        }
        catch (IOException e) when (e is not ModelFileException)
        {
            throw new ModelFileException(name, $"cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ModelFileException(name, $"cannot read: {e.Message}", e);
        }
    }
}
