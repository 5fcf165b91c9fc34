namespace Nonlinear.Data.Sequences;

/// <summary>
/// Images read as sequences, row by row: a single-channel image [1, H, W] becomes H steps of W features, so a
/// data set [N, 1, H, W] becomes [N, H, W] (time-major within each sample, batch first, as recurrent layers take it).
/// </summary>
/// <remarks>
/// Step t of a sample is pixel row t (top to bottom), its features the row's pixels left to right; the values are
/// not copied (the features are a reshaped view of the image tensor) and the targets and class names are the
/// image set's. Fashion-MNIST gives 28 steps of 28 features, the classic "sequential rows" benchmark.
/// </remarks>
/// <example><code>
/// var (train, test) = ImageRows.LoadFashionMnist(FashionMnist.Locate(dataDir));   // [60000, 28, 28], [10000, 28, 28]
/// </code></example>
public static class ImageRows
{
    /// <summary>
    /// The rows of each image of <paramref name="images"/> ([N, 1, H, W], or [N, H, W] which is returned as is)
    /// as a sequence data set [N, H, W] with the same targets, task, classes and name.
    /// </summary>
    /// <exception cref="ArgumentException">The images are not single-channel [N, 1, H, W] (or already [N, H, W]).</exception>
    public static Dataset FromImages(Dataset images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.FeatureShape;
        if (shape.Rank == 2)
        {
            return images;
        }

        if (shape.Rank != 3 || shape[0] != 1)
        {
            throw new ArgumentException(
                $"Reading images row by row needs single-channel images [N, 1, H, W]; '{images.Name}' has samples {shape}.", nameof(images));
        }

        var features = images.Features.Reshape(images.Count, shape[1], shape[2]);
        return new Dataset(images.Name, features, images.Targets, images.Task, images.ClassCount, images.ClassNames)
        {
            LabelName = images.LabelName,
        };
    }

    /// <summary>
    /// Fashion-MNIST from <paramref name="directory"/> (see <see cref="FashionMnist.Load"/>) as sequences of 28
    /// rows of 28 pixels: training and test sets [N, 28, 28].
    /// </summary>
    /// <exception cref="DataFormatException">A file is missing or malformed (see <see cref="FashionMnist.Load"/>).</exception>
    public static (Dataset Train, Dataset Test) LoadFashionMnist(string directory)
    {
        var (train, test) = FashionMnist.Load(directory);
        return (FromImages(train), FromImages(test));
    }
}
