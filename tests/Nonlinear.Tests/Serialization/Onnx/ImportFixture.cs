using System.Text.Json;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>One fixture of Golden/onnx (made by tools/make_onnx_fixtures.py): the .onnx file and PyTorch's outputs for a few inputs.</summary>
internal sealed record ImportFixture(string Name, string OnnxPath, string Final, Tensor Input, Tensor Output)
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden", "onnx");

    public static ImportFixture Load(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        var root = doc.RootElement;
        return new ImportFixture(
            name,
            Path.Combine(Directory, name + ".onnx"),
            root.GetProperty("final").GetString()!,
            Read(root, "input"),
            Read(root, "output"));
    }

    /// <summary>The fixtures that import (every .json beside its .onnx).</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    private static Tensor Read(JsonElement root, string key)
    {
        var shape = root.GetProperty(key + "_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var tensor = new Tensor(shape);
        int i = 0;
        foreach (var v in root.GetProperty(key).EnumerateArray())
        {
            tensor.Span[i++] = v.GetSingle();
        }

        return tensor;
    }
}
