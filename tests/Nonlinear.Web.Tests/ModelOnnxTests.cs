using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Train in PyTorch, diagnose in Nonlinear: ONNX files exported by PyTorch 1.13 (tools/make_onnx_fixtures.py, the
/// fixtures of tests/Nonlinear.Tests/Golden/onnx) open in the Model tab through the library's ONNX import.
/// </summary>
public sealed class ModelOnnxTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static string Fixture(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "Nonlinear.Tests", "Golden", "onnx", file);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"The ONNX fixture {file} was not found above {AppContext.BaseDirectory}.");
    }

    [Theory]
    [InlineData("mlp_fashion_13.onnx")]
    [InlineData("cnn_fashion_17.onnx")]
    public async Task A_pytorch_classifier_is_described_advised_and_evaluated_as_the_library_computes(string file)
    {
        byte[] bytes = await File.ReadAllBytesAsync(Fixture(file));
        using var client = factory.CreateClient();
        using var response = await ModelApiTests.Upload(client, bytes, file);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var view = JsonDocument.Parse(body).RootElement;
        var saved = OnnxImport.Load(new MemoryStream(bytes), file);
        Assert.Equal("onnx", view.GetProperty("format").GetString());
        Assert.Equal(saved.Model.Spec, view.GetProperty("spec").GetString());
        Assert.Equal(saved.Model.ParameterCount, view.GetProperty("parameters").GetInt32());
        Assert.True(view.GetProperty("fashionMnist").GetProperty("fits").GetBoolean(), body);
        Assert.Equal(JsonValueKind.Array, view.GetProperty("advice").ValueKind);

        var answer = await client.GetFromJsonAsync<JsonElement>($"/api/models/{view.GetProperty("id").GetString()}/evaluation");
        var test = TestModelFiles.FashionImages.Test;
        var matrix = ConfusionMatrix.FromOutputs(saved.Predict(test.Features), test.Targets, TaskKind.Multiclass, 10);
        Assert.Equal(matrix.Accuracy, answer.GetProperty("accuracy").GetDouble(), 12);
        // PyTorch measured these models at 0.806 (MLP) and 0.832 (CNN) on the same 500 images (make_onnx_fixtures.py).
        Assert.InRange(matrix.Accuracy, 0.75, 0.9);
        Assert.Equal(saved.Model.Layers.Count, answer.GetProperty("diagnostics").GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public async Task An_onnx_graph_the_import_cannot_read_is_refused_naming_the_node()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await ModelApiTests.Upload(client, await File.ReadAllBytesAsync(Fixture("lstm_13.onnx")), "lstm.onnx"),
            HttpStatusCode.BadRequest, "lstm.onnx", "LSTM");
    }

    [Fact]
    public async Task A_model_exported_to_onnx_by_nonlinear_evaluates_as_its_model_file()
    {
        byte[] nlm = TestModelFiles.Fashion("flatten,dense:16,relu,dense:10");
        using var onnx = new MemoryStream();
        OnnxExport.Save(onnx, ModelFile.Load(new MemoryStream(nlm)));
        using var client = factory.CreateClient();
        async Task<double> Accuracy(byte[] bytes, string name)
        {
            using var response = await ModelApiTests.Upload(client, bytes, name);
            var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var answer = await client.GetFromJsonAsync<JsonElement>($"/api/models/{view.GetProperty("id").GetString()}/evaluation");
            return answer.GetProperty("accuracy").GetDouble();
        }

        // The same model through another reader and other float operations: at most one of the 500 images may tip.
        Assert.InRange(Math.Abs(await Accuracy(nlm, "m.nlm") - await Accuracy(onnx.ToArray(), "m.onnx")), 0, 1.0 / 500);
    }
}
