using System.Buffers.Binary;
using System.IO.Compression;

namespace Nonlinear.Data;

/// <summary>
/// A PNG image read as grayscale intensities in [0, 1], row-major [Height, Width]: enough to feed a photo or a
/// drawing to an image model (<c>nonlinear predict --image shirt.png</c>).
/// </summary>
/// <remarks>
/// Decodes every standard non-interlaced PNG: grayscale, RGB, palette, grayscale+alpha and RGBA, at bit depths
/// 1-16, with all five row filters. Colour becomes luminance with the Rec. 601 weights (0.299 R + 0.587 G +
/// 0.114 B, as PIL's <c>convert("L")</c>); transparent pixels are blended onto black, the background of MNIST-style
/// data. Chunks are bounds-checked and CRC-checked, and the decompressed size must match the header: a damaged
/// or truncated file gives a <see cref="DataFormatException"/> naming the file and the problem, never a partial image.
/// Written here (about 200 lines over <see cref="ZLibStream"/>) because the core library takes no native
/// image dependency.
/// </remarks>
/// <example><c>var image = PngImage.Read("shirt.png"); float[] x = image.Resize(28, 28);</c></example>
public sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Caps the pixel count so that a forged header cannot make the decoder allocate gigabytes.</summary>
    public const long MaxPixels = 64L << 20;

    private const long MaxDeflateRatio = 1032;

    private const int InitialInflateBuffer = 1 << 16;

    private readonly float[] _pixels;

    private PngImage(int width, int height, float[] pixels)
    {
        Width = width;
        Height = height;
        _pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Intensities in [0, 1], row-major [Height, Width] (0 black, 1 white).</summary>
    public ReadOnlySpan<float> Pixels => _pixels;

    /// <summary>Reads and decodes a PNG file.</summary>
    /// <exception cref="DataFormatException">The file is missing, not a PNG, damaged, interlaced, or too large; the message names the file.</exception>
    public static PngImage Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot read the image ({e.Message})", innerException: e);
        }

        return Decode(bytes, path);
    }

    /// <summary>Decodes PNG bytes; <paramref name="name"/> is what error messages call the source.</summary>
    /// <exception cref="DataFormatException">The bytes are not a valid PNG this decoder supports.</exception>
    public static PngImage Decode(ReadOnlySpan<byte> png, string name = "<png>")
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
        {
            throw Error(name, "not a PNG file (the 8-byte PNG signature is missing)");
        }

        int offset = Signature.Length;
        int width = 0, height = 0, bitDepth = 0, colorType = -1;
        byte[]? palette = null;
        byte[]? paletteAlpha = null;
        using var compressed = new MemoryStream();
        bool sawEnd = false;
        while (!sawEnd)
        {
            if (offset + 8 > png.Length)
            {
                throw Error(name, $"truncated at byte {offset}: expected a chunk header (the IEND chunk never came)");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
            var type = png.Slice(offset + 4, 4);
            string typeName = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || offset + 12L + length > png.Length)
            {
                throw Error(name, $"chunk '{typeName}' at byte {offset} declares {length} bytes but the file ends at byte {png.Length}");
            }

            var data = png.Slice(offset + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 8 + (int)length)..]);
            if (Crc(png.Slice(offset + 4, 4 + (int)length)) != crc)
            {
                throw Error(name, $"chunk '{typeName}' at byte {offset} fails its CRC check (the file is damaged)");
            }

            switch (typeName)
            {
                case "IHDR":
                    if (length != 13)
                    {
                        throw Error(name, $"IHDR has {length} bytes; expected 13");
                    }

                    width = checked((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data), int.MaxValue));
                    height = checked((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(data[4..]), int.MaxValue));
                    bitDepth = data[8];
                    colorType = data[9];
                    if (data[10] != 0 || data[11] != 0)
                    {
                        throw Error(name, "unknown compression or filter method");
                    }

                    if (data[12] != 0)
                    {
                        throw Error(name, "interlaced (Adam7) PNGs are not supported; re-save the image without interlacing");
                    }

                    CheckHeader(name, width, height, bitDepth, colorType);
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (colorType == 3)
                    {
                        paletteAlpha = data.ToArray();
                    }

                    break;
                case "IDAT":
                    if (colorType < 0)
                    {
                        throw Error(name, "image data before the IHDR header");
                    }

                    compressed.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            offset += 12 + (int)length;
        }

        if (colorType < 0)
        {
            throw Error(name, "no IHDR header");
        }

        if (colorType == 3 && (palette is null || palette.Length % 3 != 0))
        {
            throw Error(name, "a palette image without a valid PLTE chunk");
        }

        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = channels * bitDepth;
        long stride = ((long)width * bitsPerPixel + 7) / 8;
        long expected = (stride + 1) * height;
        var raw = Inflate(name, compressed, expected, $"{width}x{height}");
        Unfilter(name, raw, (int)stride, height, Math.Max(1, bitsPerPixel / 8));
        var pixels = ToGray(raw, (int)stride, width, height, bitDepth, colorType, palette, paletteAlpha, name);
        return new PngImage(width, height, pixels);
    }

    /// <summary>
    /// The image scaled to [<paramref name="height"/>, <paramref name="width"/>] by area averaging (each output
    /// pixel the mean of the input area it covers, fractional pixels weighted), row-major.
    /// </summary>
    public float[] Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var output = new float[height * width];
        double sy = (double)Height / height, sx = (double)Width / width;
        for (int oy = 0; oy < height; oy++)
        {
            double y0 = oy * sy, y1 = y0 + sy;
            for (int ox = 0; ox < width; ox++)
            {
                double x0 = ox * sx, x1 = x0 + sx;
                double sum = 0, area = 0;
                for (int iy = (int)y0; iy < Math.Min(Height, (int)Math.Ceiling(y1)); iy++)
                {
                    double wy = Math.Min(iy + 1, y1) - Math.Max(iy, y0);
                    for (int ix = (int)x0; ix < Math.Min(Width, (int)Math.Ceiling(x1)); ix++)
                    {
                        double w = wy * (Math.Min(ix + 1, x1) - Math.Max(ix, x0));
                        sum += w * _pixels[iy * Width + ix];
                        area += w;
                    }
                }

                output[oy * width + ox] = area > 0 ? (float)(sum / area) : 0f;
            }
        }

        return output;
    }

    /// <summary>
    /// Whether the image looks like a dark object on a light background (the mean of its border pixels is above
    /// 0.5): MNIST-style models expect the opposite, so such an image should be inverted before prediction.
    /// </summary>
    public bool HasLightBackground()
    {
        double sum = 0;
        int count = 0;
        for (int x = 0; x < Width; x++)
        {
            sum += _pixels[x] + _pixels[(Height - 1) * Width + x];
            count += 2;
        }

        for (int y = 0; y < Height; y++)
        {
            sum += _pixels[y * Width] + _pixels[y * Width + Width - 1];
            count += 2;
        }

        return sum / count > 0.5;
    }

    private static void CheckHeader(string name, int width, int height, int bitDepth, int colorType)
    {
        if (width == 0 || height == 0)
        {
            throw Error(name, $"the image is {width}x{height}; both sides must be at least 1");
        }

        if ((long)width * height > MaxPixels)
        {
            throw Error(name, $"the image is {width}x{height}, more than the {MaxPixels} pixels this decoder accepts");
        }

        bool valid = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!valid)
        {
            throw Error(name, $"colour type {colorType} with bit depth {bitDepth} is not a valid PNG combination");
        }
    }

    // The header's size is not trusted for the allocation: deflate expands at most about 1032:1, so a header that
    // needs more than that from the compressed bytes is refused at once, and the buffer grows with the data actually
    // inflated, so a forged width and height cannot make the decoder allocate what the file does not hold.
    private static byte[] Inflate(string name, MemoryStream compressed, long expected, string size)
    {
        if (expected > (compressed.Length + 1) * MaxDeflateRatio)
        {
            throw Error(name, $"the {size} image needs {expected} bytes of image data, more than its {compressed.Length} compressed bytes can hold");
        }

        compressed.Position = 0;
        var raw = new byte[Math.Min(expected, InitialInflateBuffer)];
        try
        {
            using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
            int read = 0;
            while (read < expected)
            {
                if (read == raw.Length)
                {
                    Array.Resize(ref raw, (int)Math.Min(expected, 2L * raw.Length));
                }

                int n = inflater.Read(raw, read, raw.Length - read);
                if (n == 0)
                {
                    throw Error(name, $"the image data inflates to {read} bytes; the header needs {expected}");
                }

                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, $"the compressed image data is damaged ({e.Message})", innerException: e);
        }

        return raw;
    }

    private static void Unfilter(string name, byte[] raw, int stride, int height, int bpp)
    {
        // Row r occupies raw[r * (stride + 1)]: one filter byte, then the filtered bytes, reconstructed in place.
        for (int r = 0; r < height; r++)
        {
            int start = r * (stride + 1);
            int filter = raw[start];
            var row = raw.AsSpan(start + 1, stride);
            var previous = r == 0 ? Span<byte>.Empty : raw.AsSpan(start - stride, stride);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= bpp ? row[i - bpp] : 0;
                int up = r > 0 ? previous[i] : 0;
                int upLeft = r > 0 && i >= bpp ? previous[i - bpp] : 0;
                row[i] = filter switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + left),
                    2 => (byte)(row[i] + up),
                    3 => (byte)(row[i] + ((left + up) >> 1)),
                    4 => (byte)(row[i] + Paeth(left, up, upLeft)),
                    _ => throw Error(name, $"row {r} uses filter type {filter}; PNG defines 0-4"),
                };
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static float[] ToGray(byte[] raw, int stride, int width, int height, int depth, int colorType, byte[]? palette, byte[]? paletteAlpha, string name)
    {
        var pixels = new float[(long)width * height];
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        double max = (1 << depth) - 1;
        Span<double> sample = stackalloc double[4];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1) + 1;
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    sample[c] = Sample(raw, rowStart, (x * channels) + c, depth);
                }

                double gray, alpha = 1;
                switch (colorType)
                {
                    case 0:
                        gray = sample[0] / max;
                        break;
                    case 2:
                        gray = Luma(sample[0], sample[1], sample[2]) / max;
                        break;
                    case 3:
                        int index = (int)sample[0];
                        if (3 * index + 2 >= palette!.Length)
                        {
                            throw Error(name, $"pixel ({x}, {y}) uses palette entry {index}; the palette has {palette.Length / 3}");
                        }

                        gray = Luma(palette[3 * index], palette[(3 * index) + 1], palette[(3 * index) + 2]) / 255;
                        alpha = paletteAlpha is not null && index < paletteAlpha.Length ? paletteAlpha[index] / 255.0 : 1;
                        break;
                    case 4:
                        gray = sample[0] / max;
                        alpha = sample[1] / max;
                        break;
                    default:
                        gray = Luma(sample[0], sample[1], sample[2]) / max;
                        alpha = sample[3] / max;
                        break;
                }

                pixels[((long)y * width) + x] = (float)Math.Clamp(gray * alpha, 0, 1);
            }
        }

        return pixels;
    }

    private static double Luma(double r, double g, double b) => (0.299 * r) + (0.587 * g) + (0.114 * b);

    /// <summary>The <paramref name="index"/>-th sample of a row at any bit depth (1, 2, 4: packed from the high bits; 16: big-endian).</summary>
    private static int Sample(byte[] raw, int rowStart, int index, int depth)
    {
        switch (depth)
        {
            case 8:
                return raw[rowStart + index];
            case 16:
                return (raw[rowStart + (2 * index)] << 8) | raw[rowStart + (2 * index) + 1];
            default:
                int bit = index * depth;
                int shift = 8 - depth - (bit & 7);
                return (raw[rowStart + (bit >> 3)] >> shift) & ((1 << depth) - 1);
        }
    }

    private static DataFormatException Error(string name, string problem) => new(name, problem);

    /// <summary>PNG's CRC-32 (ISO 3309) of a chunk's type and data; the fuzz harness's PNG writer seals chunks with it.</summary>
    internal static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
