using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The Model tab's API: a model file in, its layers, the advisor's findings and its results on Fashion-MNIST out.</summary>
public sealed class ModelApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string Mlp = "flatten,dense:32,relu,dense:10";

    private static readonly Lazy<byte[]> TrainedMlp = new(() => TestModelFiles.Fashion(Mlp));

    internal static async Task<HttpResponseMessage> Upload(HttpClient client, byte[] bytes, string name = "model.nlm")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await client.PostAsync($"/api/models?name={Uri.EscapeDataString(name)}", content);
    }

    private static async Task<JsonElement> Created(HttpClient client, byte[] bytes, string name = "model.nlm")
    {
        using var response = await Upload(client, bytes, name);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static long[] Longs(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt64())];

    [Fact]
    public async Task A_saved_model_is_described_layer_by_layer_with_its_shapes_and_parameters()
    {
        using var client = factory.CreateClient();
        var view = await Created(client, TrainedMlp.Value, "fashion.nlm");
        var saved = ModelFile.Load(new MemoryStream(TrainedMlp.Value));
        Assert.Equal("fashion.nlm", view.GetProperty("name").GetString());
        Assert.Equal("nlm", view.GetProperty("format").GetString());
        Assert.Equal(saved.Model.Spec, view.GetProperty("spec").GetString());
        Assert.Equal(saved.Model.ParameterCount, view.GetProperty("parameters").GetInt32());
        Assert.Equal([1, 28, 28], Longs(view.GetProperty("inputShape")));
        Assert.Equal("multiclass", view.GetProperty("task").GetString());
        Assert.Equal("softmax", view.GetProperty("outputActivation").GetString());
        var layers = view.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(saved.Model.Layers.Count, layers.Length);
        Assert.Equal([784], Longs(layers[0].GetProperty("outputShape")));
        Assert.Equal(784 * 32 + 32, layers[1].GetProperty("parameters").GetInt64());
        Assert.Equal([32, 784], Longs(layers[1].GetProperty("tensors")[0].GetProperty("shape")));
        Assert.Equal("1.weight", layers[1].GetProperty("tensors")[0].GetProperty("name").GetString());
        Assert.Equal(0, layers[2].GetProperty("parameters").GetInt64());
        Assert.True(view.GetProperty("fashionMnist").GetProperty("fits").GetBoolean());
        Assert.Equal("image", view.GetProperty("fashionMnist").GetProperty("input").GetString());

        // Kept: the same view again by id; forgotten after a delete.
        string id = view.GetProperty("id").GetString()!;
        var again = await client.GetFromJsonAsync<JsonElement>($"/api/models/{id}");
        Assert.Equal(view.GetProperty("spec").GetString(), again.GetProperty("spec").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/models/{id}")).StatusCode);
        await Problems.AssertAsync(await client.GetAsync($"/api/models/{id}"), HttpStatusCode.NotFound, "open the file again");
    }

    [Fact]
    public async Task The_evaluation_equals_what_the_library_computes_for_the_same_model_and_images()
    {
        using var client = factory.CreateClient();
        var view = await Created(client, TrainedMlp.Value);
        var answer = await client.GetFromJsonAsync<JsonElement>($"/api/models/{view.GetProperty("id").GetString()}/evaluation");

        // The library on its own: the saved model's predictions (its normalisation, softmax) and its trainer's loss.
        var saved = ModelFile.Load(new MemoryStream(TrainedMlp.Value));
        var test = TestModelFiles.FashionImages.Test;
        var probabilities = saved.Predict(test.Features);
        var matrix = ConfusionMatrix.FromOutputs(probabilities, test.Targets, TaskKind.Multiclass, 10);
        var normalization = new Normalization(saved.Metadata.NormalizationMean!, saved.Metadata.NormalizationStd!);
        var expected = new Trainer(saved.Model, Loss.Parse("cross_entropy"), new Sgd(0.01)).Evaluate(normalization.Apply(test));

        Assert.Equal(500, answer.GetProperty("data").GetProperty("images").GetInt32());
        Assert.Equal(expected.Accuracy, answer.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(matrix.Accuracy, answer.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(expected.Loss, answer.GetProperty("loss").GetDouble(), 9);
        Assert.InRange(expected.Accuracy, 0.5, 1); // one epoch of a small MLP: well above chance (0.1)
        var confusion = answer.GetProperty("confusion").EnumerateArray().Select(Longs).ToArray();
        for (int a = 0; a < 10; a++)
        {
            for (int p = 0; p < 10; p++)
            {
                Assert.Equal(matrix[a, p], confusion[a][p]);
            }

            var c = answer.GetProperty("classes")[a];
            Assert.Equal(FashionMnist.ClassNames[a], c.GetProperty("name").GetString());
            Assert.Equal(matrix.Recall(a), c.GetProperty("recall").GetDouble(), 12);
            Assert.Equal(matrix.Actual(a), c.GetProperty("samples").GetInt64());
        }

        // The examples: the first 8 test images, then confident mistakes, each with the model's probabilities.
        var examples = answer.GetProperty("examples");
        var items = examples.GetProperty("items").EnumerateArray().ToArray();
        Assert.InRange(items.Length, 9, 12);
        Assert.Equal(items.Length * 784, Convert.FromBase64String(examples.GetProperty("pixels").GetString()!).Length);
        foreach (var item in items)
        {
            int i = item.GetProperty("index").GetInt32();
            int predicted = item.GetProperty("predicted").GetInt32();
            Assert.Equal((int)test.Targets.Span[i], item.GetProperty("label").GetInt32());
            Assert.Equal(probabilities.Span[(i * 10) + predicted], item.GetProperty("probability").GetDouble(), 6);
            Assert.Equal(predicted, item.GetProperty("top")[0].GetProperty("class").GetInt32());
        }

        Assert.All(items.Skip(8), item => Assert.False(item.GetProperty("right").GetBoolean()));

        // The diagnostics: one entry per layer; the ReLU layer's dead share is a share, the dense layers have gradients.
        var diagnostics = answer.GetProperty("diagnostics");
        var layers = diagnostics.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(saved.Model.Layers.Count, layers.Length);
        Assert.Equal("relu", layers[2].GetProperty("spec").GetString());
        Assert.InRange(layers[2].GetProperty("deadShare").GetDouble(), 0, 1);
        Assert.Equal(JsonValueKind.Null, layers[1].GetProperty("deadShare").ValueKind);
        Assert.True(layers[1].GetProperty("gradientNorm").GetDouble() > 0);
        Assert.Equal(20, layers[2].GetProperty("output").GetProperty("counts").GetArrayLength());
        Assert.Equal(500L * 32, layers[2].GetProperty("output").GetProperty("count").GetInt64());
        Assert.True(diagnostics.GetProperty("gradientRatio").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Array, diagnostics.GetProperty("advice").ValueKind);
    }

    [Fact]
    public async Task The_advisor_findings_are_those_of_advise_on_the_same_file()
    {
        // Two dense layers with nothing between them collapse into one: the advisor says so.
        byte[] bytes = TestModelFiles.Fashion("flatten,dense:32,dense:10", epochs: 0);
        using var client = factory.CreateClient();
        var view = await Created(client, bytes);
        var advice = view.GetProperty("advice").EnumerateArray().ToArray();
        var expected = Advisor.Check(ModelFile.Load(new MemoryStream(bytes)));
        Assert.Equal(expected.Select(a => a.Code), advice.Select(a => a.GetProperty("code").GetString()));
        var collapse = advice.Single(a => a.GetProperty("code").GetString() == AdviceCodes.LinearCollapse);
        Assert.Equal("warning", collapse.GetProperty("severity").GetString());
        Assert.Equal(2, collapse.GetProperty("layer").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(collapse.GetProperty("fix").GetString()));
    }

    [Fact]
    public async Task A_model_taking_pixels_in_a_row_is_evaluated_on_the_same_images()
    {
        byte[] bytes = TestModelFiles.Fashion("dense:16,relu,dense:10", epochs: 1, inputShape: new TensorShape(784));
        using var client = factory.CreateClient();
        var view = await Created(client, bytes);
        Assert.Equal("pixels", view.GetProperty("fashionMnist").GetProperty("input").GetString());
        var answer = await client.GetFromJsonAsync<JsonElement>($"/api/models/{view.GetProperty("id").GetString()}/evaluation");
        var saved = ModelFile.Load(new MemoryStream(bytes));
        var test = TestModelFiles.FashionImages.Test;
        var matrix = ConfusionMatrix.FromOutputs(saved.Predict(test.Features.Reshape(test.Count, 784)), test.Targets, TaskKind.Multiclass, 10);
        Assert.Equal(matrix.Accuracy, answer.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public async Task A_model_whose_outputs_overflow_is_evaluated_with_nulls_where_numbers_are_not_finite()
    {
        // Weights of 1e38: finite in the file, infinite logits on any image with ink, NaN probabilities and loss.
        var model = Models.Sequential.Parse("flatten,dense:10");
        model.Build(new TensorShape(1, 28, 28), 1);
        foreach (var p in model.Parameters)
        {
            p.Value.Span.Fill(1e38f);
        }

        byte[] bytes = TestModelFiles.Save(model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" });
        using var client = factory.CreateClient();
        var view = await Created(client, bytes, "huge.nlm");
        using var response = await client.GetAsync($"/api/models/{view.GetProperty("id").GetString()}/evaluation");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("loss").ValueKind);
        Assert.Contains("non-finite", answer.GetProperty("diagnostics").GetProperty("advice").EnumerateArray().Select(a => a.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_model_of_another_shape_is_described_but_its_evaluation_is_refused_with_the_reason()
    {
        using var client = factory.CreateClient();
        var view = await Created(client, TestModelFiles.Binary(), "tiny.nlm");
        var fit = view.GetProperty("fashionMnist");
        Assert.False(fit.GetProperty("fits").GetBoolean());
        Assert.Contains("[3]", fit.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, view.GetProperty("layers").GetArrayLength());
        await Problems.AssertAsync(await client.GetAsync($"/api/models/{view.GetProperty("id").GetString()}/evaluation"),
            HttpStatusCode.UnprocessableEntity, "tiny.nlm", "[3]", "[1, 28, 28]");
    }

    [Fact]
    public async Task A_damaged_file_is_refused_with_the_readers_message()
    {
        using var client = factory.CreateClient();
        byte[] good = TestModelFiles.Binary();
        await Problems.AssertAsync(await Upload(client, good[..(good.Length - 10)], "cut.nlm"), HttpStatusCode.BadRequest, "cut.nlm", "truncated");
        await Problems.AssertAsync(await Upload(client, "not a model at all"u8.ToArray(), "notes.txt"), HttpStatusCode.BadRequest, "notes.txt");
        await Problems.AssertAsync(await Upload(client, [], "empty.nlm"), HttpStatusCode.BadRequest, "empty");
        var flipped = (byte[])good.Clone();
        flipped[20] ^= 0x55; // inside the JSON header
        using var response = await Upload(client, flipped, "flipped.nlm");
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "flipped.nlm");
    }

    [Fact]
    public async Task An_onnx_file_is_recognised_by_its_content()
    {
        // A ModelProto's first fields: ir_version 8, producer_name "pytorch". Named .bin: the content decides.
        byte[] onnx = [0x08, 0x08, 0x12, 0x07, .. "pytorch"u8, 0x1A, 0x04, .. "1.13"u8];
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await Upload(client, onnx, "net.bin"), HttpStatusCode.UnsupportedMediaType, "net.bin", "ONNX import is not available");
    }

    [Fact]
    public async Task A_file_over_the_cap_is_refused_with_413_naming_the_cap()
    {
        using var limited = LimitedWebAppFactory.With(("MaxModelBytes", "1000"));
        using var client = limited.CreateClient();
        byte[] bytes = TestModelFiles.Binary();
        Assert.True(bytes.Length < 1000, $"{bytes.Length} bytes");
        Assert.Equal(HttpStatusCode.Created, (await Upload(client, bytes)).StatusCode);
        await Problems.AssertAsync(await Upload(client, TrainedMlp.Value), HttpStatusCode.RequestEntityTooLarge, "1000 bytes");
        limited.AssertNoErrorsLogged();
    }
}
