using System.Buffers.Binary;
using System.IO.Compression;

namespace Nonlinear.Data;

/// <summary>
/// One IDX file, the format of MNIST, Fashion-MNIST and EMNIST: a big-endian header (two zero bytes, a type code,
/// the rank, then one 32-bit size per dimension) followed by the values in row-major order. Only type 0x08
/// (unsigned byte), which all those datasets use, is supported.
/// </summary>
/// <remarks>
/// <para>
/// The file may be gzip-compressed; that is detected from its first two bytes (1f 8b), not from its name.
/// </para>
/// <para>
/// Validation: the magic number, the rank (1 to <see cref="MaxRank"/>) and the type code are checked, and the
/// values must fill the rest of the file exactly: a shorter file is reported as truncated ("expected N bytes of
/// values, found M"), a longer one as having trailing bytes. A raw file is checked against its length before
/// anything is allocated. A gzip file's length is only known once it is decompressed, so the header is not
/// trusted for the allocation: the buffer grows with the data actually decompressed (its first size is taken
/// from the gzip trailer when that agrees with the header), so a forged header cannot make the reader allocate
/// gigabytes that the file does not hold. Bytes after the gzip data are caught by the gzip size field (the file's
/// last 4 bytes), which must match the decompressed size; a consequence is that files of several concatenated gzip
/// members are not supported.
/// </para>
/// </remarks>
/// <example><code>
/// var images = IdxFile.Read("train-images-idx3-ubyte.gz");   // Dimensions [60000, 28, 28]
/// </code></example>
public sealed class IdxFile
{
    /// <summary>The largest rank accepted; MNIST-style files have rank 1 (labels) or 3 (images).</summary>
    public const int MaxRank = 8;

    /// <summary>The type code of unsigned bytes, the only element type supported.</summary>
    public const byte UnsignedByteType = 0x08;

    private const int InitialGzipBuffer = 1 << 20;

    private const long TrailingCountCap = 1 << 20;

    private readonly int[] _dimensions;

    /// <summary>Pairs dimensions with their values (row-major, one byte per element).</summary>
    /// <exception cref="ArgumentException">The dimensions are empty or negative, or their product is not <paramref name="data"/>'s length.</exception>
    public IdxFile(IReadOnlyList<int> dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Count is < 1 or > MaxRank)
        {
            throw new ArgumentException($"An IDX file has 1 to {MaxRank} dimensions; got {dimensions.Count}.", nameof(dimensions));
        }

        long length = 1;
        foreach (int d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
            length *= d;
        }

        if (length != data.Length)
        {
            throw new ArgumentException($"The dimensions [{string.Join(", ", dimensions)}] need {length} values; {data.Length} given.", nameof(data));
        }

        _dimensions = [.. dimensions];
        Data = data;
    }

    /// <summary>The size of each dimension, e.g. [60000, 28, 28] for MNIST training images.</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The number of records: the first dimension.</summary>
    public int Count => _dimensions[0];

    /// <summary>The number of values in one record: the product of the other dimensions (1 for rank 1).</summary>
    public int RecordLength => _dimensions.Length == 1 ? 1 : Count == 0 ? 0 : Data.Length / Count;

    /// <summary>The values, row-major, one byte each. Not copied: treat as read-only.</summary>
    public byte[] Data { get; }

    /// <summary>The header's size in bytes: 4 for the magic number plus 4 per dimension.</summary>
    public int HeaderLength => 4 + 4 * _dimensions.Length;

    /// <summary>Reads the IDX file at <paramref name="path"/>, gzip-compressed or raw.</summary>
    /// <exception cref="DataFormatException">The file is missing, unreadable, not IDX, of an unsupported type, truncated, or followed by trailing bytes; the message names the file and says what was expected and found.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, Directory.Exists(path) ? "is a directory, not an IDX file" : "no such file");
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            return Read(file, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be read: {e.Message}", innerException: e);
        }
    }

    /// <summary>Reads an IDX file from <paramref name="stream"/> (gzip-compressed or raw), named <paramref name="name"/> in errors.</summary>
    /// <exception cref="DataFormatException">The data is not IDX, of an unsupported type, truncated, or followed by trailing bytes.</exception>
    public static IdxFile Read(Stream stream, string name = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(stream, magic);
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        long? compressedLength = stream.CanSeek ? stream.Length : null;
        uint? trailerSize = gzip ? GzipTrailerSize(stream) : null;

        // Put the two sniffed bytes back in front of the rest.
        using var joined = new PrefixedStream(magic[..got].ToArray(), stream);
        if (!gzip)
        {
            return ReadIdx(joined, name, compressed: false, available: compressedLength, sizeHint: null);
        }

        IdxFile result;
        try
        {
            using var inflated = new GZipStream(joined, CompressionMode.Decompress, leaveOpen: true);
            result = ReadIdx(inflated, name, compressed: true, available: null, sizeHint: Plausible(trailerSize, compressedLength));
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, $"starts like gzip (1f 8b) but is not valid gzip data: {e.Message}", innerException: e);
        }

        // The decoder stops quietly at bytes after the gzip data that do not start another member; the trailer
        // (the last 4 bytes: the decompressed size mod 2^32) catches them.
        long total = result.HeaderLength + (long)result.Data.Length;
        if (trailerSize is { } size && size != (uint)total)
        {
            throw new DataFormatException(name, $"the gzip data decompresses to {total} bytes but the file's last 4 bytes (the gzip size field) say {size}: bytes follow the gzip data, or the file has several gzip members (not supported)");
        }

        return result;
    }

    private static IdxFile ReadIdx(Stream stream, string name, bool compressed, long? available, uint? sizeHint)
    {
        string what = compressed ? "decompressed " : "";
        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(stream, head);
        if (got == 0)
        {
            throw new DataFormatException(name, compressed ? "decompresses to nothing; an IDX file has at least a 4-byte magic number" : "is empty; an IDX file starts with a 4-byte magic number");
        }

        if (got < 4)
        {
            throw new DataFormatException(name, $"truncated: {what}file has {got} byte(s); the IDX magic number alone is 4 bytes");
        }

        if (head[0] != 0 || head[1] != 0)
        {
            throw new DataFormatException(name, $"not an IDX file: the magic number must start with 00 00; found {head[0]:x2} {head[1]:x2} (at byte offset 0{(compressed ? " of the decompressed data" : "")})");
        }

        byte type = head[2], rank = head[3];
        if (type != UnsignedByteType)
        {
            throw new DataFormatException(name, $"IDX data type 0x{type:x2} ({TypeName(type)}) is not supported; expected 0x08 (unsigned byte), the type of MNIST-style files");
        }

        if (rank is < 1 or > MaxRank)
        {
            throw new DataFormatException(name, $"IDX rank (byte offset 3) is {rank}; expected 1 to {MaxRank} dimensions");
        }

        var sizes = new byte[4 * rank];
        got = ReadFully(stream, sizes);
        if (got < sizes.Length)
        {
            throw new DataFormatException(name, $"truncated header: rank {rank} needs {sizes.Length} bytes of dimension sizes after the magic number; {what}file has {got}");
        }

        var dims = new int[rank];
        long length = 1;
        for (int i = 0; i < rank; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(sizes.AsSpan(4 * i));
            if (d > int.MaxValue)
            {
                throw new DataFormatException(name, $"dimension {i} (byte offset {4 + 4 * i}) is {d}, beyond the largest supported size {int.MaxValue}");
            }

            dims[i] = (int)d;

            // Saturate instead of overflowing: anything past the array limit is rejected below anyway.
            length = length > Array.MaxLength ? length : length * d;
        }

        int headerLength = 4 + 4 * rank;
        string shape = $"[{string.Join(", ", dims)}]";
        if (available is { } fileLength)
        {
            long found = fileLength - headerLength;
            if (found < length)
            {
                throw new DataFormatException(name, $"truncated: dimensions {shape} need {length} bytes of values after the {headerLength}-byte header; found {found}");
            }

            if (found > length)
            {
                throw new DataFormatException(name, $"{found - length} trailing byte(s): dimensions {shape} need {length} bytes of values after the {headerLength}-byte header; found {found}");
            }
        }

        if (length > Array.MaxLength)
        {
            throw new DataFormatException(name, $"dimensions {shape} hold {length} values, more than an array can hold");
        }

        var data = ReadValues(stream, (int)length, sizeHint is { } hint && hint == (uint)(headerLength + length) ? (int)length : Math.Min((int)length, InitialGzipBuffer), out long read);
        if (read < length)
        {
            throw new DataFormatException(name, $"truncated: dimensions {shape} need {length} bytes of values after the {headerLength}-byte header; {what}file has {read}");
        }

        if (stream.ReadByte() >= 0)
        {
            // Count what follows, up to a cap: a decompression bomb must not keep the reader busy.
            long extra = 1;
            var skip = new byte[4096];
            int n;
            while (extra < TrailingCountCap && (n = stream.Read(skip)) > 0)
            {
                extra += n;
            }

            string count = extra >= TrailingCountCap ? $"at least {TrailingCountCap}" : extra.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new DataFormatException(name, $"{count} trailing byte(s): dimensions {shape} need {length} bytes of values after the {headerLength}-byte header; the {what}file has {headerLength + length}+{count} bytes");
        }

        return new IdxFile(dims, data);
    }

    // Reads up to `length` bytes into a buffer that starts at `initial` bytes and doubles as data arrives, so the
    // allocation follows what the stream really holds rather than what its header claims.
    private static byte[] ReadValues(Stream stream, int length, int initial, out long read)
    {
        var buffer = new byte[initial];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (filled == length)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(length, Math.Max(2L * buffer.Length, 4096)));
            }

            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        read = filled;
        return buffer;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    // The last four bytes of a gzip member are the uncompressed size mod 2^32: it sizes the first buffer when it
    // agrees with the header, and must match the decompressed size.
    private static uint? GzipTrailerSize(Stream stream)
    {
        if (!stream.CanSeek || stream.Length < 20)
        {
            return null;
        }

        long position = stream.Position;
        Span<byte> tail = stackalloc byte[4];
        stream.Position = stream.Length - 4;
        int got = ReadFully(stream, tail);
        stream.Position = position;
        if (got != 4)
        {
            return null;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(tail);
    }

    // Deflate expands at most about 1032:1; a size claiming more is a lie and is not used to size the buffer.
    private static uint? Plausible(uint? size, long? compressedLength)
        => size is { } s && compressedLength is { } c && s <= c * 1032 ? s : null;

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type code",
    };

    /// <summary>A read-only stream that yields a few already-read bytes before the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
