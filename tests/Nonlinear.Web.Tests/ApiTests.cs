using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class ApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Health_answers_ok()
    {
        using var client = factory.CreateClient();
        var health = await client.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_session_is_created_from_a_config_and_shows_the_network_it_built()
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/sessions", new { config = new { dataset = "xor", layers = new[] { new { units = 8 } }, activation = "relu" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dense:8,relu,dense:1", view.GetProperty("network").GetProperty("spec").GetString());
        Assert.Equal(250, view.GetProperty("points").GetProperty("train").GetProperty("x").GetArrayLength());
    }

    [Fact]
    public async Task A_batch_size_out_of_range_is_refused_with_a_message_that_names_it()
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/sessions", new { config = new { batchSize = 99 } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("batchSize", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
