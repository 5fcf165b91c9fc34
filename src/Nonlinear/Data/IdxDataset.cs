using System.Numerics;
using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Builds <see cref="Dataset"/>s from MNIST-style IDX files (MNIST, Fashion-MNIST, EMNIST, KMNIST): an images file
/// of shape [N, H, W] and a labels file of shape [N], or a directory holding the four standard files.
/// </summary>
/// <remarks>
/// Images become features [N, 1, H, W] (channels first, as in PyTorch) scaled to [0, 1] by dividing each byte by
/// 255; labels become Multiclass targets [N] holding the class index. Every inconsistency (counts that differ,
/// a label outside the classes, a file of the wrong rank) is a <see cref="DataFormatException"/> naming the file.
/// </remarks>
/// <example><code>
/// var (train, test) = IdxDataset.LoadDirectory("/data/mnist");   // 60000 and 10000 images [1, 28, 28]
/// </code></example>
public static class IdxDataset
{
    /// <summary>The base names of the four standard files, in the order train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> StandardFileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Loads an images file [N, H, W] and a labels file [N] into a Multiclass dataset with features [N, 1, H, W] in [0, 1].
    /// </summary>
    /// <param name="imagesPath">The IDX images file, gzip or raw.</param>
    /// <param name="labelsPath">The IDX labels file, gzip or raw.</param>
    /// <param name="name">The dataset's name; defaults to the images file's name.</param>
    /// <param name="classCount">The number of classes; 0 takes it from <paramref name="classNames"/>, or else the largest label + 1 (at least 2).</param>
    /// <param name="classNames">Optional display names, one per class.</param>
    /// <exception cref="DataFormatException">A file is missing or malformed, the counts differ, or a label is not a class index.</exception>
    public static Dataset Load(string imagesPath, string labelsPath, string? name = null, int classCount = 0, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        int classes = ResolveClassCount(classCount, classNames, MaxLabel(labels, labelsPath));
        return Build(name ?? Path.GetFileName(imagesPath), images, imagesPath, labels, labelsPath, classes, classNames);
    }

    /// <summary>
    /// Loads the training and test sets from a directory holding the four standard files
    /// (<see cref="StandardFileNames"/>, each with or without ".gz"; the "train-images.idx3-ubyte" spelling of some
    /// mirrors is accepted too). Both sets get the same class count.
    /// </summary>
    /// <param name="directory">The directory.</param>
    /// <param name="classNames">Optional display names, one per class; without them the class count is the largest label of either set + 1.</param>
    /// <param name="name">The datasets' name; defaults to the directory's name.</param>
    /// <exception cref="DataFormatException">The directory or a file is missing or malformed, or the data is inconsistent.</exception>
    public static (Dataset Train, Dataset Test) LoadDirectory(string directory, IReadOnlyList<string>? classNames = null, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DataFormatException(directory, "no such directory; expected one holding " + string.Join(", ", StandardFileNames.Select(f => f + "[.gz]")));
        }

        var paths = StandardFileNames.Select(f => FindFile(directory, f)).ToArray();
        var files = paths.Select(IdxFile.Read).ToArray();
        int maxLabel = Math.Max(MaxLabel(files[1], paths[1]), MaxLabel(files[3], paths[3]));
        int classes = ResolveClassCount(0, classNames, maxLabel);
        string label = name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return (
            Build(label, files[0], paths[0], files[1], paths[1], classes, classNames),
            Build(label, files[2], paths[2], files[3], paths[3], classes, classNames));
    }

    /// <summary>
    /// The path of the file with base name <paramref name="baseName"/> (e.g. "train-images-idx3-ubyte") in
    /// <paramref name="directory"/>: the name itself, or with ".gz", or with the last '-' before "idx" written as '.'.
    /// </summary>
    /// <exception cref="DataFormatException">None of those files exists; the message lists the names tried.</exception>
    public static string FindFile(string directory, string baseName)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseName);
        var names = new List<string> { baseName + ".gz", baseName };
        int idx = baseName.LastIndexOf("-idx", StringComparison.Ordinal);
        if (idx > 0)
        {
            string dotted = string.Concat(baseName.AsSpan(0, idx), ".", baseName.AsSpan(idx + 1));
            names.Add(dotted + ".gz");
            names.Add(dotted);
        }

        foreach (var n in names)
        {
            string path = Path.Combine(directory, n);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new DataFormatException(Path.Combine(directory, baseName), $"no such file (tried {string.Join(", ", names)} in {directory})");
    }

    /// <summary>
    /// Converts bytes to floats in [0, 1] (each divided by 255, so 255 maps to exactly 1), vectorised.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="source"/>.</exception>
    public static void ScaleBytes(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {source.Length} needed.", nameof(destination));
        }

        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<byte>.Count)
        {
            var scale = new Vector<float>(255f);
            int step = Vector<byte>.Count, quarter = Vector<float>.Count;
            for (; i <= source.Length - step; i += step)
            {
                Vector.Widen(new Vector<byte>(source.Slice(i, step)), out var low, out var high);
                Vector.Widen(low, out var a, out var b);
                Vector.Widen(high, out var c, out var d);
                var dst = destination.Slice(i, step);
                (Vector.ConvertToSingle(a) / scale).CopyTo(dst);
                (Vector.ConvertToSingle(b) / scale).CopyTo(dst[quarter..]);
                (Vector.ConvertToSingle(c) / scale).CopyTo(dst[(2 * quarter)..]);
                (Vector.ConvertToSingle(d) / scale).CopyTo(dst[(3 * quarter)..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = source[i] / 255f;
        }
    }

    private static Dataset Build(string name, IdxFile images, string imagesPath, IdxFile labels, string labelsPath, int classes, IReadOnlyList<string>? classNames)
    {
        if (images.Dimensions.Count != 3)
        {
            throw new DataFormatException(imagesPath, $"an images file has 3 dimensions [count, height, width]; found {images.Dimensions.Count}: [{string.Join(", ", images.Dimensions)}]");
        }

        if (labels.Dimensions.Count != 1)
        {
            throw new DataFormatException(labelsPath, $"a labels file has 1 dimension [count]; found {labels.Dimensions.Count}: [{string.Join(", ", labels.Dimensions)}]");
        }

        int n = images.Count, h = images.Dimensions[1], w = images.Dimensions[2];
        if (labels.Count != n)
        {
            throw new DataFormatException(labelsPath, $"holds {labels.Count} labels but the images file {imagesPath} holds {n} images; the counts must agree");
        }

        if (n == 0 || h == 0 || w == 0)
        {
            throw new DataFormatException(imagesPath, $"holds no pixels: dimensions [{n}, {h}, {w}]");
        }

        var y = new float[n];
        var labelBytes = labels.Data;
        for (int i = 0; i < n; i++)
        {
            if (labelBytes[i] >= classes)
            {
                throw new DataFormatException(labelsPath, $"record {i} (byte offset {labels.HeaderLength + i}) has label {labelBytes[i]}; expected a class index in 0..{classes - 1}");
            }

            y[i] = labelBytes[i];
        }

        var x = new float[images.Data.Length];
        ScaleBytes(images.Data, x);
        return new Dataset(name, Tensor.FromArray(x, n, 1, h, w), Tensor.FromArray(y, n), TaskKind.Multiclass, classes, classNames);
    }

    private static int MaxLabel(IdxFile labels, string path)
    {
        if (labels.Dimensions.Count != 1)
        {
            throw new DataFormatException(path, $"a labels file has 1 dimension [count]; found {labels.Dimensions.Count}: [{string.Join(", ", labels.Dimensions)}]");
        }

        return labels.Data.Length == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.Max<byte>(labels.Data);
    }

    private static int ResolveClassCount(int classCount, IReadOnlyList<string>? classNames, int maxLabel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        if (classNames is not null && classCount != 0 && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names given for {classCount} classes.", nameof(classNames));
        }

        return classCount != 0 ? classCount : classNames?.Count ?? Math.Max(2, maxLabel + 1);
    }
}
