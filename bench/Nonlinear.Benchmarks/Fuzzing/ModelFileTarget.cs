using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The model file reader (<see cref="ModelFile.Load(Stream, string?)"/>): an 8-byte little-endian header length,
/// a JSON header (metadata with the architecture and input shape, and per tensor its shape and data offsets), then
/// the float32 data. The format-aware mutations forge the header length, every number in the header (shapes,
/// offsets, layer sizes in the architecture, the input shape), swap architectures and headers between files, and
/// damage the header while keeping its length prefix right, so that the damage reaches the JSON and model checks.
/// </summary>
internal static partial class ModelFileTarget
{
    /// <summary>Layers with sizes a file should never make the reader allocate, some of kinds the size pre-check does not know.</summary>
    private static readonly string[] HugeLayers =
    [
        "dense:2147483647", "dense:100000000", "conv:65535x65535", "conv:100000x3", "embedding:100000000:100", "embedding:2147483647:2147483647",
        "lstm:100000000", "gru:46341:seq", "rnn:2147483647", "transformer:heads=1,ff=100000000", "transformer:d=100000,heads=1,ff=1",
        "attention:heads=100000000", "positions:learned", "positions:sinusoidal", "layernorm", "batchnorm", "prelu:channel", "seqpool:mean",
        "flatten", "pool:65535", "dense:3", "relu", "softmax",
    ];

    private static readonly string[] ForgedShapes =
    [
        "[0]", "[-1]", "[1]", "[2147483647]", "[100000000]", "[1, 65536, 65536]", "[65536, 65536]", "[1000000, 1000]", "[3, 2147483647]",
        "[100000, 8]", "[1, 8, 8]", "[4]", "[5]", "[6, 2]", "[8,8,8,8,8,8,8,8,8]", "[]", "[1e9]",
    ];

    private static readonly string[] ForgedNumbers =
    [
        "0", "-1", "1", "2", "3", "65535", "65536", "99999999", "2147483647", "2147483648", "4294967295", "4294967296",
        "9223372036854775807", "18446744073709551615", "18446744073709551616", "1e9", "-0", "1.5", "00",
    ];

    public static FuzzTarget Create() => new(
        "model",
        Seeds(),
        [
            new("forge-header-length", ForgeHeaderLength),
            new("forge-header-number", ForgeHeaderNumber),
            new("forge-architecture", ForgeArchitecture),
            new("forge-input-shape", ForgeInputShape),
            new("damage-header", DamageHeader),
            new("swap-header", SwapHeader),
            new("forge-float", ForgeFloat),
        ],
        Read,
        [typeof(ModelFileException)]);

    private static string? Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var saved = ModelFile.Load(stream, "fuzz.nlm");
        return saved.Model.IsBuilt ? null : "the loaded model is not built";
    }

    private static byte[][] Seeds()
    {
        var multiclass = new ModelMetadata
        {
            Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy", ClassNames = ["a", "b", "c"],
            NormalizationMean = [0.5f, -1f, 2f, 0f], NormalizationStd = [1f, 2f, 0.5f, 3f],
        };
        var binary = new ModelMetadata
        {
            Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits", ClassNames = ["no", "yes"],
            NormalizationMean = [0.25f], NormalizationStd = [0.5f], Extra = new Dictionary<string, string> { ["trained_by"] = "fuzz" },
        };
        var classes = new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" };
        var regression = new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" };
        var sequence = new ModelMetadata { Task = TaskKind.Sequence, OutputActivation = "softmax", Loss = "cross_entropy" };
        return
        [
            Save("dense:8,relu,dense:3", new TensorShape(4), multiclass),
            Save("conv:3x3,relu,pool:2,batchnorm,prelu:channel,flatten,dropout:0.5,dense:1", new TensorShape(1, 8, 8), binary),
            Save("embedding:12:8,positions:learned,transformer:heads=2,ff=16,seqpool:mean,dense:3", new TensorShape(5), classes),
            Save("lstm:4:seq,gru:3,dense:1", new TensorShape(6, 2), regression),
            Save("embedding:10:6,rnn:5:tanh:seq,layernorm,attention:heads=1:causal,positions:sinusoidal,dense:10", new TensorShape(7), sequence),
        ];
    }

    private static byte[] Save(string spec, TensorShape input, ModelMetadata metadata)
    {
        var model = Sequential.Parse(spec);
        model.Build(input, seed: 7);
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        return stream.ToArray();
    }

    /// <summary>The header (as text) and the data section, or null when the length prefix no longer fits the file.</summary>
    private static (string Header, byte[] Data)? Split(byte[] file)
    {
        if (file.Length < 8)
        {
            return null;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (length > (ulong)(file.Length - 8))
        {
            return null;
        }

        return (Encoding.UTF8.GetString(file, 8, (int)length), file[(8 + (int)length)..]);
    }

    private static byte[] Join(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] Join(string header, byte[] data) => Join(Encoding.UTF8.GetBytes(header), data);

    private static byte[] ForgeHeaderLength(Random random, byte[] input, byte[] other)
    {
        var output = input.Length >= 8 ? (byte[])input.Clone() : [.. input, .. new byte[8 - input.Length]];
        ulong actual = BinaryPrimitives.ReadUInt64LittleEndian(output);
        ulong forged = random.Next(3) switch
        {
            0 => actual + (ulong)random.Next(-9, 10),
            1 => (ulong)(output.Length - 8 + random.Next(-1, 2)),
            _ => ByteMutations.Pick(random, ByteMutations.InterestingLongs.Concat([(ulong)ModelFile.MaxHeaderBytes, ModelFile.MaxHeaderBytes + 1UL]).ToArray()),
        };
        BinaryPrimitives.WriteUInt64LittleEndian(output, forged);
        return output;
    }

    private static byte[] ForgeHeaderNumber(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, data))
        {
            return ForgeHeaderLength(random, input, other);
        }

        var numbers = Digits().Matches(header);
        if (numbers.Count == 0)
        {
            return input;
        }

        var match = numbers[random.Next(numbers.Count)];
        string forged = random.Next(2) == 0
            ? ByteMutations.Pick(random, ForgedNumbers)
            : (long.Parse(match.Value.Length > 18 ? "1" : match.Value, CultureInfo.InvariantCulture) + random.Next(-2, 3)).ToString(CultureInfo.InvariantCulture);
        return Join(string.Concat(header.AsSpan(0, match.Index), forged, header.AsSpan(match.Index + match.Length)), data);
    }

    private static byte[] ForgeArchitecture(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, data) || Architecture().Match(header) is not { Success: true } match)
        {
            return ForgeHeaderNumber(random, input, other);
        }

        var layers = match.Groups[1].Value.Split(',').ToList();

        // Transformer arguments contain commas; splitting them apart only makes more broken specs, which is fine.
        int at = random.Next(layers.Count);
        switch (random.Next(4))
        {
            case 0:
                layers[at] = ByteMutations.Pick(random, HugeLayers);
                break;
            case 1:
                layers.Insert(at, ByteMutations.Pick(random, HugeLayers));
                break;
            case 2:
                layers.RemoveAt(at);
                break;
            default:
                layers.Insert(at, layers[at]);
                break;
        }

        var group = match.Groups[1];
        return Join(string.Concat(header.AsSpan(0, group.Index), string.Join(',', layers), header.AsSpan(group.Index + group.Length)), data);
    }

    private static byte[] ForgeInputShape(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, data) || InputShape().Match(header) is not { Success: true } match)
        {
            return ForgeHeaderNumber(random, input, other);
        }

        var group = match.Groups[1];
        return Join(string.Concat(header.AsSpan(0, group.Index), ByteMutations.Pick(random, ForgedShapes), header.AsSpan(group.Index + group.Length)), data);
    }

    /// <summary>A generic mutation applied to the header alone, with the length prefix fixed up.</summary>
    private static byte[] DamageHeader(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, data))
        {
            return ForgeHeaderLength(random, input, other);
        }

        var bytes = Encoding.UTF8.GetBytes(header);
        var mutation = ByteMutations.Pick(random, ByteMutations.All.Where(m => m.Name is not ("truncate" or "extend-junk" or "splice")).ToArray());
        return Join(mutation.Apply(random, bytes, bytes), data);
    }

    /// <summary>The header of another valid file over this file's data: every shape and offset check against real sizes.</summary>
    private static byte[] SwapHeader(Random random, byte[] input, byte[] other)
        => Split(input) is var (_, data) && Split(other) is var (header, _) ? Join(header, data) : input;

    /// <summary>A weight or state value set to NaN, an infinity, a negative number (a negative running variance) or a huge one.</summary>
    private static byte[] ForgeFloat(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, data) || data.Length < 4)
        {
            return input;
        }

        var output = (byte[])input.Clone();
        int start = output.Length - data.Length;
        int at = start + (4 * random.Next(data.Length / 4));
        float value = ByteMutations.Pick(random, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1f, float.MaxValue, -0f, 1e-45f]);
        BinaryPrimitives.WriteSingleLittleEndian(output.AsSpan(at), value);
        return output;
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    [GeneratedRegex("\"architecture\":\"([^\"]*)\"")]
    private static partial Regex Architecture();

    [GeneratedRegex("\"input_shape\":\"([^\"]*)\"")]
    private static partial Regex InputShape();
}
