using System.Buffers.Binary;
using System.IO.Compression;

namespace Nonlinear.Tests.Data;

/// <summary>Test helpers: a temporary directory, IDX files built byte by byte, and the repository root.</summary>
internal sealed class DataFiles : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("nonlinear-data-").FullName;

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    public string Path(string name) => System.IO.Path.Combine(Directory, name);

    public string Write(string name, byte[] bytes)
    {
        string path = Path(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteText(string name, string text)
    {
        string path = Path(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>An unsigned-byte IDX file: 00 00 08 rank, big-endian sizes, then the values.</summary>
    public static byte[] Idx(int[] dims, byte[] values, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + values.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        }

        values.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(raw);
        }

        return buffer.ToArray();
    }

    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The directory holding Nonlinear.slnx, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Nonlinear.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Nonlinear.slnx above {AppContext.BaseDirectory}.");
    }
}
