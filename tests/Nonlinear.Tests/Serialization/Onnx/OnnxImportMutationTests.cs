using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Xunit;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// A seeded slice of mutated fixtures (bit flips, byte overwrites, truncations, splices): each either imports or fails
/// with a <see cref="ModelFileException"/>, never another exception.
/// </summary>
public sealed class OnnxImportMutationTests
{
    private const int Cases = 40;

    [Theory]
    [InlineData("mlp_acts_a_13", 1)]
    [InlineData("mlp_acts_b_17", 2)]
    [InlineData("cnn_view_13", 3)]
    [InlineData("cnn_small_17", 4)]
    public void Mutated_files_import_or_fail_with_a_model_file_exception(string fixture, int seed)
    {
        var original = File.ReadAllBytes(Path.Combine(ImportFixture.Directory, fixture + ".onnx"));
        var random = new Random(seed);
        int imported = 0, refused = 0;
        for (int i = 0; i < Cases; i++)
        {
            var bytes = Mutate(original, random);
            try
            {
                var saved = OnnxImport.Load(new MemoryStream(bytes), "mutated.onnx");
                Assert.True(saved.Model.IsBuilt);
                imported++;
            }
            catch (ModelFileException e)
            {
                Assert.StartsWith("mutated.onnx: ", e.Message, StringComparison.Ordinal);
                refused++;
            }
        }

        Assert.True(refused > 0 && imported + refused == Cases);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (int k = random.Next(1, 4); k > 0; k--)
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1:
                for (int k = random.Next(1, 3); k > 0; k--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 2:
                return bytes[..random.Next(bytes.Length)];
            default:
                int from = random.Next(bytes.Length), to = random.Next(bytes.Length), length = random.Next(1, 64);
                length = Math.Min(length, Math.Min(bytes.Length - from, bytes.Length - to));
                Array.Copy(original, from, bytes, to, length);
                return bytes;
        }
    }
}
