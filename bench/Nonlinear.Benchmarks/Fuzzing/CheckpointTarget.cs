using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Training;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The checkpoint reader (<see cref="Checkpoint.Load(Stream, string?)"/>): "NLCKPT01", an 8-byte header length, a
/// JSON header (settings, blob ranges, run state, optimizer, random state), the blobs (the embedded model file and
/// the float arrays), then a SHA-256 of everything before it. Blind damage stops at the checksum, so every
/// mutation here is applied and the file resealed (checksum recomputed): the generic ones, the header length,
/// every number in the header (blob offsets and lengths, epochs, batch positions, step counts) and header damage
/// with the length fixed, the header of one checkpoint over the blobs of another, and the model file mutations
/// applied to the embedded model.
/// </summary>
internal static partial class CheckpointTarget
{
    private const int Prefix = 16;

    private const int ChecksumBytes = 32;

    private static readonly string[] ForgedNumbers =
    [
        "0", "-1", "1", "2", "65535", "99999999", "2147483647", "2147483648", "4294967296", "9223372036854775807",
        "18446744073709551616", "1e308", "-0", "0.5", "NaN",
    ];

    public static FuzzTarget Create()
    {
        var mutations = new List<Mutation>
        {
            new("seal:forge-header-length", Sealed(ForgeHeaderLength)),
            new("seal:forge-header-number", Sealed(ForgeHeaderNumber)),
            new("seal:damage-header", Sealed(DamageHeader)),
            new("seal:swap-header", Sealed(SwapHeader)),
        };
        mutations.AddRange(ByteMutations.All.Select(m => new Mutation("seal:" + m.Name, Sealed(m.Apply))));
        mutations.AddRange(ModelFileTarget.Create().Mutations.Select(m => new Mutation("model:" + m.Name, Sealed(InModel(m.Apply)))));
        return new("checkpoint", Seeds(), mutations, Read, [typeof(ModelFileException)]);
    }

    private static string? Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var checkpoint = Checkpoint.Load(stream, "fuzz.nlc");
        return checkpoint.Model.Model.IsBuilt ? null : "the checkpoint's model is not built";
    }

    private static byte[][] Seeds()
    {
        var seeds = new List<byte[]>();
        var blobs = SyntheticData.Spiral(96, 0.1, seed: 3, classes: 3);
        var (train, validation) = blobs.Split(0.25, seed: 1);
        foreach (var (spec, optimizerName, trained, planned) in new[]
        {
            ("dense:8,relu,dropout:0.2,dense:3", "adam", 2, 2),
            ("dense:6,tanh,batchnorm,dense:3", "sgd", 2, 4),
        })
        {
            var model = Sequential.Parse(spec);
            model.Build(train.FeatureShape, seed: 7);
            var optimizer = Optimizer.Create(optimizerName, 0.05);
            var loss = TaskDefaults.Loss(train.Task);
            var state = new TrainingState(trained, batchSize: 16, seed: 5) { Patience = 3 };
            new Trainer(model, loss, optimizer).Fit(train, validation, state);

            // The second run stopped half-way through its planned epochs, as an interrupted run is saved.
            state.Epochs = planned;
            var metadata = new ModelMetadata { Task = train.Task, OutputActivation = TaskDefaults.OutputActivation(loss), Loss = loss.Name };
            using var stream = new MemoryStream();
            Checkpoint.Save(stream, model, metadata, optimizer, state, new Dictionary<string, string> { ["data"] = "spiral", ["epochs"] = planned.ToString(CultureInfo.InvariantCulture) });
            seeds.Add(stream.ToArray());
        }

        return [.. seeds];
    }

    /// <summary>The mutation, then the checksum recomputed, so that the damage reaches the parser.</summary>
    private static Func<Random, byte[], byte[], byte[]> Sealed(Func<Random, byte[], byte[], byte[]> mutate) => (random, input, other) =>
    {
        var output = mutate(random, input, other);
        if (output.Length < ChecksumBytes)
        {
            return output;
        }

        output = output == input ? (byte[])output.Clone() : output;
        SHA256.HashData(output.AsSpan(0, output.Length - ChecksumBytes), output.AsSpan(output.Length - ChecksumBytes));
        return output;
    };

    private static (string Header, byte[] Body)? Split(byte[] file)
    {
        if (file.Length < Prefix + ChecksumBytes)
        {
            return null;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(8));
        if (length > (ulong)(file.Length - Prefix - ChecksumBytes))
        {
            return null;
        }

        return (Encoding.UTF8.GetString(file, Prefix, (int)length), file[(Prefix + (int)length)..]);
    }

    private static byte[] Join(byte[] magic, string header, byte[] rest)
    {
        var bytes = Encoding.UTF8.GetBytes(header);
        var file = new byte[Prefix + bytes.Length + rest.Length];
        magic.AsSpan(0, 8).CopyTo(file);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(8), (ulong)bytes.Length);
        bytes.CopyTo(file, Prefix);
        rest.CopyTo(file, Prefix + bytes.Length);
        return file;
    }

    private static byte[] ForgeHeaderLength(Random random, byte[] input, byte[] other)
    {
        if (input.Length < Prefix)
        {
            return input;
        }

        var output = (byte[])input.Clone();
        ulong actual = BinaryPrimitives.ReadUInt64LittleEndian(output.AsSpan(8));
        ulong forged = random.Next(2) == 0 ? actual + (ulong)random.Next(-9, 10) : ByteMutations.Pick(random, ByteMutations.InterestingLongs);
        BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(8), forged);
        return output;
    }

    private static byte[] ForgeHeaderNumber(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, rest))
        {
            return input;
        }

        var numbers = Digits().Matches(header);
        if (numbers.Count == 0)
        {
            return input;
        }

        var match = numbers[random.Next(numbers.Count)];
        return Join(input, string.Concat(header.AsSpan(0, match.Index), ByteMutations.Pick(random, ForgedNumbers), header.AsSpan(match.Index + match.Length)), rest);
    }

    private static byte[] DamageHeader(Random random, byte[] input, byte[] other)
    {
        if (Split(input) is not var (header, rest))
        {
            return input;
        }

        var bytes = Encoding.UTF8.GetBytes(header);
        var mutation = ByteMutations.Pick(random, ByteMutations.All.Where(m => m.Name is not ("truncate" or "extend-junk" or "splice")).ToArray());
        return Join(input, Encoding.UTF8.GetString(mutation.Apply(random, bytes, bytes)), rest);
    }

    private static byte[] SwapHeader(Random random, byte[] input, byte[] other)
        => Split(input) is var (_, rest) && Split(other) is var (header, _) ? Join(input, header, rest) : input;

    /// <summary>A model file mutation applied to the embedded model blob; the blobs after it move and the header's ranges follow.</summary>
    private static Func<Random, byte[], byte[], byte[]> InModel(Func<Random, byte[], byte[], byte[]> mutate) => (random, input, other) =>
    {
        if (Split(input) is not var (header, rest))
        {
            return input;
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(header);
        }
        catch (JsonException)
        {
            return input;
        }

        if (parsed is not JsonObject root || root["blobs"] is not JsonObject blobs)
        {
            return input;
        }

        var data = rest[..^ChecksumBytes];
        var parts = new List<(string Name, int Offset, int Length)>();
        foreach (var (name, value) in blobs)
        {
            if (value is not JsonObject range || range["offset"] is not JsonValue o || range["length"] is not JsonValue l
                || !o.TryGetValue(out long offset) || !l.TryGetValue(out long length) || offset < 0 || length < 0 || offset > data.Length || length > data.Length - offset)
            {
                return input;
            }

            parts.Add((name, (int)offset, (int)length));
        }

        using var output = new MemoryStream();
        foreach (var (name, offset, length) in parts.OrderBy(p => p.Offset))
        {
            var bytes = data[offset..(offset + length)];
            if (name == "model")
            {
                bytes = mutate(random, bytes, bytes);
            }

            blobs[name]!["offset"] = output.Length;
            blobs[name]!["length"] = bytes.Length;
            output.Write(bytes);
        }

        output.Write(new byte[ChecksumBytes]);
        return Join(input, root.ToJsonString(), output.ToArray());
    };

    [GeneratedRegex("-?[0-9]+")]
    private static partial Regex Digits();
}
