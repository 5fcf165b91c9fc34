using Nonlinear.Data;

namespace Nonlinear.Web.Images;

/// <summary>
/// The Fashion-MNIST images every image session trains on, loaded once per process and shared (never modified):
/// the training and test sets standardised with the training set's statistics (one mean and one standard
/// deviation, as the README's example), and the gallery of test images the page shows with their predictions.
/// </summary>
internal sealed class ImageData
{
    /// <summary>Training images used at most (a directory with more, e.g. the full set, is cut to its first ones).</summary>
    public const int MaxTrain = 2000;

    /// <summary>Test images used at most.</summary>
    public const int MaxTest = 500;

    /// <summary>Test images shown in the gallery: the first ones of the test set (every class among them).</summary>
    public const int GallerySize = 24;

    /// <summary>Side of an image in pixels.</summary>
    public const int Side = 28;

    private ImageData(string directory, Dataset train, Dataset test)
    {
        Directory = directory;
        Normalization = Normalization.FitStandardization(train, perChannel: true);
        Train = Normalization.Apply(train);
        Test = Normalization.Apply(test);
        RawTest = test;
        int count = Math.Min(GallerySize, test.Count);
        GalleryPixels = new byte[count * Side * Side];
        var raw = test.Features.Span[..GalleryPixels.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            // The features are the file's bytes divided by 255: this gives the bytes back exactly.
            GalleryPixels[i] = (byte)Math.Round(raw[i] * 255f);
        }

        GalleryLabels = [.. test.Targets.Span[..count].ToArray().Select(l => (int)l)];
    }

    /// <summary>Where the files were read.</summary>
    public string Directory { get; }

    /// <summary>The standardisation fitted on the training images: the classify endpoint applies it too.</summary>
    public Normalization Normalization { get; }

    /// <summary>Standardised training images [N, 1, 28, 28], Multiclass over the ten classes.</summary>
    public Dataset Train { get; }

    /// <summary>Standardised test images [N, 1, 28, 28].</summary>
    public Dataset Test { get; }

    /// <summary>The test images as in the files, [N, 1, 28, 28] in [0, 1]: the Model tab feeds them through a model's own saved normalisation.</summary>
    public Dataset RawTest { get; }

    /// <summary>The ten class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames => FashionMnist.ClassNames;

    /// <summary>The gallery's pixels as in the file: image after image, row-major, 0 background to 255 ink.</summary>
    public byte[] GalleryPixels { get; }

    /// <summary>The gallery's true classes.</summary>
    public IReadOnlyList<int> GalleryLabels { get; }

    /// <summary>Reads <paramref name="directory"/> (which holds the four IDX files).</summary>
    /// <exception cref="DataFormatException">A file is malformed or the images are not 28x28.</exception>
    public static ImageData Load(string directory)
    {
        var (train, test) = FashionMnist.Load(directory);
        return new ImageData(directory, First(train, MaxTrain), First(test, MaxTest));
    }

    private static Dataset First(Dataset data, int count)
        => data.Count <= count ? data : data.Subset(Enumerable.Range(0, count).ToArray());
}
