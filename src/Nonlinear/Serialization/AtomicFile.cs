using System.Security.Cryptography;

namespace Nonlinear.Serialization;

/// <summary>
/// Writes a file all or nothing: into a temporary file in the same folder, flushed to disk, then renamed over the
/// target. A crash, a kill or a failed write leaves the old file (or none), never part of the new one. Shared by the
/// model file, checkpoints and the ONNX and PyTorch exports.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The full path of <paramref name="path"/>, whose folder must exist.</summary>
    /// <exception cref="ModelFileException">Not a valid path, or its folder does not exist.</exception>
    public static string FullPath(string path)
    {
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelFileException(path, $"cannot save: not a valid path ({e.Message})", e);
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new ModelFileException(path, $"cannot save: the directory '{directory}' does not exist");
        }

        return full;
    }

    /// <summary>
    /// Writes <paramref name="full"/> (a path from <see cref="FullPath"/>) through <paramref name="write"/>,
    /// atomically. An I/O or permission error becomes a <see cref="ModelFileException"/> naming <paramref name="name"/>;
    /// any other exception from <paramref name="write"/> passes through; either way the temporary file is removed.
    /// </summary>
    public static void Write(string full, string name, Action<Stream> write)
    {
        // Same directory as the target so the final rename stays on one file system, which keeps it atomic.
        var temporary = $"{full}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            // The rename is atomic on one file system: readers (and a crash) see the old file or the new one.
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is IOException or UnauthorizedAccessException && e is not ModelFileException)
            {
                throw new ModelFileException(name, $"cannot save: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it can; a failure is ignored (best effort).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the save already failed, and that error is the one to report.
        }
    }
}
