using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The small endpoints the page draws its pickers from, the session read-back, and config changes that keep training.</summary>
public sealed class PreviewApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task A_dataset_preview_has_the_points_of_each_class_asked_for()
    {
        using var client = factory.CreateClient();
        var preview = await client.GetFromJsonAsync<JsonElement>("/api/datasets/preview?name=spiral&classes=3");
        var labels = preview.GetProperty("label").EnumerateArray().Select(l => l.GetDouble()).ToArray();
        Assert.Equal(preview.GetProperty("x").GetArrayLength(), labels.Length);
        Assert.InRange(labels.Length, 100, 250);
        Assert.Equal([0.0, 1.0, 2.0], labels.Distinct().Order());
    }

    [Fact]
    public async Task A_preview_of_a_two_class_dataset_ignores_a_class_count()
    {
        using var client = factory.CreateClient();
        var preview = await client.GetFromJsonAsync<JsonElement>("/api/datasets/preview?name=circle&classes=5");
        Assert.Equal(2, preview.GetProperty("classes").GetInt32());
        Assert.All(preview.GetProperty("label").EnumerateArray(), l => Assert.InRange(l.GetDouble(), 0, 1));
    }

    [Theory]
    [InlineData("name=moons", "moons")]
    [InlineData("name=spiral&classes=9", "classes")]
    [InlineData("name=gauss&classes=two", "classes")]
    public async Task A_bad_preview_request_is_refused_naming_what_is_wrong(string query, string named)
    {
        using var client = factory.CreateClient();
        var response = await client.GetAsync($"/api/datasets/preview?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_feature_has_a_thumbnail_and_x1_grows_from_left_to_right()
    {
        using var client = factory.CreateClient();
        var thumbs = await client.GetFromJsonAsync<JsonElement>("/api/features/thumbs");
        int side = thumbs.GetProperty("thumb").GetInt32();
        var features = thumbs.GetProperty("features").EnumerateArray().ToArray();
        Assert.Equal(["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY", "cosX", "cosY"], features.Select(f => f.GetProperty("name").GetString()));
        Assert.All(features, f => Assert.Equal(side * side, Convert.FromBase64String(f.GetProperty("data").GetString()!).Length));
        var x = Convert.FromBase64String(features[0].GetProperty("data").GetString()!);
        Assert.True(x[0] < x[side - 1], "x1 is smallest at the left of a row");
        var y = Convert.FromBase64String(features[1].GetProperty("data").GetString()!);
        Assert.True(y[0] > y[(side - 1) * side], "x2 is largest at the top (row 0)");
    }

    [Fact]
    public async Task A_session_can_be_read_back_and_an_unknown_one_is_404()
    {
        using var client = factory.CreateClient();
        var created = await (await client.PostAsJsonAsync("/api/sessions", new { config = new { dataset = "xor" } })).Content.ReadFromJsonAsync<JsonElement>();
        string id = created.GetProperty("id").GetString()!;
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}");
        Assert.Equal(id, view.GetProperty("id").GetString());
        Assert.Equal("xor", view.GetProperty("config").GetProperty("dataset").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/sessions/00000000000000000000000000000000")).StatusCode);
        await client.DeleteAsync($"/api/sessions/{id}");
    }

    [Fact]
    public async Task Changing_the_learning_rate_keeps_training_where_it_was_but_changing_the_data_starts_over()
    {
        using var client = factory.CreateClient();
        var view = await (await client.PostAsJsonAsync("/api/sessions", new { config = new { dataset = "circle" } })).Content.ReadFromJsonAsync<JsonElement>();
        string id = view.GetProperty("id").GetString()!;
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(view.GetProperty("config").GetRawText())!;

        await Step(client, id);
        config["learningRate"] = JsonSerializer.SerializeToElement(0.3);
        config["showTestData"] = JsonSerializer.SerializeToElement(true);
        var changed = await (await client.PutAsJsonAsync($"/api/sessions/{id}/config", config)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("0.3", changed.GetProperty("network").GetProperty("optimizer").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, await Step(client, id));

        config["dataset"] = JsonSerializer.SerializeToElement("xor");
        (await client.PutAsJsonAsync($"/api/sessions/{id}/config", config)).EnsureSuccessStatusCode();
        Assert.Equal(1, await Step(client, id));
        await client.DeleteAsync($"/api/sessions/{id}");
    }

    private static async Task<int> Step(HttpClient client, string id)
    {
        var answer = await (await client.PostAsync($"/api/sessions/{id}/step", null)).Content.ReadFromJsonAsync<JsonElement>();
        return answer.GetProperty("epoch").GetInt32();
    }
}
