using System.Buffers.Binary;
using System.IO.Compression;
using Nonlinear.Data;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The PNG decoder (<see cref="PngImage.Decode"/>). Chunks carry a CRC, so blind damage mostly stops at the CRC
/// check; the format-aware mutations therefore rebuild the file with correct CRCs after forging what matters:
/// IHDR's width, height, bit depth, colour type and interlace method, the chunk lengths, chunks duplicated,
/// removed, reordered or taken from another file, and the image data itself (decompressed, damaged - filter
/// types, lengths - and recompressed), so that the damage reaches the decoder behind every check.
/// </summary>
internal static class PngTarget
{
    private static readonly byte[] BitDepths = [0, 1, 2, 3, 4, 8, 16, 32, 255];

    private static readonly byte[] ColorTypes = [0, 1, 2, 3, 4, 5, 6, 7, 255];

    public static FuzzTarget Create() => new(
        "png",
        Seeds(),
        [
            new("forge-chunk-length", ForgeChunkLength),
            new("forge-ihdr", ForgeIhdr),
            new("damage-chunk", DamageChunk),
            new("duplicate-chunk", (random, input, _) => EditChunks(input, c => c.Insert(random.Next(c.Count + 1), c[random.Next(c.Count)]))),
            new("remove-chunk", (random, input, _) => EditChunks(input, c => c.RemoveAt(random.Next(c.Count)))),
            new("swap-chunks", SwapChunks),
            new("foreign-chunk", ForeignChunk),
            new("damage-image-data", DamageImageData),
        ],
        Read,
        [typeof(DataFormatException)]);

    private static string? Read(byte[] bytes)
    {
        var image = PngImage.Decode(bytes, "fuzz.png");
        if (image.Pixels.Length != (long)image.Width * image.Height)
        {
            return $"{image.Width}x{image.Height} image with {image.Pixels.Length} pixels";
        }

        foreach (float p in image.Pixels)
        {
            if (!(p >= 0 && p <= 1))
            {
                return $"pixel value {p} outside [0, 1]";
            }
        }

        return null;
    }

    private static byte[][] Seeds()
    {
        var random = new Random(5);
        return
        [
            PngWriter.Encode(random, 8, 6, colorType: 0, bitDepth: 8),
            PngWriter.Encode(random, 13, 5, colorType: 0, bitDepth: 1),
            PngWriter.Encode(random, 7, 3, colorType: 0, bitDepth: 4),
            PngWriter.Encode(random, 5, 4, colorType: 0, bitDepth: 16),
            PngWriter.Encode(random, 6, 5, colorType: 2, bitDepth: 8, text: true),
            PngWriter.Encode(random, 3, 3, colorType: 2, bitDepth: 16),
            PngWriter.Encode(random, 9, 4, colorType: 3, bitDepth: 2),
            PngWriter.Encode(random, 5, 5, colorType: 3, bitDepth: 8),
            PngWriter.Encode(random, 4, 4, colorType: 4, bitDepth: 8),
            PngWriter.Encode(random, 6, 4, colorType: 6, bitDepth: 8, idatChunks: 3, text: true),
            PngWriter.Encode(random, 28, 28, colorType: 0, bitDepth: 8, idatChunks: 2),
        ];
    }

    private static byte[] EditChunks(byte[] input, Action<List<PngWriter.Chunk>> edit)
    {
        if (PngWriter.Chunks(input) is not { Count: > 0 } chunks)
        {
            return input;
        }

        edit(chunks);
        return PngWriter.Build(chunks);
    }

    private static byte[] ForgeChunkLength(Random random, byte[] input, byte[] other)
    {
        if (PngWriter.Chunks(input) is not { Count: > 0 } chunks)
        {
            return input;
        }

        // Find the byte offset of the chosen chunk's length field.
        int index = random.Next(chunks.Count), offset = PngWriter.Signature.Length;
        for (int i = 0; i < index; i++)
        {
            offset += 12 + chunks[i].Data.Length;
        }

        var output = (byte[])input.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(offset), ByteMutations.ForgedInt(random, (uint)chunks[index].Data.Length));
        return output;
    }

    private static byte[] ForgeIhdr(Random random, byte[] input, byte[] other) => EditChunks(input, chunks =>
    {
        int index = chunks.FindIndex(c => c.Type == "IHDR" && c.Data.Length == 13);
        if (index < 0)
        {
            return;
        }

        var data = (byte[])chunks[index].Data.Clone();
        switch (random.Next(5))
        {
            case 0:
            case 1:
                var field = data.AsSpan(4 * random.Next(2), 4);
                BinaryPrimitives.WriteUInt32BigEndian(field, ByteMutations.ForgedInt(random, BinaryPrimitives.ReadUInt32BigEndian(field)));
                break;
            case 2:
                data[8] = ByteMutations.Pick(random, BitDepths);
                break;
            case 3:
                data[9] = ByteMutations.Pick(random, ColorTypes);
                break;
            default:
                data[10 + random.Next(3)] = ByteMutations.Pick<byte>(random, [0, 1, 2, 0xFF]);
                break;
        }

        chunks[index] = chunks[index] with { Data = data };
    });

    private static byte[] DamageChunk(Random random, byte[] input, byte[] other) => EditChunks(input, chunks =>
    {
        int index = random.Next(chunks.Count);
        var mutation = ByteMutations.Pick(random, ByteMutations.All);
        chunks[index] = chunks[index] with { Data = mutation.Apply(random, chunks[index].Data, chunks[random.Next(chunks.Count)].Data) };
    });

    private static byte[] SwapChunks(Random random, byte[] input, byte[] other) => EditChunks(input, chunks =>
    {
        int a = random.Next(chunks.Count), b = random.Next(chunks.Count);
        (chunks[a], chunks[b]) = (chunks[b], chunks[a]);
    });

    private static byte[] ForeignChunk(Random random, byte[] input, byte[] other) => EditChunks(input, chunks =>
    {
        if (PngWriter.Chunks(other) is { Count: > 0 } foreign)
        {
            var chunk = foreign[random.Next(foreign.Count)];
            int at = random.Next(chunks.Count + 1);
            if (random.Next(2) == 0 && at < chunks.Count)
            {
                chunks[at] = chunk;
            }
            else
            {
                chunks.Insert(at, chunk);
            }
        }
    });

    /// <summary>The decompressed image data damaged (filter bytes, lengths, values) and recompressed into one IDAT.</summary>
    private static byte[] DamageImageData(Random random, byte[] input, byte[] other) => EditChunks(input, chunks =>
    {
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        byte[] raw;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
            using var output = new MemoryStream();
            zlib.CopyTo(output);
            raw = output.ToArray();
        }
        catch (InvalidDataException)
        {
            return;
        }

        if (random.Next(3) == 0 && raw.Length > 0)
        {
            raw = (byte[])raw.Clone();
            raw[random.Next(raw.Length)] = (byte)random.Next(5, 256); // a filter type PNG does not define, if it hit a row start
        }
        else
        {
            raw = ByteMutations.Pick(random, ByteMutations.All).Apply(random, raw, raw);
        }

        int first = chunks.FindIndex(c => c.Type == "IDAT");
        chunks.RemoveAll(c => c.Type == "IDAT");
        chunks.Insert(Math.Max(0, first), new("IDAT", PngWriter.Compress(raw)));
    });
}
