using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

/// <summary>Damaged checkpoints found by fuzzing (docs/fuzzing.md) fail with a ModelFileException naming the problem.</summary>
public sealed class CheckpointReaderTests
{
    private static byte[] Saved()
    {
        var data = SyntheticData.Spiral(40, 0.1, seed: 3);
        var model = Sequential.Parse("dense:4,tanh,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var optimizer = Optimizer.Create("adam", 0.01);
        var loss = TaskDefaults.Loss(data.Task);
        var state = new TrainingState(1, batchSize: 8, seed: 2);
        new Trainer(model, loss, optimizer).Fit(data, null, state);
        var metadata = new ModelMetadata { Task = data.Task, OutputActivation = TaskDefaults.OutputActivation(loss), Loss = loss.Name };
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, model, metadata, optimizer, state, new Dictionary<string, string> { ["note"] = "abcd" });
        return stream.ToArray();
    }

    /// <summary>The header with <paramref name="edit"/> applied, the length prefix and the SHA-256 recomputed.</summary>
    private static byte[] Resealed(byte[] file, Func<byte[], byte[]> edit)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(8)));
        var header = edit(file[16..(16 + length)]);
        byte[] output = [.. file.AsSpan(0, 8), .. new byte[8], .. header, .. file.AsSpan(16 + length)];
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(8), (ulong)header.Length);
        SHA256.HashData(output.AsSpan(0, output.Length - 32), output.AsSpan(output.Length - 32));
        return output;
    }

    private static byte[] Replace(byte[] header, string from, byte[] to)
    {
        int at = header.AsSpan().IndexOf(Encoding.UTF8.GetBytes(from));
        Assert.True(at >= 0);
        return [.. header.AsSpan(0, at), .. to, .. header.AsSpan(at + from.Length)];
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x62, 0x63, 0x64 })]                                      // "\xFFbcd": not UTF-8
    [InlineData(new byte[] { 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30 })]                          // "\ud800": a lone surrogate escape
    public void Header_text_that_is_not_valid_Unicode_is_a_ModelFileException(byte[] value)
    {
        // Found by fuzzing: JsonDocument parses such bytes, and reading the string later threw InvalidOperationException.
        var damaged = Resealed(Saved(), header => Replace(header, "abcd", value));

        var e = Assert.Throws<ModelFileException>(() => Checkpoint.Load(new MemoryStream(damaged), "run.nlc"));

        Assert.Contains("run.nlc: the header holds text that is not valid Unicode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_is_not_valid_UTF8_is_a_ModelFileException()
    {
        var damaged = Resealed(Saved(), header => Replace(header, "\"note\"", [0x22, 0xC3, 0x28, 0x22]));

        Assert.Throws<ModelFileException>(() => Checkpoint.Load(new MemoryStream(damaged), "run.nlc"));
    }
}
