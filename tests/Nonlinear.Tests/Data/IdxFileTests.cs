using Nonlinear.Data;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false, "images.idx")]
    [InlineData(true, "images.idx")] // gzip without .gz: detected from the content
    [InlineData(false, "images.idx.gz")] // raw despite .gz
    [InlineData(true, "images.idx.gz")]
    public void Raw_and_gzip_files_read_back_their_dimensions_and_values_whatever_their_name(bool gzip, string name)
    {
        var values = DataFiles.Bytes(3 * 4 * 5, seed: 1);
        var raw = DataFiles.Idx([3, 4, 5], values);
        var idx = IdxFile.Read(_files.Write(name, gzip ? DataFiles.Gzip(raw) : raw));
        Assert.Equal([3, 4, 5], idx.Dimensions);
        Assert.Equal(3, idx.Count);
        Assert.Equal(20, idx.RecordLength);
        Assert.Equal(16, idx.HeaderLength);
        Assert.Equal(values, idx.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_file_says_how_many_bytes_were_expected_and_found(bool gzip)
    {
        var raw = DataFiles.Idx([3, 2, 2], DataFiles.Bytes(12, 2))[..^5];
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("t.idx", gzip ? DataFiles.Gzip(raw) : raw)));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("need 12 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains(gzip ? "file has 7" : "found 7", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("t.idx", e.FileName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Trailing_bytes_after_the_values_are_rejected(bool gzip)
    {
        var raw = DataFiles.Idx([2, 3], DataFiles.Bytes(6, 3)).Concat(new byte[] { 9, 9, 9 }).ToArray();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("g.idx", gzip ? DataFiles.Gzip(raw) : raw)));
        Assert.Contains("3 trailing byte(s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("need 6 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Junk_after_the_gzip_stream_is_rejected()
    {
        var gz = DataFiles.Gzip(DataFiles.Idx([2, 3], DataFiles.Bytes(6, 3))).Concat(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }).ToArray();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("j.gz", gz)));
        Assert.EndsWith("j.gz", e.FileName, StringComparison.Ordinal);
        Assert.Contains("decompresses to 18 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("bytes follow the gzip data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_magic_number_is_rejected_naming_the_bytes_found()
    {
        var raw = DataFiles.Idx([2], [1, 2]);
        raw[1] = 0x2a;
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("m.idx", raw)));
        Assert.Contains("not an IDX file", e.Message, StringComparison.Ordinal);
        Assert.Contains("00 2a", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_element_type_is_named()
    {
        var raw = DataFiles.Idx([2], new byte[8], type: 0x0D);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("f.idx", raw)));
        Assert.Contains("0x0d (32-bit float)", e.Message, StringComparison.Ordinal);
        Assert.Contains("0x08", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public void A_rank_outside_1_to_8_is_rejected(int rank)
    {
        var raw = new byte[] { 0, 0, 8, (byte)rank, 0, 0, 0, 1 };
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("r.idx", raw)));
        Assert.Contains($"rank (byte offset 3) is {rank}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_an_empty_and_a_header_only_file_are_each_explained()
    {
        var missing = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Path("nope.idx")));
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("e.idx", [])));
        Assert.Contains("is empty", empty.Message, StringComparison.Ordinal);

        var shortHeader = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("h.idx", [0, 0, 8, 3, 0, 0, 0, 1])));
        Assert.Contains("needs 12 bytes of dimension sizes", shortHeader.Message, StringComparison.Ordinal);
        Assert.Contains("has 4", shortHeader.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_gzip_data_is_a_data_format_error()
    {
        var gz = DataFiles.Gzip(DataFiles.Idx([4], [1, 2, 3, 4]));
        for (int i = 10; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5a;
        }

        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("c.gz", gz)));
        Assert.EndsWith("c.gz", e.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_declared_size_in_a_tiny_gzip_file_fails_without_allocating_it()
    {
        // 2,000,000,000 declared values, 10 present: the reader must not allocate 2 GB before finding out.
        var raw = DataFiles.Idx([2_000_000_000], new byte[10]);
        string path = _files.Write("huge.gz", DataFiles.Gzip(raw));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("need 2000000000 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("file has 10", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Dimensions_beyond_an_array_are_rejected_before_reading_values()
    {
        var raw = DataFiles.Idx([65536, 65536, 2], []);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("big.gz", DataFiles.Gzip(raw))));
        Assert.Contains("more than an array can hold", e.Message, StringComparison.Ordinal);

        var rawFile = Assert.Throws<DataFormatException>(() => IdxFile.Read(_files.Write("big.idx", raw)));
        Assert.Contains("truncated", rawFile.Message, StringComparison.Ordinal);
    }
}
