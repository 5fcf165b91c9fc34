using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text.Json;

namespace Nonlinear.Web.Sessions;

/// <summary>
/// Writes a frame: a JSON header (through <see cref="Header"/>), then raw grid bytes (through <see cref="Grid"/>).
/// The wire form is a little-endian uint32 header length, the header, then the grids (docs/web-api.md). One writer
/// per session, reused, so building a frame allocates only its pooled output buffer.
/// </summary>
internal sealed class FrameWriter
{
    private readonly ArrayBufferWriter<byte> _json = new(16 * 1024);
    private readonly Utf8JsonWriter _writer;
    private byte[] _grids = new byte[64 * 1024];
    private int _gridLength;

    public FrameWriter()
    {
        _writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = false });
    }

    public Utf8JsonWriter Header => _writer;

    public void Begin()
    {
        _json.ResetWrittenCount();
        _writer.Reset(_json);
        _gridLength = 0;
    }

    /// <summary>The next <paramref name="length"/> bytes of the grid section, to fill.</summary>
    public Span<byte> Grid(int length)
    {
        if (_gridLength + length > _grids.Length)
        {
            Array.Resize(ref _grids, Math.Max(_grids.Length * 2, _gridLength + length));
        }

        var span = _grids.AsSpan(_gridLength, length);
        _gridLength += length;
        return span;
    }

    public Frame Finish(long number)
    {
        _writer.Flush();
        int headerLength = _json.WrittenCount;
        int total = 4 + headerLength + _gridLength;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)headerLength);
        _json.WrittenSpan.CopyTo(buffer.AsSpan(4));
        _grids.AsSpan(0, _gridLength).CopyTo(buffer.AsSpan(4 + headerLength));
        return new Frame(buffer, total, number);
    }

    /// <summary>Writes a number, or null when it is NaN or infinite (JSON has neither).</summary>
    public static void Number(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Quantises <paramref name="values"/> linearly onto bytes over [lo, hi].</summary>
    public static void Quantize(ReadOnlySpan<float> values, float lo, float hi, Span<byte> output)
    {
        float scale = hi > lo ? 255f / (hi - lo) : 0f;
        int i = 0;

        // A frame quantises over 100,000 values (every neuron's thumbnail): vectors of floats, narrowed four to one
        // vector of bytes, with the same rounding, clamping and NaN → 0 as the scalar loop that finishes the tail.
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated && output.Length >= 4 * width)
        {
            var low = new Vector<float>(lo);
            var step = new Vector<float>(scale);
            for (; i <= output.Length - (4 * width); i += 4 * width)
            {
                var first = Vector.Narrow(Level(values.Slice(i), low, step), Level(values.Slice(i + width), low, step));
                var second = Vector.Narrow(Level(values.Slice(i + (2 * width)), low, step), Level(values.Slice(i + (3 * width)), low, step));
                Vector.Narrow(first, second).CopyTo(output.Slice(i));
            }
        }

        for (; i < output.Length; i++)
        {
            float v = values[i];
            float q = float.IsNaN(v) ? 0f : (v - lo) * scale + 0.5f;
            output[i] = (byte)Math.Clamp(q, 0f, 255f);
        }
    }

    private static Vector<uint> Level(ReadOnlySpan<float> values, Vector<float> low, Vector<float> step)
    {
        var q = ((new Vector<float>(values) - low) * step) + new Vector<float>(0.5f);
        q = Vector.ConditionalSelect(Vector.Equals(q, q), q, Vector<float>.Zero);
        return Vector.ConvertToUInt32(Vector.Min(Vector.Max(q, Vector<float>.Zero), new Vector<float>(255f)));
    }
}
