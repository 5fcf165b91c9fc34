using System.Buffers.Binary;
using Nonlinear.Serialization;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// Reads an uploaded model file by its content (the name's extension only breaks a tie): a Nonlinear model file
/// (.nlm: an 8-byte header length, then the JSON header) with <see cref="ModelFile.Load(Stream, string?)"/>, an
/// ONNX file (a protobuf ModelProto, which starts with its ir_version field) with the library's ONNX import.
/// Whatever the reader finds wrong is a 400 with its message, which names the file and the problem.
/// </summary>
internal static class ModelUploadReader
{
    /// <summary>The model in <paramref name="bytes"/>, with its format ("nlm" or "onnx").</summary>
    /// <exception cref="WebRequestException">400: the file cannot be read (the reader's message); 415: an ONNX file and no ONNX import in this build.</exception>
    public static (SavedModel Model, string Format) Read(byte[] bytes, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        bool onnx = !LooksLikeModelFile(bytes, length)
            && (LooksLikeOnnx(bytes, length) || name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
        if (onnx)
        {
            throw new WebRequestException(StatusCodes.Status415UnsupportedMediaType,
                $"{name} is an ONNX file: ONNX import is not available in this build. Open a Nonlinear model file (.nlm), as 'nonlinear train --save' writes.");
        }

        using var stream = new MemoryStream(bytes, 0, length, writable: false);
        try
        {
            return (ModelFile.Load(stream, name), "nlm");
        }
        catch (ModelFileException e)
        {
            throw WebRequestException.BadRequest(e.Message);
        }
    }

    /// <summary>An 8-byte little-endian header length that fits the file, followed by the JSON header's '{'.</summary>
    public static bool LooksLikeModelFile(ReadOnlySpan<byte> bytes, int length)
    {
        if (length < 9)
        {
            return false;
        }

        ulong header = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return header > 0 && header <= (ulong)(length - 8) && bytes[8] == (byte)'{';
    }

    /// <summary>
    /// A protobuf ModelProto as ONNX writers (PyTorch's torch.onnx.export among them) lay it out: field 1
    /// (ir_version, a small varint) first, then another field of ModelProto (producer name, graph, opset ...).
    /// </summary>
    public static bool LooksLikeOnnx(ReadOnlySpan<byte> bytes, int length)
    {
        if (length < 3 || bytes[0] != 0x08 || bytes[1] is 0 or > 0x7F)
        {
            return false;
        }

        // Field numbers 2-8 and 14 (metadata_props), 20 (training_info) and 25 (functions) with their wire types.
        return bytes[2] is 0x12 or 0x1A or 0x22 or 0x28 or 0x32 or 0x3A or 0x42 or 0x72 or 0xA2 or 0xCA;
    }
}
