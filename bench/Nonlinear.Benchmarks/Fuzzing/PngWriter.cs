using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nonlinear.Data;

namespace Nonlinear.Fuzzing;

/// <summary>
/// A small PNG encoder for fuzzing: every colour type and bit depth, rows filtered with all five filters in turn,
/// the image data optionally split over several IDAT chunks, and the chunk helpers the PNG mutations use (list,
/// rebuild, recompute a CRC).
/// </summary>
internal static class PngWriter
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>One chunk: its type and data (length and CRC are derived).</summary>
    public sealed record Chunk(string Type, byte[] Data);

    /// <summary>Encodes random pixels of the given layout.</summary>
    public static byte[] Encode(Random random, int width, int height, int colorType, int bitDepth, int idatChunks = 1, bool text = false)
    {
        int channels = Channels(colorType);
        int stride = ((width * channels * bitDepth) + 7) / 8;
        int bpp = Math.Max(1, channels * bitDepth / 8);
        var rows = new byte[height][];
        for (int r = 0; r < height; r++)
        {
            rows[r] = new byte[stride];
            random.NextBytes(rows[r]);
        }

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        var chunks = new List<Chunk> { new("IHDR", ihdr) };
        if (text)
        {
            chunks.Add(new("tEXt", Encoding.ASCII.GetBytes("Comment\0made for fuzzing")));
        }

        if (colorType == 3)
        {
            int entries = 1 << bitDepth;
            var palette = new byte[3 * entries];
            random.NextBytes(palette);
            chunks.Add(new("PLTE", palette));
            var alpha = new byte[entries / 2];
            random.NextBytes(alpha);
            chunks.Add(new("tRNS", alpha));
        }

        var filtered = new byte[height * (stride + 1)];
        for (int r = 0; r < height; r++)
        {
            int filter = r % 5;
            int start = r * (stride + 1);
            filtered[start] = (byte)filter;
            for (int i = 0; i < stride; i++)
            {
                int left = i >= bpp ? rows[r][i - bpp] : 0;
                int up = r > 0 ? rows[r - 1][i] : 0;
                int upLeft = r > 0 && i >= bpp ? rows[r - 1][i - bpp] : 0;
                int predicted = filter switch { 0 => 0, 1 => left, 2 => up, 3 => (left + up) >> 1, _ => Paeth(left, up, upLeft) };
                filtered[start + 1 + i] = (byte)(rows[r][i] - predicted);
            }
        }

        var compressed = Compress(filtered);
        int part = (compressed.Length + idatChunks - 1) / idatChunks;
        for (int at = 0; at < compressed.Length; at += part)
        {
            chunks.Add(new("IDAT", compressed[at..Math.Min(compressed.Length, at + part)]));
        }

        chunks.Add(new("IEND", []));
        return Build(chunks);
    }

    public static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    public static byte[] Compress(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>The chunks after the signature, or null when the layout (lengths) no longer parses.</summary>
    public static List<Chunk>? Chunks(byte[] png)
    {
        if (png.Length < Signature.Length || !png.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            return null;
        }

        var chunks = new List<Chunk>();
        int offset = Signature.Length;
        while (offset < png.Length)
        {
            if (offset + 12 > png.Length)
            {
                return null;
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (length > (uint)(png.Length - offset - 12))
            {
                return null;
            }

            chunks.Add(new(Encoding.Latin1.GetString(png, offset + 4, 4), png[(offset + 8)..(offset + 8 + (int)length)]));
            offset += 12 + (int)length;
        }

        return chunks;
    }

    /// <summary>The signature and the chunks, each with its length and a correct CRC.</summary>
    public static byte[] Build(IEnumerable<Chunk> chunks)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> word = stackalloc byte[4];
        foreach (var chunk in chunks)
        {
            var type = Encoding.Latin1.GetBytes(chunk.Type);
            BinaryPrimitives.WriteInt32BigEndian(word, chunk.Data.Length);
            output.Write(word);
            output.Write(type);
            output.Write(chunk.Data);
            BinaryPrimitives.WriteUInt32BigEndian(word, PngImage.Crc([.. type, .. chunk.Data]));
            output.Write(word);
        }

        return output.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
