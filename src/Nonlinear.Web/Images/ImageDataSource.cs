using System.Collections.Concurrent;
using Nonlinear.Data;

namespace Nonlinear.Web.Images;

/// <summary>
/// Finds and loads the images for the Images tab: the directory set by "Nonlinear:Data", or else the repository's
/// data/fashion-mnist-subset found by walking up from the current directory and from the app's directory (so
/// <c>dotnet run</c>, the CLI and the tests all find it in a clean clone). Loaded once per process and directory,
/// on first use; when nothing is found the refusal (404) says where it looked and how to point to the files.
/// </summary>
internal sealed class ImageDataSource(ServeOptions options)
{
    private static readonly ConcurrentDictionary<string, Lazy<ImageData>> Loaded = new(StringComparer.Ordinal);

    /// <summary>The loaded images, or a refusal: 404 when no directory holds them, 409 when the files are unreadable.</summary>
    public ImageData Get()
    {
        string directory = Locate();
        // Lazy with ExecutionAndPublication: concurrent first requests read the files once. A failure is not kept,
        // so fixing the files on disk fixes the next request.
        var lazy = Loaded.GetOrAdd(directory, d => new Lazy<ImageData>(() => ImageData.Load(d), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch (DataFormatException e)
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<ImageData>>(directory, lazy));
            throw new WebRequestException(StatusCodes.Status409Conflict, $"The Fashion-MNIST files in {directory} cannot be read: {e.Message}");
        }
    }

    /// <summary>The directory to read, or a 404 saying where it looked.</summary>
    public string Locate()
    {
        foreach (string candidate in Candidates(options.Data))
        {
            if (HoldsFiles(candidate))
            {
                return candidate;
            }
        }

        string files = string.Join(", ", IdxDataset.StandardFileNames.Select(f => f + ".gz"));
        throw WebRequestException.NotFound(string.IsNullOrWhiteSpace(options.Data)
            ? $"The Fashion-MNIST images were not found: no {FashionMnist.SubsetDirectory} with {files} in {Directory.GetCurrentDirectory()} "
              + $"or a directory above it, nor in {AppContext.BaseDirectory} or above. Run the server from a clone of the repository (it ships "
              + $"{FashionMnist.SubsetDirectory}), or set Nonlinear:Data to a directory holding these files (--Nonlinear:Data=<dir>, or the environment variable Nonlinear__Data)."
            : $"The Fashion-MNIST images were not found: the directory {Path.GetFullPath(options.Data)} (set by Nonlinear:Data) does not hold {files}.");
    }

    /// <summary>The configured directory alone when set; else data/fashion-mnist-subset under every ancestor of the current and the app's directory.</summary>
    public static IEnumerable<string> Candidates(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            yield return Path.GetFullPath(configured);
            yield break;
        }

        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                yield return Path.Combine(dir.FullName, FashionMnist.SubsetDirectory);
            }
        }
    }

    private static bool HoldsFiles(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return false;
        }

        foreach (string file in IdxDataset.StandardFileNames)
        {
            try
            {
                IdxDataset.FindFile(directory, file);
            }
            catch (DataFormatException)
            {
                return false;
            }
        }

        return true;
    }
}
