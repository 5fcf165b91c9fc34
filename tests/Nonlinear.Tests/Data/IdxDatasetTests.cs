using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class IdxDatasetTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Images_become_channels_first_features_scaled_by_255_and_labels_class_indices()
    {
        var pixels = DataFiles.Bytes(4 * 3 * 2, seed: 5);
        pixels[0] = 255;
        pixels[1] = 0;
        string images = _files.Write("img.gz", DataFiles.Gzip(DataFiles.Idx([4, 3, 2], pixels)));
        string labels = _files.Write("lab", DataFiles.Idx([4], [3, 0, 1, 3]));

        var d = IdxDataset.Load(images, labels);
        Assert.Equal(new TensorShape(4, 1, 3, 2), d.Features.Shape);
        Assert.Equal(TaskKind.Multiclass, d.Task);
        Assert.Equal(4, d.ClassCount); // largest label + 1
        Assert.Equal([3f, 0f, 1f, 3f], d.Targets.Span.ToArray());
        Assert.Equal(1f, d.Features.Span[0]);
        Assert.Equal(0f, d.Features.Span[1]);
        for (int i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i] / 255f, d.Features.Span[i]);
        }
    }

    [Fact]
    public void The_vectorised_scaling_equals_the_scalar_division_at_every_length()
    {
        for (int n = 0; n < 200; n += 7)
        {
            var bytes = DataFiles.Bytes(n, seed: n);
            var x = new float[n];
            IdxDataset.ScaleBytes(bytes, x);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(bytes[i] / 255f, x[i]);
            }
        }

        Assert.Throws<ArgumentException>(() => IdxDataset.ScaleBytes(new byte[3], new float[2]));
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        string images = _files.Write("i", DataFiles.Idx([3, 2, 2], new byte[12]));
        string labels = _files.Write("l", DataFiles.Idx([2], [0, 1]));
        var e = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels));
        Assert.Contains("holds 2 labels", e.Message, StringComparison.Ordinal);
        Assert.Contains("holds 3 images", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_outside_the_named_classes_is_rejected_with_its_record_and_offset()
    {
        string images = _files.Write("i", DataFiles.Idx([3, 1, 1], [1, 2, 3]));
        string labels = _files.Write("l", DataFiles.Idx([3], [0, 1, 7]));
        var e = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classNames: ["a", "b", "c"]));
        Assert.Contains("record 2 (byte offset 10) has label 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("0..2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_of_the_wrong_rank_are_rejected()
    {
        string flat = _files.Write("flat", DataFiles.Idx([2, 4], new byte[8]));
        string labels = _files.Write("l", DataFiles.Idx([2], [0, 1]));
        var e = Assert.Throws<DataFormatException>(() => IdxDataset.Load(flat, labels));
        Assert.Contains("3 dimensions [count, height, width]; found 2", e.Message, StringComparison.Ordinal);

        string images = _files.Write("i", DataFiles.Idx([2, 1, 1], [0, 1]));
        var f = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, flat));
        Assert.Contains("1 dimension [count]; found 2", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_of_uncompressed_and_dotted_names_loads_with_one_class_count_for_both_sets()
    {
        _files.Write("train-images-idx3-ubyte", DataFiles.Idx([3, 2, 2], DataFiles.Bytes(12, 1)));
        _files.Write("train-labels.idx1-ubyte.gz", DataFiles.Gzip(DataFiles.Idx([3], [0, 1, 1])));
        _files.Write("t10k-images.idx3-ubyte", DataFiles.Idx([2, 2, 2], DataFiles.Bytes(8, 2)));
        _files.Write("t10k-labels-idx1-ubyte.gz", DataFiles.Gzip(DataFiles.Idx([2], [4, 0])));

        var (train, test) = IdxDataset.LoadDirectory(_files.Directory);
        Assert.Equal(3, train.Count);
        Assert.Equal(2, test.Count);
        Assert.Equal(5, train.ClassCount); // the test set's label 4 counts for both
        Assert.Equal(5, test.ClassCount);
    }

    [Fact]
    public void A_missing_standard_file_is_named_with_the_names_tried()
    {
        _files.Write("train-images-idx3-ubyte", DataFiles.Idx([1, 1, 1], [0]));
        var e = Assert.Throws<DataFormatException>(() => IdxDataset.LoadDirectory(_files.Directory));
        Assert.Contains("train-labels-idx1-ubyte.gz, train-labels-idx1-ubyte, train-labels.idx1-ubyte.gz", e.Message, StringComparison.Ordinal);

        var dir = Assert.Throws<DataFormatException>(() => IdxDataset.LoadDirectory(_files.Path("absent")));
        Assert.Contains("no such directory", dir.Message, StringComparison.Ordinal);
    }
}
