using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class ImageApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly int[] ShortRows = [783, 785, 0];

    [Fact]
    public async Task An_mlp_learns_the_images_well_above_chance_in_a_few_hundred_batches()
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client, new { model = "mlp" });
        var first = await PostJsonAsync(client, $"/api/images/sessions/{id}/step?batches=60");
        var second = await PostJsonAsync(client, $"/api/images/sessions/{id}/step?batches=60");
        Assert.Equal(120, second.GetProperty("batches").GetInt64());
        Assert.Equal("paused", second.GetProperty("status").GetString());
        // Ten classes: chance is 0.1. Two epochs of the 2,000 images reach about 0.8.
        double accuracy = second.GetProperty("testAccuracy").GetDouble();
        Assert.True(accuracy > 0.6, $"test accuracy {accuracy} after 120 batches");
        Assert.True(second.GetProperty("trainLoss").GetDouble() < first.GetProperty("trainLoss").GetDouble());
    }

    [Fact]
    public async Task The_gallery_holds_the_first_test_images_as_bytes_with_their_labels()
    {
        using var client = factory.CreateClient();
        var gallery = await client.GetFromJsonAsync<JsonElement>("/api/images/gallery");
        int count = gallery.GetProperty("count").GetInt32();
        var pixels = Convert.FromBase64String(gallery.GetProperty("pixels").GetString()!);
        Assert.Equal(24, count);
        Assert.Equal(count * 28 * 28, pixels.Length);
        Assert.Equal(count, gallery.GetProperty("labels").GetArrayLength());
        Assert.Equal(10, gallery.GetProperty("classNames").GetArrayLength());
        // Fashion-MNIST: dark background (the corner pixel) and bright ink somewhere in every image.
        for (int i = 0; i < count; i++)
        {
            var image = pixels.AsSpan(i * 784, 784);
            Assert.Equal(0, image[0]);
            Assert.True(image.ToArray().Max() > 128, $"image {i} has no ink");
        }
    }

    [Fact]
    public async Task Classify_answers_probabilities_that_agree_with_the_frame_for_the_same_test_images()
    {
        // The frame's gallery predictions come from the standardised test set; classify standardises raw pixels
        // itself. Both must see the same inputs, so the same class and probability.
        using var client = factory.CreateClient();
        string id = await CreateAsync(client, new { model = "mlp", batchSize = 64 });
        await PostJsonAsync(client, $"/api/images/sessions/{id}/step?batches=40");
        var gallery = await client.GetFromJsonAsync<JsonElement>("/api/images/gallery");
        var pixels = Convert.FromBase64String(gallery.GetProperty("pixels").GetString()!);

        await using var stream = await FrameStream.OpenAsync(factory, id, "/api/images/sessions");
        var header = (await stream.AckUntilAsync(_ => true, TimeSpan.FromSeconds(20))).Header;
        Assert.Equal(40, header.GetProperty("batches").GetInt64());
        var confusion = header.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        Assert.Equal(500, confusion.Sum(r => r.Sum()));
        double diagonal = Enumerable.Range(0, 10).Sum(c => confusion[c][c]);
        Assert.Equal(header.GetProperty("testAccuracy").GetDouble(), diagonal / 500, 6);
        var predicted = header.GetProperty("gallery").GetProperty("predicted");
        var probability = header.GetProperty("gallery").GetProperty("probability");

        for (int i = 0; i < 4; i++)
        {
            var drawing = pixels.AsSpan(i * 784, 784).ToArray().Select(b => b / 255.0).ToArray();
            var answer = await PostJsonAsync(client, $"/api/images/sessions/{id}/classify", new { pixels = drawing });
            var p = answer.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(10, p.Length);
            Assert.All(p, v => Assert.InRange(v, 0, 1));
            Assert.Equal(1, p.Sum(), 4);
            int best = Array.IndexOf(p, p.Max());
            Assert.Equal(best, answer.GetProperty("predicted").GetInt32());
            Assert.Equal(predicted[i].GetInt32(), best);
            Assert.Equal(probability[i].GetDouble(), p[best], 3);
        }
    }

    [Fact]
    public async Task Play_trains_in_the_background_and_the_stream_carries_curves_and_a_filling_confusion_matrix()
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client, new { model = "mlp", batchSize = 64 });
        await using var stream = await FrameStream.OpenAsync(factory, id, "/api/images/sessions");
        var start = (await stream.AckUntilAsync(_ => true, TimeSpan.FromSeconds(20))).Header;
        Assert.Equal(0, start.GetProperty("batches").GetInt64());
        Assert.Equal("running", (await PostJsonAsync(client, $"/api/images/sessions/{id}/play")).GetProperty("status").GetString());

        var points = new List<JsonElement>();
        // Until 60 batches and an evaluation: the evaluations are at least 200 ms apart, which may be more than 60 batches take.
        var header = (await stream.AckUntilAsync(
            f => f.Header.GetProperty("batches").GetInt64() >= 60 && points.Count > 0,
            TimeSpan.FromSeconds(20),
            f => points.AddRange(f.Header.GetProperty("curve").EnumerateArray()))).Header;

        var paused = await PostJsonAsync(client, $"/api/images/sessions/{id}/pause");
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.True(paused.GetProperty("batches").GetInt64() >= 60);
        // A point per evaluation: [epoch, train loss, test loss, train accuracy, test accuracy], epochs increasing.
        Assert.NotEmpty(points);
        var epochs = points.Select(p => p[0].GetDouble()).ToArray();
        Assert.Equal(epochs.Order(), epochs);
        var last = points[^1];
        Assert.Equal(5, last.GetArrayLength());
        Assert.InRange(last[4].GetDouble(), 0, 1);
        Assert.True(last[1].GetDouble() > 0, $"train loss {last[1]}");
        Assert.Equal(500, header.GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(c => c.GetInt64())));
    }

    [Fact]
    public async Task A_drawing_that_is_not_784_values_in_0_to_1_is_refused_with_a_message()
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client, new { model = "mlp" });
        string url = $"/api/images/sessions/{id}/classify";
        foreach (int n in ShortRows)
        {
            var problem = await RefusedAsync(client, url, new { pixels = new double[n] }, HttpStatusCode.BadRequest);
            Assert.Contains("784", problem, StringComparison.Ordinal);
        }

        var bright = Enumerable.Repeat(0.0, 784).ToArray();
        bright[300] = 1.5;
        Assert.Contains("pixels[300]", await RefusedAsync(client, url, new { pixels = bright }, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        bright[300] = -0.01;
        Assert.Contains("pixels[300]", await RefusedAsync(client, url, new { pixels = bright }, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("pixels", await RefusedAsync(client, url, new { }, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        // JSON has no NaN: a literal NaN or the string "NaN" is not a number.
        string nan = "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("0", 783)) + ",NaN]}";
        using var raw = await client.PostAsync(url, new StringContent(nan, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, raw.StatusCode);
        Assert.Contains("pixels[783]", (await raw.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var asText = await RefusedAsync(client, url, new { pixels = Enumerable.Repeat<object>("NaN", 784).ToArray() }, HttpStatusCode.BadRequest);
        Assert.Contains("pixels[0]", asText, StringComparison.Ordinal);

        Assert.Contains("No such session", await RefusedAsync(client, "/api/images/sessions/0123456789abcdef/classify", new { pixels = new double[784] }, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_out_of_range_and_other_kinds_of_session_are_refused()
    {
        using var client = factory.CreateClient();
        Assert.Contains("model", await RefusedAsync(client, "/api/images/sessions", new { config = new { model = "rnn" } }, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("batchSize", await RefusedAsync(client, "/api/images/sessions", new { config = new { batchSize = 0 } }, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("learningRate", await RefusedAsync(client, "/api/images/sessions", new { config = new { learningRate = -1 } }, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("activation", await RefusedAsync(client, "/api/images/sessions", new { config = new { activation = "nope" } }, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        string id = await CreateAsync(client, new { model = "mlp" });
        using var badStep = await client.PostAsync($"/api/images/sessions/{id}/step?batches=-3", null);
        Assert.Equal(HttpStatusCode.BadRequest, badStep.StatusCode);

        // A playground session is not an image session, and the other way round.
        var playground = await client.PostAsJsonAsync("/api/sessions", new { config = new { dataset = "xor" } });
        string playgroundId = (await playground.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var wrongKind = await client.PostAsync($"/api/images/sessions/{playgroundId}/step", null);
        Assert.Equal(HttpStatusCode.NotFound, wrongKind.StatusCode);
        using var wrongKind2 = await client.PostAsync($"/api/sessions/{id}/step", null);
        Assert.Equal(HttpStatusCode.NotFound, wrongKind2.StatusCode);

        using var deleted = await client.DeleteAsync($"/api/images/sessions/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await client.PostAsync($"/api/images/sessions/{id}/play", null);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Reset_starts_the_network_again_and_a_config_change_rebuilds_it()
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client, new { model = "mlp" });
        await PostJsonAsync(client, $"/api/images/sessions/{id}/step?batches=5");
        var reset = await PostJsonAsync(client, $"/api/images/sessions/{id}/reset");
        Assert.Equal(0, reset.GetProperty("batches").GetInt64());
        Assert.Equal(JsonValueKind.Null, reset.GetProperty("trainLoss").ValueKind);

        using var put = await client.PutAsJsonAsync($"/api/images/sessions/{id}/config", new { model = "cnn", activation = "leaky_relu:0.1", optimizer = "momentum", learningRate = 0.01, batchSize = 16, seed = 3 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("conv:32x3,leaky_relu:0.1", view.GetProperty("network").GetProperty("spec").GetString(), StringComparison.Ordinal);
        Assert.Equal(125, view.GetProperty("batchesPerEpoch").GetInt32());
        var stepped = await PostJsonAsync(client, $"/api/images/sessions/{id}/step?batches=2");
        Assert.Equal(2, stepped.GetProperty("batches").GetInt64());
        Assert.True(stepped.GetProperty("trainLoss").GetDouble() > 0);
    }

    [Fact]
    public async Task Missing_images_are_a_404_that_says_where_the_server_looked()
    {
        string empty = Directory.CreateTempSubdirectory("nonlinear-no-images").FullName;
        try
        {
            using var app = factory.WithWebHostBuilder(b => b.UseSetting("Nonlinear:Data", empty));
            using var client = app.CreateClient();
            var detail = await RefusedAsync(client, "/api/images/sessions", new { }, HttpStatusCode.NotFound);
            Assert.Contains(empty, detail, StringComparison.Ordinal);
            Assert.Contains("Nonlinear:Data", detail, StringComparison.Ordinal);
            using var gallery = await client.GetAsync("/api/images/gallery");
            Assert.Equal(HttpStatusCode.NotFound, gallery.StatusCode);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private static async Task<string> CreateAsync(HttpClient client, object config)
    {
        using var response = await client.PostAsJsonAsync("/api/images/sessions", new { config });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, string url, object? body = null)
    {
        using var response = body is null ? await client.PostAsync(url, null) : await client.PostAsJsonAsync(url, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {json}");
        return json;
    }

    private static async Task<string> RefusedAsync(HttpClient client, string url, object body, HttpStatusCode status)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, response.StatusCode);
        return problem.GetProperty("detail").GetString()!;
    }
}
