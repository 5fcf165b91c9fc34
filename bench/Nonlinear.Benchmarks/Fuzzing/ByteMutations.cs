using System.Buffers.Binary;

namespace Nonlinear.Fuzzing;

/// <summary>
/// Format-blind mutations: bit flips, bytes set to interesting values, integers of interesting values written at
/// random offsets, truncations, junk appended, ranges duplicated, removed or overwritten, and splices of two
/// valid files. Also the interesting values the format-aware mutations forge lengths and counts from.
/// </summary>
internal static class ByteMutations
{
    /// <summary>Bytes that sit on a boundary: zero, all ones, the largest positive and the smallest negative signed byte.</summary>
    public static readonly byte[] InterestingBytes = [0x00, 0xFF, 0x7F, 0x80, 0x01];

    /// <summary>32-bit values that break size arithmetic: zero, one, signed and unsigned limits, powers of two.</summary>
    public static readonly uint[] InterestingInts =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x100000, 0x1000000,
        0x3FFFFFFF, 0x40000000, 0x7FFFFFFE, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF,
    ];

    /// <summary>64-bit values for 8-byte length fields.</summary>
    public static readonly ulong[] InterestingLongs =
    [
        0, 1, 2, 7, 8, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, ulong.MaxValue,
    ];

    public static readonly IReadOnlyList<Mutation> All =
    [
        new("bit-flip", FlipBits),
        new("interesting-byte", SetInterestingByte),
        new("interesting-int", WriteInterestingInt),
        new("truncate", Truncate),
        new("extend-junk", ExtendWithJunk),
        new("splice", Splice),
        new("duplicate-range", DuplicateRange),
        new("remove-range", RemoveRange),
        new("random-range", OverwriteRange),
    ];

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>An interesting 32-bit value, or one near <paramref name="actual"/> (off by one, doubled, zero).</summary>
    public static uint ForgedInt(Random random, uint actual) => random.Next(3) switch
    {
        0 => actual + (uint)random.Next(-2, 3),
        1 => actual * (uint)random.Next(2, 1000),
        _ => Pick(random, InterestingInts),
    };

    private static byte[] FlipBits(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length == 0)
        {
            return output;
        }

        int flips = 1 << random.Next(4);
        for (int i = 0; i < flips; i++)
        {
            int bit = random.Next(output.Length * 8);
            output[bit >> 3] ^= (byte)(1 << (bit & 7));
        }

        return output;
    }

    private static byte[] SetInterestingByte(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length > 0)
        {
            output[random.Next(output.Length)] = Pick(random, InterestingBytes);
        }

        return output;
    }

    private static byte[] WriteInterestingInt(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        int width = Pick(random, [2, 4, 8]);
        if (output.Length < width)
        {
            return output;
        }

        int at = random.Next(output.Length - width + 1);
        var span = output.AsSpan(at, width);
        bool big = random.Next(2) == 0;
        switch (width)
        {
            case 2:
                ushort s = (ushort)Pick(random, InterestingInts);
                if (big) BinaryPrimitives.WriteUInt16BigEndian(span, s); else BinaryPrimitives.WriteUInt16LittleEndian(span, s);
                break;
            case 4:
                uint v = Pick(random, InterestingInts);
                if (big) BinaryPrimitives.WriteUInt32BigEndian(span, v); else BinaryPrimitives.WriteUInt32LittleEndian(span, v);
                break;
            default:
                ulong l = Pick(random, InterestingLongs);
                if (big) BinaryPrimitives.WriteUInt64BigEndian(span, l); else BinaryPrimitives.WriteUInt64LittleEndian(span, l);
                break;
        }

        return output;
    }

    private static byte[] Truncate(Random random, byte[] input, byte[] other)
        => input.Length == 0 ? input : input[..random.Next(input.Length)];

    private static byte[] ExtendWithJunk(Random random, byte[] input, byte[] other)
    {
        var junk = new byte[1 + random.Next(random.Next(2) == 0 ? 16 : 4096)];
        switch (random.Next(3))
        {
            case 0:
                random.NextBytes(junk);
                break;
            case 1:
                junk.AsSpan().Fill(Pick(random, InterestingBytes));
                break;
            default:
                for (int i = 0; i < junk.Length; i++)
                {
                    junk[i] = other.Length == 0 ? (byte)0 : other[i % other.Length];
                }

                break;
        }

        return [.. input, .. junk];
    }

    private static byte[] Splice(Random random, byte[] input, byte[] other)
    {
        int cut = random.Next(input.Length + 1);
        int from = random.Next(other.Length + 1);
        return [.. input.AsSpan(0, cut), .. other.AsSpan(from)];
    }

    private static byte[] DuplicateRange(Random random, byte[] input, byte[] other)
    {
        if (input.Length == 0)
        {
            return input;
        }

        int start = random.Next(input.Length);
        int length = 1 + random.Next(Math.Min(input.Length - start, 256));
        int at = random.Next(input.Length + 1);
        return [.. input.AsSpan(0, at), .. input.AsSpan(start, length), .. input.AsSpan(at)];
    }

    private static byte[] RemoveRange(Random random, byte[] input, byte[] other)
    {
        if (input.Length == 0)
        {
            return input;
        }

        int start = random.Next(input.Length);
        int length = 1 + random.Next(Math.Min(input.Length - start, 256));
        return [.. input.AsSpan(0, start), .. input.AsSpan(start + length)];
    }

    private static byte[] OverwriteRange(Random random, byte[] input, byte[] other)
    {
        var output = (byte[])input.Clone();
        if (output.Length == 0)
        {
            return output;
        }

        int start = random.Next(output.Length);
        int length = 1 + random.Next(Math.Min(output.Length - start, 64));
        random.NextBytes(output.AsSpan(start, length));
        return output;
    }
}
