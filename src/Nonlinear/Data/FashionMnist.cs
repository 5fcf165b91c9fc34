namespace Nonlinear.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research): 70,000 grayscale 28x28 images of clothing in 10 classes, 60,000 for training
/// and 10,000 for testing, in MNIST's IDX format. A drop-in, harder replacement for the MNIST digits.
/// </summary>
/// <remarks>
/// The full dataset is not shipped: on Debian and Ubuntu <c>sudo apt-get install dataset-fashion-mnist</c> puts it
/// in <see cref="StandardDirectory"/>. The repository ships the first 2,000 training and 500 test images in
/// <see cref="SubsetDirectory"/> (relative to the repository root), which loads the same way.
/// </remarks>
/// <example><code>
/// var (train, test) = FashionMnist.Load(FashionMnist.Locate(dataDir));   // dataDir null: the standard directory
/// </code></example>
public static class FashionMnist
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs the four files.</summary>
    public const string StandardDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The subset shipped with the repository, relative to its root.</summary>
    public const string SubsetDirectory = "data/fashion-mnist-subset";

    /// <summary>The 10 class names, in label order 0..9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The directory to load from: <paramref name="dataDir"/> when given, else <see cref="StandardDirectory"/>,
    /// after checking that it holds the four files (gzip or not).
    /// </summary>
    /// <exception cref="DataFormatException">
    /// The files are missing; the message says how to install the dataset, that <c>--data-dir</c> can point to
    /// another directory, and that the repository ships a subset in <see cref="SubsetDirectory"/>.
    /// </exception>
    public static string Locate(string? dataDir)
    {
        string directory = string.IsNullOrWhiteSpace(dataDir) ? StandardDirectory : dataDir;
        var missing = new List<string>();
        foreach (var file in IdxDataset.StandardFileNames)
        {
            try
            {
                IdxDataset.FindFile(directory, file);
            }
            catch (DataFormatException)
            {
                missing.Add(file + "[.gz]");
            }
        }

        if (missing.Count > 0)
        {
            string where = Directory.Exists(directory) ? $"the directory lacks {string.Join(", ", missing)}" : "no such directory";
            throw new DataFormatException(
                directory,
                $"Fashion-MNIST not found ({where}). Install it with 'sudo apt-get install dataset-fashion-mnist' (it goes to {StandardDirectory}), "
                + $"or point --data-dir to a directory holding {string.Join(", ", IdxDataset.StandardFileNames.Select(f => f + "[.gz]"))}; "
                + $"the repository ships a subset (2,000 training and 500 test images) in {SubsetDirectory}");
        }

        return directory;
    }

    /// <summary>
    /// Loads the training and test sets from <paramref name="directory"/> (e.g. the result of <see cref="Locate"/>):
    /// features [N, 1, 28, 28] in [0, 1], Multiclass targets over the 10 <see cref="ClassNames"/>. Both sets are
    /// named "fashion-mnist".
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing or malformed, or holds images that are not 28x28.</exception>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        var (train, test) = IdxDataset.LoadDirectory(directory, ClassNames, "fashion-mnist");
        foreach (var set in new[] { train, test })
        {
            if (set.FeatureShape != new Tensors.TensorShape(1, 28, 28))
            {
                throw new DataFormatException(directory, $"Fashion-MNIST images are 28x28; the files in this directory hold {set.FeatureShape[1]}x{set.FeatureShape[2]} images");
            }
        }

        return (train, test);
    }
}
