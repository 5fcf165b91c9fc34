using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nonlinear-modelfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Sequential SmallModel(int seed = 1)
    {
        var model = Sequential.Parse("dense:4,tanh,dense:1");
        model.Build(new TensorShape(2), seed);
        return model;
    }

    private static ModelMetadata FullMetadata() => new()
    {
        Task = TaskKind.Binary,
        OutputActivation = "sigmoid",
        Loss = "bce_logits",
        ClassNames = ["no", "yes"],
        NormalizationMean = [0.5f, -1.25f],
        NormalizationStd = [2f, 0.125f],
        Extra = new Dictionary<string, string> { ["epochs"] = "20", ["optimizer"] = "adam:lr=0.01" },
    };

    private static byte[] SaveToBytes(Sequential model, ModelMetadata metadata)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        return stream.ToArray();
    }

    private static SavedModel LoadBytes(byte[] bytes) => ModelFile.Load(new MemoryStream(bytes), "model.nlm");

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var header = (JsonObject)JsonNode.Parse(file.AsSpan(8, n))!;
        return (header, file[(8 + n)..]);
    }

    private static byte[] Compose(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] Edit(byte[] file, Action<JsonObject> edit)
    {
        var (header, data) = Split(file);
        edit(header);
        return Compose(header.ToJsonString(), data);
    }

    private static ModelFileException LoadFails(byte[] bytes) => Assert.Throws<ModelFileException>(() => LoadBytes(bytes));

    private static float[] Predict(Sequential model, float[] inputs)
        => model.Forward(Tensor.FromArray(inputs, inputs.Length / 2, 2)).Span.ToArray();

    [Fact]
    public void A_saved_model_loads_with_bit_exact_weights_the_same_predictions_and_the_same_metadata()
    {
        var model = SmallModel();
        var metadata = FullMetadata();
        var path = Path.Combine(_directory, "model.nlm");
        ModelFile.Save(path, model, metadata);

        var loaded = ModelFile.Load(path);

        Assert.Equal(model.Spec, loaded.Model.Spec);
        Assert.Equal(model.InputShape, loaded.Model.InputShape);
        Assert.Equal(model.ParameterNames, loaded.Model.ParameterNames);
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            var expected = model.Parameters[i].Value.Span.ToArray().Select(BitConverter.SingleToInt32Bits);
            var actual = loaded.Model.Parameters[i].Value.Span.ToArray().Select(BitConverter.SingleToInt32Bits);
            Assert.Equal(expected, actual);
        }

        float[] x = [0.1f, -2f, 3f, 0.5f, -0.75f, 1e-3f];
        Assert.Equal(Predict(model, x), Predict(loaded.Model, x));
        Assert.Equal(metadata, loaded.Metadata);
        Assert.Equal([0.5f, -1.25f], loaded.Metadata.NormalizationMean);
        Assert.Equal([2f, 0.125f], loaded.Metadata.NormalizationStd);
        Assert.Equal("adam:lr=0.01", loaded.Metadata.Extra!["optimizer"]);
    }

    [Theory]
    [InlineData("dense:8:he,leaky_relu:0.2,prelu:channel,dense:3", TaskKind.Multiclass, "softmax", "cross_entropy")]
    [InlineData("dense:5,gelu:tanh,prelu,dense:2,softplus:beta=2", TaskKind.Regression, "identity", "mse")]
    public void Activations_keep_their_parameters_and_optional_metadata_stays_absent(string spec, TaskKind task, string output, string loss)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(3), seed: 7);
        var metadata = new ModelMetadata { Task = task, OutputActivation = output, Loss = loss };

        var loaded = LoadBytes(SaveToBytes(model, metadata));

        Assert.Equal(spec, loaded.Model.Spec);
        Assert.Equal(metadata, loaded.Metadata);
        Assert.Null(loaded.Metadata.ClassNames);
        Assert.Null(loaded.Metadata.NormalizationMean);
        Assert.Null(loaded.Metadata.Extra);
        float[] x = [1f, -2f, 0.25f];
        Assert.Equal(model.Forward(Tensor.FromArray(x, 1, 3)).Span.ToArray(), loaded.Model.Forward(Tensor.FromArray(x, 1, 3)).Span.ToArray());
    }

    [Fact]
    public void Class_names_with_quotes_and_non_ASCII_letters_round_trip_and_stay_readable_in_the_header()
    {
        var model = Sequential.Parse("dense:3");
        model.Build(new TensorShape(2), seed: 1);
        var metadata = new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy", ClassNames = ["café", "日本", "say \"hi\""] };

        var bytes = SaveToBytes(model, metadata);

        Assert.Equal(metadata, LoadBytes(bytes).Metadata);
        Assert.Contains("café", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_has_the_safetensors_layout()
    {
        var model = SmallModel();
        var bytes = SaveToBytes(model, FullMetadata());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var (header, data) = Split(bytes);

        Assert.Equal(0ul, (8 + n) % 8);
        Assert.Equal((byte)'{', bytes[8]);
        Assert.Equal(4 * (model.ParameterCount + 4), data.Length);
        Assert.Equal("nonlinear", (string?)header["__metadata__"]!["format"]);
        Assert.Equal("[\"no\",\"yes\"]", (string?)header["__metadata__"]!["class_names"]);
        Assert.Equal("F32", (string?)header["0.weight"]!["dtype"]);
        Assert.Equal("[4,2]", header["0.weight"]!["shape"]!.ToJsonString());
        Assert.Equal("[0,32]", header["0.weight"]!["data_offsets"]!.ToJsonString());
        Assert.Equal(model.Parameters[0].Value.Span[1], BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(4)));
    }

    [Fact]
    public void The_same_model_and_metadata_always_give_the_same_bytes()
        => Assert.Equal(SaveToBytes(SmallModel(), FullMetadata()), SaveToBytes(SmallModel(), FullMetadata()));

    [Fact]
    public void A_successful_save_leaves_no_temporary_file()
    {
        var path = Path.Combine(_directory, "model.nlm");
        ModelFile.Save(path, SmallModel(), FullMetadata());
        ModelFile.Save(path, SmallModel(2), FullMetadata());

        Assert.Equal(["model.nlm"], Directory.GetFiles(_directory).Select(Path.GetFileName));
        Assert.Equal(SaveToBytes(SmallModel(2), FullMetadata()), File.ReadAllBytes(path));
    }

    [Fact]
    public void Saving_into_a_missing_directory_fails_clearly_and_writes_nothing()
    {
        var missing = Path.Combine(_directory, "no-such-dir");
        var path = Path.Combine(missing, "model.nlm");

        var e = Assert.Throws<ModelFileException>(() => ModelFile.Save(path, SmallModel(), FullMetadata()));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void A_save_that_fails_part_way_keeps_the_old_file_and_removes_the_temporary_one()
    {
        var path = Path.Combine(_directory, "model.nlm");
        ModelFile.Save(path, SmallModel(), FullMetadata());
        var before = File.ReadAllBytes(path);
        var diverged = SmallModel(3);
        diverged.Parameters[^1].Value.Span[0] = float.NaN; // the last tensor: the header and earlier tensors are written first

        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(path, diverged, FullMetadata()));

        Assert.Contains("'2.bias'", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.nlm"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_an_unbuilt_model_is_refused()
        => Assert.Contains("not built", Assert.Throws<ArgumentException>(() => SaveToBytes(Sequential.Parse("dense:1"), FullMetadata())).Message, StringComparison.Ordinal);

    public static TheoryData<ModelMetadata, string> MetadataThatDoesNotFit => new()
    {
        { FullMetadata() with { NormalizationStd = null }, "both" },
        { FullMetadata() with { NormalizationMean = [1f, 2f, 3f], NormalizationStd = [1f, 1f, 1f] }, "2 input features" },
        { FullMetadata() with { NormalizationStd = [1f, 0f] }, "positive" },
        { FullMetadata() with { NormalizationMean = [float.NaN, 0f] }, "NaN" },
        { FullMetadata() with { ClassNames = ["only one"] }, "2 class names" },
        { FullMetadata() with { Task = TaskKind.Regression }, "regression" },
        { FullMetadata() with { OutputActivation = "sigmod" }, "not an activation" },
        { FullMetadata() with { Loss = " " }, "loss" },
        { FullMetadata() with { Extra = new Dictionary<string, string> { ["architecture"] = "x" } }, "format's own keys" },
    };

    [Theory]
    [MemberData(nameof(MetadataThatDoesNotFit))]
    public void Metadata_that_does_not_fit_the_model_is_refused_before_anything_is_written(ModelMetadata metadata, string expected)
    {
        var path = Path.Combine(_directory, "model.nlm");
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(path, SmallModel(), metadata));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void A_missing_file_is_a_ModelFileException_naming_it()
    {
        var path = Path.Combine(_directory, "absent.nlm");
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Equal($"{path}: no such file", e.Message);
        Assert.IsType<FileNotFoundException>(e.InnerException);
    }

    [Fact]
    public void An_empty_file_is_named_as_empty()
        => Assert.Equal("model.nlm: the file is empty", LoadFails([]).Message);

    [Fact]
    public void Truncation_at_every_byte_gives_a_ModelFileException()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        for (int length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<ModelFileException>(() => LoadBytes(bytes[..length]));
            Assert.StartsWith("model.nlm: ", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncation_inside_the_header_says_how_much_is_missing()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(
            $"model.nlm: truncated: the header says {n} bytes of JSON but the file has 300 bytes after the length prefix",
            LoadFails(bytes[..308]).Message);
    }

    [Fact]
    public void Truncation_inside_the_data_names_a_tensor_beyond_the_data_section()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        Assert.Contains("beyond the data section", LoadFails(bytes[..^1]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_random_byte_flips_give_a_ModelFileException_or_a_finite_model()
    {
        var original = SaveToBytes(SmallModel(), FullMetadata());
        var random = new Random(20240611);
        int rejected = 0, loaded = 0;
        for (int trial = 0; trial < 5000; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            }

            SavedModel result;
            try
            {
                result = LoadBytes(bytes);
            }
            catch (ModelFileException e)
            {
                Assert.StartsWith("model.nlm: ", e.Message, StringComparison.Ordinal);
                rejected++;
                continue;
            }

            loaded++;
            Assert.True(result.Model.IsBuilt);
            Assert.All(result.Model.Parameters, p => Assert.True(p.Value.Span.ToArray().All(float.IsFinite)));
            Assert.True(result.Metadata.NormalizationStd!.All(s => float.IsFinite(s) && s > 0));
        }

        // Both outcomes happen: flips in the weights usually give another valid model, flips in the header do not.
        Assert.InRange(rejected, 1000, 5000);
        Assert.InRange(loaded, 1, 4000);
    }

    [Fact]
    public void Header_edits_with_JSON_punctuation_and_digits_give_a_ModelFileException_or_a_valid_model()
    {
        // Random bytes mostly break the JSON at once; JSON-shaped bytes reach the deeper checks (numbers,
        // shapes, offsets, specs with arguments), which is where a careless reader would throw something else.
        var model = Sequential.Parse("dense:3,leaky_relu:0.1,prelu:channel,dense:2,softplus:beta=2");
        model.Build(new TensorShape(2), seed: 4);
        var original = SaveToBytes(model, FullMetadata() with { Task = TaskKind.Multiclass, OutputActivation = "softmax", ClassNames = ["a", "b"] });
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var alphabet = Encoding.ASCII.GetBytes("{}[]\",:0123456789-+.eE \\u");
        var random = new Random(77);
        for (int trial = 0; trial < 5000; trial++)
        {
            var bytes = (byte[])original.Clone();
            int edits = random.Next(1, 4);
            for (int f = 0; f < edits; f++)
            {
                bytes[random.Next(8, headerEnd)] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                var result = LoadBytes(bytes);
                Assert.All(result.Model.Parameters, p => Assert.True(p.Value.Span.ToArray().All(float.IsFinite)));
            }
            catch (ModelFileException)
            {
                // Expected for almost every edit.
            }
        }
    }

    [Fact]
    public void A_header_claiming_two_to_the_sixtieth_bytes_fails_fast_without_allocating_it()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1ul << 60);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = LoadFails(bytes);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("16 MiB limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_length_below_two_is_rejected()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1);
        Assert.Contains("too short", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_architecture_is_rejected_before_it_is_built()
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["__metadata__"]!["architecture"] = "dense:2000000000,tanh,dense:2000000000");
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = LoadFails(bytes);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("needs at least", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("conv:50000x9,relu,conv:50000x9", "[3, 64, 64]")]
    [InlineData("conv:8x3,relu,pool:2,flatten,dense:2000000000", "[1, 28, 28]")]
    [InlineData("conv:8x3:same,batchnorm,flatten,dropout:0.5,dense:100000000", "[1, 28, 28]")]
    public void A_huge_convolutional_architecture_is_rejected_before_it_is_built(string spec, string input)
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h =>
        {
            h["__metadata__"]!["architecture"] = spec;
            h["__metadata__"]!["input_shape"] = input;
        });
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = LoadFails(bytes);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("needs at least", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedding:100000000:100,seqpool:mean,dense:1", "[5]", "needs at least")]
    [InlineData("embedding:10:8,layernorm,transformer:heads=1,ff=2000000000,seqpool:mean,dense:1", "[5]", "needs at least")]
    [InlineData("embedding:10:60000,attention:heads=1,seqpool:mean,dense:1", "[5]", "needs at least")]
    [InlineData("embedding:10:6,positions:sinusoidal,seqpool:mean,dense:1", "[100000000]", "sinusoidal position table [100000000, 6]")]
    [InlineData("embedding:10:100000,positions:sinusoidal,seqpool:mean,dense:1", "[100000]", "more values than an array can hold")]
    public void A_huge_sequence_architecture_is_rejected_before_it_is_built(string spec, string input, string expected)
    {
        // Found by fuzzing (docs/fuzzing.md): the size pre-check stopped at the first embedding, layer norm or
        // attention layer, so these were built: gigabytes of weights, or a sinusoidal table computed for minutes.
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h =>
        {
            h["__metadata__"]!["architecture"] = spec;
            h["__metadata__"]!["input_shape"] = input;
        });
        long before = GC.GetAllocatedBytesForCurrentThread();

        var e = LoadFails(bytes);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> MetadataEdits => new()
    {
        { "format", "pytorch", "not a Nonlinear model file (__metadata__.format is 'pytorch', expected 'nonlinear')" },
        { "format_version", "2", "unsupported format version '2'; this library reads version 1" },
        { "architecture", "dense:4,tanhh,dense:1", "is not a valid model spec" },
        { "input_shape", "[2, x]", "not a positive integer" },
        { "input_shape", "2", "is not a shape like [2]" },
        { "task", "Binary", "is not regression, binary, multiclass or sequence" },
        { "class_names", "[\"no\", 3]", "not a JSON array of strings" },
        { "class_names", "[\"no\"", "not valid JSON" },
        { "output_activation", "sigmoidd", "not an activation" },
    };

    [Theory]
    [MemberData(nameof(MetadataEdits))]
    public void Bad_metadata_is_named(string key, string value, string expected)
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["__metadata__"]![key] = value);
        Assert.Contains(expected, LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format", "not a Nonlinear model file (no __metadata__.format)")]
    [InlineData("format_version", "no format_version")]
    [InlineData("architecture", "no 'architecture'")]
    [InlineData("loss", "no 'loss'")]
    public void Missing_metadata_is_named(string key, string expected)
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["__metadata__"]!.AsObject().Remove(key));
        Assert.Contains(expected, LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metadata_value_that_is_not_a_string_is_rejected()
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["__metadata__"]!["epochs"] = 20);
        Assert.Contains("metadata values must be strings", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_the_architecture_does_not_have_is_rejected()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        var (header, data) = Split(bytes);
        header["3.weight"] = JsonNode.Parse($$"""{"dtype":"F32","shape":[1],"data_offsets":[{{data.Length}},{{data.Length + 4}}]}""");
        var edited = Compose(header.ToJsonString(), [.. data, 0, 0, 0, 0]);

        Assert.StartsWith("model.nlm: unexpected tensor '3.weight'", LoadFails(edited).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        var (header, data) = Split(bytes);
        var offsets = header["2.bias"]!["data_offsets"]!.AsArray();
        int begin = (int)offsets[0]!, end = (int)offsets[1]!;
        header.Remove("2.bias");
        foreach (var name in new[] { "normalization.mean", "normalization.std" })
        {
            var o = header[name]!["data_offsets"]!.AsArray();
            header[name]!["data_offsets"] = new JsonArray((int)o[0]! - 4, (int)o[1]! - 4);
        }

        var edited = Compose(header.ToJsonString(), [.. data[..begin], .. data[end..]]);

        Assert.StartsWith("model.nlm: tensor '2.bias' is missing", LoadFails(edited).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named_with_both_shapes()
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["0.weight"]!["shape"] = new JsonArray(2, 4));
        Assert.Equal("model.nlm: tensor '0.weight' has shape [2, 4]; the architecture needs [4, 2]", LoadFails(bytes).Message);
    }

    [Fact]
    public void An_architecture_that_disagrees_with_the_tensors_is_rejected()
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["__metadata__"]!["architecture"] = "dense:3,tanh,dense:1");
        Assert.Contains("tensor '0.weight' has shape [4, 2]; the architecture needs [3, 2]", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, JsonNode, string> TensorEdits => new()
    {
        { "dtype", JsonValue.Create("F16"), "has dtype 'F16'; this format stores F32 only" },
        { "dtype", JsonValue.Create(32), "has dtype of JSON kind number" },
        { "shape", JsonValue.Create("[4, 2]"), "needs a shape" },
        { "shape", new JsonArray(4, -2), "not a non-negative integer" },
        { "shape", new JsonArray(4, 2.5), "not a non-negative integer" },
        { "shape", new JsonArray(3, 3), "has shape [3, 3] (9 floats, 36 bytes) but data_offsets [0, 32] span 32 bytes" },
        { "shape", new JsonArray(65536, 65536), "more elements than an array can hold" },
        { "data_offsets", new JsonArray(0), "two integers" },
        { "data_offsets", new JsonArray(-8, 24), "not two non-negative integers" },
        { "data_offsets", new JsonArray(32, 0), "end before they begin" },
        { "data_offsets", new JsonArray(0, 1UL << 62), "beyond the data section" },
        { "extra", JsonValue.Create(1), "unknown field 'extra'" },
    };

    [Theory]
    [MemberData(nameof(TensorEdits))]
    public void Bad_tensor_entries_are_named(string field, JsonNode value, string expected)
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["0.weight"]![field] = value.DeepClone());
        Assert.Contains(expected, LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        var bytes = Edit(SaveToBytes(SmallModel(), FullMetadata()), h => h["0.bias"]!["data_offsets"] = new JsonArray(16, 32));
        Assert.Contains("tensors '0.weight' and '0.bias' overlap", LoadFails(bytes).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_no_tensor_covers_are_rejected()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        Assert.Contains("belong to no tensor", LoadFails([.. bytes, 0, 0, 0, 0]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_weight_in_the_file_is_rejected_by_name()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(dataStart + 4 * 3), float.PositiveInfinity);
        Assert.Equal(
            "model.nlm: tensor '0.weight' element 3 is ∞; a model with non-finite weights is corrupt or diverged",
            LoadFails(bytes).Message.Replace("Infinity", "∞", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[1, 2]", "not an object")]
    [InlineData("{\"a\": 1, \"a\": 2}", "names 'a' twice")]
    [InlineData("{\"__metadata__\": [], \"x\": 1}", "__metadata__ is a JSON array")]
    [InlineData("{\"__metadata__\": {\"format\": \"nonlinear\"", "not valid JSON")]
    [InlineData("{\"__metadata__\": {\"format\": \"\\ud800\"}}", "not valid Unicode")]
    public void A_malformed_header_is_named(string json, string expected)
        => Assert.Contains(expected, LoadFails(Compose(json, [])).Message, StringComparison.Ordinal);

    [Fact]
    public void A_plain_safetensors_file_is_not_mistaken_for_a_model()
    {
        var bytes = Compose("""{"weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[8]);
        Assert.Equal("model.nlm: not a Nonlinear model file (no __metadata__.format)", LoadFails(bytes).Message);
    }

    [Fact]
    public void A_hand_written_file_with_another_tensor_order_and_no_padding_loads()
    {
        // Written the way another safetensors writer might: keys in a different order, the data laid out in
        // reverse (the bias first), metadata last, no padding. Only offsets say where each tensor is.
        const string json = """
            {"0.bias":{"data_offsets":[0,4],"shape":[1],"dtype":"F32"},
             "0.weight":{"shape":[1,2],"dtype":"F32","data_offsets":[4,12]},
             "__metadata__":{"task":"regression","loss":"mse","output_activation":"identity",
                             "input_shape":"[2]","architecture":"dense:1","format_version":"1","format":"nonlinear","note":"by hand"}}
            """;
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 0.5f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 2f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), -3f);

        var loaded = LoadBytes(Compose(json, data));

        Assert.Equal([2f, -3f], loaded.Model.Parameters[0].Value.Span.ToArray());
        Assert.Equal([0.5f], loaded.Model.Parameters[1].Value.Span.ToArray());
        Assert.Equal([2f * 1 - 3f * 2 + 0.5f], loaded.Model.Forward(Tensor.FromArray([1f, 2f], 1, 2)).Span.ToArray());
        Assert.Equal(TaskKind.Regression, loaded.Metadata.Task);
        Assert.Equal("by hand", loaded.Metadata.Extra!["note"]);
    }

    [Fact]
    public void Loading_reads_from_the_stream_position_to_its_end()
    {
        var bytes = SaveToBytes(SmallModel(), FullMetadata());
        using var stream = new MemoryStream([1, 2, 3, .. bytes]);
        stream.Position = 3;
        Assert.Equal(FullMetadata(), ModelFile.Load(stream).Metadata);
    }
}
