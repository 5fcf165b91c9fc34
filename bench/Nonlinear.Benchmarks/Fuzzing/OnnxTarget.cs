using Google.Protobuf;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Onnx;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The ONNX importer (<see cref="OnnxImport.Load(Stream, string?)"/>), started from the PyTorch-exported fixtures of
/// tests/Nonlinear.Tests/Golden/onnx. Besides the generic byte damage (which mostly breaks the protobuf), the
/// format-aware mutations edit the parsed model and serialise it again, so that valid protobuf carries forged
/// values to the importer: initializer dimensions (zero, negative, huge) against their stored bytes, raw data cut,
/// extended or of another element type, node attributes (kernel shapes, strides, pads, groups, axes) forged, graph
/// wiring broken (an input renamed, a node feeding itself, nodes removed or duplicated), the input shape and the
/// opset forged, and the metadata the importer reads (class names, normalisation) replaced with junk.
/// </summary>
internal static class OnnxTarget
{
    private static readonly long[] ForgedLongs = [0, -1, 1, 2, 3, -2147483648, 2147483647, 2147483648, 4294967296, long.MaxValue, long.MinValue, 1 << 20, 100000];

    private static readonly string[] ForgedMetadata =
    [
        "", "[", "[]", "null", "[1,2,3]", "[\"a\"]", "{\"a\":1}", "[NaN]", "[1e309]", "[" + string.Join(",", Enumerable.Repeat("0.5", 10000)) + "]",
        "\"\\ud800\"", new string('[', 10000),
    ];

    private static readonly string[] ForgedArchitectures =
    [
        "dense:2147483647", "dense:100000000,relu,dense:10", "embedding:100000000:100,seqpool:mean,dense:10", "conv:65535x65535,flatten,dense:10",
        "transformer:heads=1,ff=100000000", "positions:sinusoidal", "lstm:100000000", "flatten,dense:10", "dense:10", "relu", "",
    ];

    public static FuzzTarget Create() => new(
        "onnx",
        Seeds(),
        [
            new("forge-initializer-dims", Edit(ForgeInitializerDims)),
            new("forge-initializer-data", Edit(ForgeInitializerData)),
            new("forge-attribute", Edit(ForgeAttribute)),
            new("break-wiring", Edit(BreakWiring)),
            new("remove-or-duplicate-node", Edit(RemoveOrDuplicateNode)),
            new("forge-input-shape", Edit(ForgeInputShape)),
            new("forge-opset", Edit((random, model) => model.OpsetImport.ToList().ForEach(o => o.Version = ByteMutations.Pick(random, ForgedLongs)))),
            new("forge-metadata", Edit(ForgeMetadata)),
        ],
        Read,
        [typeof(ModelFileException)]);

    private static string? Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var saved = OnnxImport.Load(stream, "fuzz.onnx");
        return saved.Model.IsBuilt ? null : "the imported model is not built";
    }

    /// <summary>
    /// The repository's PyTorch-exported fixtures that import (the refused LSTM and grouped convolution are not seeds:
    /// a seed must be valid) and <see cref="OnnxExport"/>'s files of the model-file seeds it can export.
    /// </summary>
    private static byte[][] Seeds()
    {
        var seeds = new List<byte[]>();
        if (RepositoryRoot() is { } root)
        {
            var folder = Path.Combine(root, "tests", "Nonlinear.Tests", "Golden", "onnx");
            seeds.AddRange(Directory.GetFiles(folder, "*.onnx")
                .Where(f => !f.Contains("lstm", StringComparison.Ordinal) && !f.Contains("groups", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(File.ReadAllBytes));
        }

        foreach (var file in ModelFileTarget.Create().Seeds)
        {
            try
            {
                var saved = ModelFile.Load(new MemoryStream(file));
                using var stream = new MemoryStream();
                OnnxExport.Save(stream, saved);
                OnnxImport.Load(new MemoryStream(stream.ToArray()));
                seeds.Add(stream.ToArray());
            }
            catch (Exception e) when (e is NotSupportedException or ModelFileException)
            {
                // A layer the exporter does not write, or the importer does not read (sequence layers): not a seed.
            }
        }

        return [.. seeds];
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Nonlinear.slnx")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>Parses the model, edits it and serialises it again; bytes that no longer parse are left as they are.</summary>
    private static Func<Random, byte[], byte[], byte[]> Edit(Action<Random, ModelProto> edit) => (random, input, other) =>
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException)
        {
            return input;
        }

        if (model.Graph is null)
        {
            return input;
        }

        edit(random, model);
        return model.ToByteArray();
    };

    private static void ForgeInitializerDims(Random random, ModelProto model)
    {
        if (model.Graph.Initializer.Count == 0)
        {
            return;
        }

        var tensor = model.Graph.Initializer[random.Next(model.Graph.Initializer.Count)];
        switch (random.Next(3))
        {
            case 0 when tensor.Dims.Count > 0:
                tensor.Dims[random.Next(tensor.Dims.Count)] = ByteMutations.Pick(random, ForgedLongs);
                break;
            case 1:
                tensor.Dims.Add(ByteMutations.Pick(random, ForgedLongs));
                break;
            default:
                if (tensor.Dims.Count > 0)
                {
                    tensor.Dims.RemoveAt(random.Next(tensor.Dims.Count));
                }

                break;
        }
    }

    private static void ForgeInitializerData(Random random, ModelProto model)
    {
        if (model.Graph.Initializer.Count == 0)
        {
            return;
        }

        var tensor = model.Graph.Initializer[random.Next(model.Graph.Initializer.Count)];
        var raw = tensor.RawData.ToByteArray();
        switch (random.Next(5))
        {
            case 0:
                tensor.RawData = ByteString.CopyFrom(raw[..random.Next(raw.Length + 1)]);
                break;
            case 1:
                tensor.RawData = ByteString.CopyFrom([.. raw, .. new byte[1 + random.Next(64)]]);
                break;
            case 2:
                tensor.DataType = ByteMutations.Pick(random, [0, 2, 6, 7, 10, 11, 16, -1, 1000]);
                break;
            case 3:
                // The values as float_data instead of raw bytes, maybe one short.
                tensor.FloatData.Add(Enumerable.Repeat(0.5f, Math.Max(0, (raw.Length / 4) - random.Next(2))));
                tensor.RawData = ByteString.Empty;
                break;
            default:
                var nan = BitConverter.GetBytes(ByteMutations.Pick(random, [float.NaN, float.PositiveInfinity, -1e38f]));
                if (raw.Length >= 4)
                {
                    nan.CopyTo(raw, 4 * random.Next(raw.Length / 4));
                    tensor.RawData = ByteString.CopyFrom(raw);
                }

                break;
        }
    }

    private static void ForgeAttribute(Random random, ModelProto model)
    {
        var attributes = model.Graph.Node.SelectMany(n => n.Attribute).ToList();
        if (attributes.Count == 0)
        {
            return;
        }

        var attribute = attributes[random.Next(attributes.Count)];
        if (attribute.Ints.Count > 0 && random.Next(3) > 0)
        {
            if (random.Next(4) == 0)
            {
                attribute.Ints.Add(ByteMutations.Pick(random, ForgedLongs));
            }
            else
            {
                attribute.Ints[random.Next(attribute.Ints.Count)] = ByteMutations.Pick(random, ForgedLongs);
            }
        }
        else
        {
            attribute.I = ByteMutations.Pick(random, ForgedLongs);
            attribute.F = ByteMutations.Pick(random, [float.NaN, -1f, 0f, 1e30f]);
            if (random.Next(3) == 0)
            {
                attribute.Type = (AttributeProto.Types.AttributeType)random.Next(0, 16);
            }
        }
    }

    private static void BreakWiring(Random random, ModelProto model)
    {
        var nodes = model.Graph.Node;
        if (nodes.Count == 0)
        {
            return;
        }

        var node = nodes[random.Next(nodes.Count)];
        switch (random.Next(4))
        {
            case 0 when node.Input.Count > 0 && node.Output.Count > 0:
                node.Input[random.Next(node.Input.Count)] = node.Output[0];   // a node that feeds itself
                break;
            case 1 when node.Input.Count > 0:
                node.Input[random.Next(node.Input.Count)] = "no_such_value";
                break;
            case 2 when node.Input.Count > 0:
                node.Input.RemoveAt(random.Next(node.Input.Count));
                break;
            default:
                var later = nodes[random.Next(nodes.Count)];
                if (node.Input.Count > 0 && later.Output.Count > 0)
                {
                    node.Input[0] = later.Output[0];   // possibly a cycle
                }

                break;
        }
    }

    private static void RemoveOrDuplicateNode(Random random, ModelProto model)
    {
        var nodes = model.Graph.Node;
        if (nodes.Count == 0)
        {
            return;
        }

        int at = random.Next(nodes.Count);
        if (random.Next(2) == 0)
        {
            nodes.RemoveAt(at);
        }
        else
        {
            nodes.Insert(random.Next(nodes.Count + 1), nodes[at].Clone());
        }
    }

    private static void ForgeInputShape(Random random, ModelProto model)
    {
        var dims = model.Graph.Input.SelectMany(i => i.Type?.TensorType?.Shape?.Dim ?? []).ToList();
        if (dims.Count == 0)
        {
            return;
        }

        var dim = dims[random.Next(dims.Count)];
        if (random.Next(4) == 0)
        {
            dim.DimParam = "N";
        }
        else
        {
            dim.DimValue = ByteMutations.Pick(random, ForgedLongs);
        }
    }

    private static void ForgeMetadata(Random random, ModelProto model)
    {
        string[] keys = ["nonlinear.class_names", "nonlinear.normalization_mean", "nonlinear.normalization_std", "nonlinear.task", "nonlinear.loss", "nonlinear.output_activation", "nonlinear.architecture", "class_names"];
        var existing = model.MetadataProps.Select(p => p.Key).ToList();
        string key = existing.Count > 0 && random.Next(2) == 0 ? existing[random.Next(existing.Count)] : ByteMutations.Pick(random, keys);
        string value = key == "nonlinear.architecture" && random.Next(2) == 0 ? ByteMutations.Pick(random, ForgedArchitectures) : ByteMutations.Pick(random, ForgedMetadata);
        model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }
}
