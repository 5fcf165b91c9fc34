using System.Buffers.Binary;
using System.IO.Compression;
using Nonlinear.Data;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The IDX reader (<see cref="IdxFile.Read(Stream, string)"/>), raw ("idx") and gzip-compressed ("idx-gz"). The
/// header is 00 00, a type byte, a rank byte and one big-endian 32-bit size per dimension: the format-aware
/// mutations forge the sizes, the rank and the type. For gzip files they are applied to the decompressed bytes
/// and the result recompressed (so a forged size reaches the IDX checks behind valid gzip), and the gzip size
/// field (the last 4 bytes) is forged too, alone or to agree with a forged header.
/// </summary>
internal static class IdxTarget
{
    private static readonly byte[] Ranks = [0, 1, 2, 3, 4, 8, 9, 0x7F, 0x80, 0xFF];

    private static readonly byte[] Types = [0x08, 0x09, 0x0B, 0x0D, 0x0E, 0x00, 0xFF];

    public static FuzzTarget CreateRaw() => new(
        "idx",
        RawSeeds(),
        [new("forge-dimension", ForgeDimension), new("forge-rank", ForgeRank), new("forge-type", ForgeType)],
        Read,
        [typeof(DataFormatException)]);

    /// <summary>Raw and gzip files through a stream that cannot seek (a download, a pipe): no file length to check sizes against.</summary>
    public static FuzzTarget CreateStream()
    {
        var raw = CreateRaw();
        var gzip = CreateGzip();
        return new(
            "idx-stream",
            [.. raw.Seeds, .. gzip.Seeds],
            [.. raw.Mutations, .. gzip.Mutations],
            bytes => Read(new ForwardOnlyStream(bytes)),
            [typeof(DataFormatException)]);
    }

    public static FuzzTarget CreateGzip() => new(
        "idx-gz",
        [.. RawSeeds().Select(Gzip)],
        [
            new("gz:forge-dimension", Inside(ForgeDimension)),
            new("gz:forge-rank", Inside(ForgeRank)),
            new("gz:truncate-values", Inside((random, raw, _) => raw[..Math.Max(0, raw.Length - 1 - random.Next(raw.Length))])),
            new("gz:extend-values", Inside((random, raw, _) => [.. raw, .. new byte[1 + random.Next(random.Next(2) == 0 ? 8 : 1 << 16)]])),
            new("gz:forge-size-field", ForgeSizeField),
            new("gz:forge-dimension-and-size-field", ForgeDimensionAndSizeField),
        ],
        Read,
        [typeof(DataFormatException)]);

    private static string? Read(byte[] bytes) => Read(new MemoryStream(bytes, writable: false));

    private static string? Read(Stream stream)
    {
        using var owned = stream;
        var file = IdxFile.Read(stream, "fuzz.idx");
        long product = file.Dimensions.Aggregate(1L, (a, d) => a * d);
        return product == file.Data.Length ? null : $"dimensions [{string.Join(", ", file.Dimensions)}] but {file.Data.Length} values";
    }

    private static byte[][] RawSeeds()
    {
        var random = new Random(12);
        byte[] Make(params int[] dims)
        {
            int length = dims.Aggregate(1, (a, d) => a * d);
            var file = new byte[4 + (4 * dims.Length) + length];
            file[2] = IdxFile.UnsignedByteType;
            file[3] = (byte)dims.Length;
            for (int i = 0; i < dims.Length; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4 + (4 * i)), dims[i]);
            }

            random.NextBytes(file.AsSpan(4 + (4 * dims.Length)));
            return file;
        }

        return [Make(12, 6, 6), Make(12), Make(5, 7), Make(3, 2, 2, 2), Make(0), Make(1, 28, 28)];
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }

    private static byte[]? Gunzip(byte[] bytes)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>A mutation of the decompressed bytes, recompressed.</summary>
    private static Func<Random, byte[], byte[], byte[]> Inside(Func<Random, byte[], byte[], byte[]> mutate)
        => (random, input, other) => Gunzip(input) is { } raw ? Gzip(mutate(random, raw, other)) : input;

    private static byte[] ForgeDimension(Random random, byte[] input, byte[] other)
    {
        if (input.Length < 8)
        {
            return input;
        }

        var output = (byte[])input.Clone();
        int rank = Math.Clamp((int)output[3], 1, (output.Length - 4) / 4);
        var at = output.AsSpan(4 + (4 * random.Next(rank)), 4);
        BinaryPrimitives.WriteUInt32BigEndian(at, ByteMutations.ForgedInt(random, BinaryPrimitives.ReadUInt32BigEndian(at)));
        return output;
    }

    private static byte[] ForgeRank(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length >= 4)
        {
            output[3] = ByteMutations.Pick(random, Ranks);
        }

        return output;
    }

    private static byte[] ForgeType(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length >= 4)
        {
            output[2] = ByteMutations.Pick(random, Types);
        }

        return output;
    }

    private static byte[] ForgeSizeField(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length >= 4)
        {
            var field = output.AsSpan(output.Length - 4);
            BinaryPrimitives.WriteUInt32LittleEndian(field, ByteMutations.ForgedInt(random, BinaryPrimitives.ReadUInt32LittleEndian(field)));
        }

        return output;
    }

    /// <summary>A forged header whose size the gzip size field agrees with: the reader's plausibility check on that field is all that is left.</summary>
    private static byte[] ForgeDimensionAndSizeField(Random random, byte[] input, byte[] other)
    {
        if (Gunzip(input) is not { } raw || raw.Length < 8)
        {
            return input;
        }

        var forged = ForgeDimension(random, raw, other);
        int rank = Math.Clamp((int)forged[3], 1, (forged.Length - 4) / 4);
        ulong values = 1;
        for (int i = 0; i < rank; i++)
        {
            values *= BinaryPrimitives.ReadUInt32BigEndian(forged.AsSpan(4 + (4 * i)));
        }

        ulong claimed = 4 + (4 * (ulong)rank) + values;

        var output = Gzip(forged);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(output.Length - 4), (uint)claimed);
        return output;
    }

    /// <summary>A read-only stream over bytes that cannot seek and has no length.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

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
            int n = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
