using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using Nonlinear.Data;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class PngImageTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "Png");

    public static TheoryData<string> FixtureNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Expected().Keys.Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    private static Dictionary<string, JsonElement> Expected()
        => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(Fixtures, "expected.json")))!;

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void Images_written_by_PIL_decode_to_the_expected_intensities(string name)
    {
        var expected = Expected()[name];
        var image = PngImage.Read(Path.Combine(Fixtures, name));
        Assert.Equal(expected.GetProperty("width").GetInt32(), image.Width);
        Assert.Equal(expected.GetProperty("height").GetInt32(), image.Height);
        var gray = expected.GetProperty("gray").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(gray.Length, image.Pixels.Length);
        for (int i = 0; i < gray.Length; i++)
        {
            Assert.True(Math.Abs(gray[i] - image.Pixels[i]) <= 2e-6, $"{name} pixel {i}: {image.Pixels[i]}, expected {gray[i]}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_row_filter_reconstructs_the_pixels(int filter)
    {
        int w = 9, h = 6;
        var rng = new Random(filter + 1);
        var rgb = new byte[w * h * 3];
        rng.NextBytes(rgb);
        var image = PngImage.Decode(Encode(rgb, w, h, colorType: 2, filter));
        for (int i = 0; i < w * h; i++)
        {
            double luma = ((0.299 * rgb[3 * i]) + (0.587 * rgb[(3 * i) + 1]) + (0.114 * rgb[(3 * i) + 2])) / 255;
            Assert.True(Math.Abs(luma - image.Pixels[i]) <= 1e-6, $"filter {filter} pixel {i}");
        }
    }

    [Fact]
    public void Resize_averages_areas_and_keeps_constant_images_constant()
    {
        // A 4x4 image of four 2x2 blocks shrinks to the four block values.
        var gray = new byte[] { 0, 0, 255, 255, 0, 0, 255, 255, 51, 51, 102, 102, 51, 51, 102, 102 };
        var image = PngImage.Decode(Encode(gray, 4, 4, colorType: 0, filter: 0));
        var small = image.Resize(2, 2);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], small.Select(v => MathF.Round(v, 5)).ToArray());

        // Upscaling a constant image, and odd ratios, keep it constant.
        var flat = PngImage.Decode(Encode(Enumerable.Repeat((byte)128, 7 * 5).ToArray(), 7, 5, 0, 0));
        foreach (var (rows, cols) in new[] { (28, 28), (3, 2), (5, 7) })
        {
            Assert.All(flat.Resize(rows, cols), v => Assert.Equal(128 / 255f, v, 5));
        }
    }

    [Fact]
    public void A_dark_object_on_white_is_recognised_as_a_light_background()
    {
        var gray = Enumerable.Repeat((byte)255, 10 * 10).ToArray();
        gray[55] = gray[44] = 0;
        Assert.True(PngImage.Decode(Encode(gray, 10, 10, 0, 1)).HasLightBackground());
        var inverted = gray.Select(b => (byte)(255 - b)).ToArray();
        Assert.False(PngImage.Decode(Encode(inverted, 10, 10, 0, 1)).HasLightBackground());
    }

    [Fact]
    public void Damaged_files_fail_with_a_message_naming_the_problem()
    {
        var good = Encode(new byte[] { 1, 2, 3, 4 }, 2, 2, 0, 0);
        Assert.Contains("signature", Fails(good[4..]));
        Assert.Contains("IEND", Fails(good[..33]));

        var flipped = (byte[])good.Clone();
        flipped[^14] ^= 0x40; // inside the IDAT data: the CRC no longer matches
        Assert.Contains("CRC", Fails(flipped));

        var interlaced = WithHeaderByte(good, 12, 1);
        Assert.Contains("interlaced", Fails(interlaced));
        Assert.Contains("bit depth 3", Fails(WithHeaderByte(good, 8, 3)));

        // A forged size must fail before any large allocation.
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(20), 100_000);
        Assert.Contains("more than", Fails(Recrc(huge, 8)));

        // Data for fewer rows than the header claims.
        var tall = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(tall.AsSpan(20), 3);
        Assert.Contains("inflates to", Fails(Recrc(tall, 8)));

        var missing = Assert.Throws<DataFormatException>(() => PngImage.Read(Path.Combine(Fixtures, "no-such.png")));
        Assert.Contains("no-such.png", missing.Message);
    }

    [Theory]
    [InlineData(8192, 8192)]     // under MaxPixels, 64 MiB of image data claimed by a 16-byte IDAT
    [InlineData(1, 67_108_864)]
    public void A_forged_size_within_the_pixel_limit_fails_without_allocating_the_image_data(int width, int height)
    {
        // Found by fuzzing (docs/fuzzing.md): the decoder allocated the whole image data the header claims before
        // inflating a byte, 128 MiB here from an 80-byte file.
        var forged = Encode(new byte[] { 1, 2, 3, 4 }, 2, 2, 0, 0);
        BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(20), height);
        long before = GC.GetAllocatedBytesForCurrentThread();

        string message = Fails(Recrc(forged, 8));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("compressed bytes can hold", message);
    }

    [Fact]
    public void Image_data_that_inflates_short_of_a_plausible_header_fails_after_a_small_allocation()
    {
        // 100x100 needs 10,100 bytes: plausible for the compressed size, so the decoder inflates and finds 6.
        var forged = Encode(new byte[] { 1, 2, 3, 4 }, 2, 2, 0, 0);
        BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(16), 100);
        BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(20), 100);
        long before = GC.GetAllocatedBytesForCurrentThread();

        string message = Fails(Recrc(forged, 8));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("inflates to 6 bytes; the header needs 10100", message);
    }

    [Fact]
    public void Every_truncation_fails_cleanly()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Fixtures, "rgba8.png"));
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<DataFormatException>(() => PngImage.Decode(bytes.AsSpan(0, length)));
        }
    }

    private static string Fails(byte[] png) => Assert.Throws<DataFormatException>(() => PngImage.Decode(png, "test.png")).Message;

    private static byte[] WithHeaderByte(byte[] png, int index, byte value)
    {
        var copy = (byte[])png.Clone();
        copy[16 + index] = value;
        return Recrc(copy, 8);
    }

    /// <summary>Recomputes the CRC of the chunk starting at <paramref name="offset"/> after an edit.</summary>
    private static byte[] Recrc(byte[] png, int offset)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(offset + 8 + length), Crc(png.AsSpan(offset + 4, 4 + length)));
        return png;
    }

    /// <summary>A minimal 8-bit PNG encoder (gray or RGB) applying one filter type to every row.</summary>
    internal static byte[] Encode(byte[] pixels, int width, int height, int colorType, int filter)
    {
        int bpp = colorType == 2 ? 3 : 1;
        int stride = width * bpp;
        var raw = new byte[(stride + 1) * height];
        for (int r = 0; r < height; r++)
        {
            raw[r * (stride + 1)] = (byte)filter;
            for (int i = 0; i < stride; i++)
            {
                int x = pixels[(r * stride) + i];
                int left = i >= bpp ? pixels[(r * stride) + i - bpp] : 0;
                int up = r > 0 ? pixels[((r - 1) * stride) + i] : 0;
                int upLeft = r > 0 && i >= bpp ? pixels[((r - 1) * stride) + i - bpp] : 0;
                int predictor = filter switch
                {
                    1 => left,
                    2 => up,
                    3 => (left + up) >> 1,
                    4 => Paeth(left, up, upLeft),
                    _ => 0,
                };
                raw[(r * (stride + 1)) + 1 + i] = (byte)(x - predictor);
            }
        }

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = (byte)colorType;
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buffer = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(buffer, 4);
        data.CopyTo(buffer, 8);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8 + data.Length), Crc(buffer.AsSpan(4, 4 + data.Length)));
        s.Write(buffer);
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return c ^ 0xFFFFFFFFu;
    }
}
