using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Nonlinear.Web.Playground;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>Each refusal the server makes: its status, and a detail that names the problem so the page can show it.</summary>
public sealed class RefusalTests(LimitedWebAppFactory factory) : IClassFixture<LimitedWebAppFactory>
{
    /// <summary>A config field (JSON, inside the config object) that is out of range or of the wrong type, and a word its refusal must name.</summary>
    public static TheoryData<string, string> BadFields => new()
    {
        { "\"problem\":\"clustering\"", "problem" },
        { "\"problem\":null", "problem" },
        { "\"dataset\":\"moons\"", "dataset 'moons'" },
        { "\"regDataset\":\"reg-moons\"", "regDataset" },
        { "\"classes\":1", "classes = 1" },
        { "\"classes\":6", "classes = 6" },
        { "\"dataset\":\"circle\",\"classes\":3", "classes = 3" },
        { "\"noise\":-1", "noise" },
        { "\"noise\":51", "noise" },
        { "\"noise\":\"5\"", "noise" },
        { "\"noise\":1e400", "noise" },
        { "\"percTrainData\":9", "percTrainData" },
        { "\"percTrainData\":91", "percTrainData" },
        { "\"batchSize\":0", "batchSize" },
        { "\"batchSize\":31", "batchSize" },
        { "\"batchSize\":2.5", "batchSize" },
        { "\"batchSize\":99999999999", "batchSize" },
        { "\"learningRate\":0", "learningRate" },
        { "\"learningRate\":-0.1", "learningRate" },
        { "\"learningRate\":10.5", "learningRate" },
        { "\"learningRate\":1e400", "learningRate" },
        { "\"learningRate\":\"NaN\"", "learningRate" },
        { "\"activation\":\"swishy\"", "activation" },
        { "\"activation\":\"\"", "activation" },
        { "\"activation\":\"softmax\"", "activation" },
        { "\"activation\":\"leaky_relu:5\"", "alpha" },
        { "\"layers\":null", "layers" },
        { "\"layers\":{}", "layers" },
        { "\"layers\":[null]", "layers[0]" },
        { "\"layers\":[{\"units\":0}]", "layers[0].units = 0" },
        { "\"layers\":[{\"units\":2},{\"units\":2,\"dropout\":0.95}]", "layers[1].dropout" },
        { "\"layers\":[{\"units\":2,\"dropout\":-0.1}]", "layers[0].dropout" },
        { "\"layers\":[{\"units\":2,\"activation\":\"nope\"}]", "layers[0].activation" },
        { "\"layers\":[{\"units\":2,\"batchNorm\":1}]", "batchNorm" },
        { "\"regularization\":\"L3\"", "regularization" },
        { "\"regularizationRate\":-1", "regularizationRate" },
        { "\"regularizationRate\":11", "regularizationRate" },
        { "\"optimizer\":\"rmsprop\"", "optimizer 'rmsprop'" },
        { "\"features\":[]", "features" },
        { "\"features\":null", "features" },
        { "\"features\":[\"z\"]", "feature 'z'" },
        { "\"features\":[\"x\",\"x\"]", "features" },
        { "\"seed\":null", "seed" },
        { "\"seed\":\"" + new string('7', 65) + "\"", "seed" },
        { "\"seed\":0.5", "seed" },
        { "\"speed\":0.1", "speed" },
        { "\"speed\":17", "speed" },
        { "\"speed\":-1", "speed" },
        { "\"hidden\":[" + string.Join(",", Enumerable.Repeat("\"noise\"", 65)) + "]", "hidden" },
        { "\"hidden\":\"noise\"", "hidden" },
        { "\"showTestData\":\"yes\"", "showTestData" },
        { "\"discretize\":0", "discretize" },
        { "\"initZero\":null", "initZero" },
        { "\"hideText\":[]", "hideText" },
        { "\"dataset\":\"csv\"", "csvId" },
        { "\"csvId\":5", "csvId" },
        { "\"csvFeatures\":\"a,b\"", "csvFeatures" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_config_field_out_of_range_or_of_the_wrong_type_is_refused_with_its_name(string field, string named)
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await PostAsync(client, "/api/sessions", "{\"config\":{" + field + "}}"), HttpStatusCode.BadRequest, named);
        await Problems.AssertAsync(await PostAsync(client, "/api/state/format", "{" + field + "}"), HttpStatusCode.BadRequest, named);
        string id = await CreateAsync(client);
        try
        {
            await Problems.AssertAsync(await SendAsync(client, HttpMethod.Put, $"/api/sessions/{id}/config", "{" + field + "}"), HttpStatusCode.BadRequest, named);
        }
        finally
        {
            await DeleteAsync(client, id);
        }
    }

    [Fact]
    public void Every_config_field_has_a_refusal_case()
    {
        var tested = BadFields.Select(row => (string)row[0]).ToArray();
        var fields = typeof(PlaygroundConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Concat(typeof(HiddenLayerConfig).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)));
        Assert.All(fields, name => Assert.Contains(tested, t => t.Contains($"\"{name}\":", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Too_many_hidden_layers_is_refused_naming_the_count_and_the_limit()
    {
        using var client = factory.CreateClient();
        string layers = string.Join(",", Enumerable.Repeat("{\"units\":2}", LimitedWebAppFactory.MaxHiddenLayers + 1));
        await Problems.AssertAsync(
            await PostAsync(client, "/api/sessions", "{\"config\":{\"layers\":[" + layers + "]}}"),
            HttpStatusCode.BadRequest,
            $"{LimitedWebAppFactory.MaxHiddenLayers + 1} hidden layers",
            $"({LimitedWebAppFactory.MaxHiddenLayers})");
    }

    [Fact]
    public async Task Too_many_neurons_is_refused_naming_the_layer_and_the_limit()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(
            await PostAsync(client, "/api/sessions", $"{{\"config\":{{\"layers\":[{{\"units\":2}},{{\"units\":{LimitedWebAppFactory.MaxNeurons + 1}}}]}}}}"),
            HttpStatusCode.BadRequest,
            $"layers[1].units = {LimitedWebAppFactory.MaxNeurons + 1}",
            $"1-{LimitedWebAppFactory.MaxNeurons}");
    }

    [Fact]
    public async Task Too_many_sessions_is_a_429_naming_the_limit_and_a_closed_one_makes_room()
    {
        using var client = factory.CreateClient();
        var ids = new List<string>();
        try
        {
            HttpResponseMessage response;
            while ((response = await PostAsync(client, "/api/sessions", "{\"config\":{}}")).StatusCode == HttpStatusCode.Created)
            {
                ids.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
                Assert.True(ids.Count <= LimitedWebAppFactory.MaxSessions, "More sessions than the limit were opened.");
            }

            await Problems.AssertAsync(response, HttpStatusCode.TooManyRequests, "full", $"{LimitedWebAppFactory.MaxSessions} sessions");
            Assert.NotEmpty(ids);
            await DeleteAsync(client, ids[^1]);
            ids.RemoveAt(ids.Count - 1);
            ids.Add(await CreateAsync(client));
        }
        finally
        {
            foreach (string id in ids)
            {
                await DeleteAsync(client, id);
            }
        }
    }

    [Theory]
    [InlineData("POST", "/api/sessions", true)]
    [InlineData("POST", "/api/sessions", false)]
    [InlineData("POST", "/api/state/parse", true)]
    [InlineData("POST", "/api/state/format", false)]
    [InlineData("PUT", "/api/sessions/{id}/config", true)]
    [InlineData("POST", "/api/sessions/{id}/weight", false)]
    public async Task A_body_over_the_json_cap_is_a_413_naming_the_cap(string method, string path, bool declaresLength)
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client);
        try
        {
            // Valid JSON, only too long: a seed of many spaces before the object closes.
            var body = Encoding.UTF8.GetBytes("{\"hash\":\"\"" + new string(' ', LimitedWebAppFactory.MaxJsonBytes) + "}");
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", id, StringComparison.Ordinal))
            {
                Content = declaresLength ? new ByteArrayContent(body) : new StreamContent(new UnseekableStream(body)),
            };
            request.Content.Headers.ContentType = new("application/json");
            using var response = await client.SendAsync(request);
            await Problems.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, LimitedWebAppFactory.MaxJsonBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), "bytes");
        }
        finally
        {
            await DeleteAsync(client, id);
        }
    }

    [Theory]
    [InlineData("PUT", "config", "{}")]
    [InlineData("POST", "play", null)]
    [InlineData("POST", "pause", null)]
    [InlineData("POST", "step", null)]
    [InlineData("POST", "reset", null)]
    [InlineData("POST", "regenerate", null)]
    [InlineData("POST", "weight", "{\"layer\":0,\"to\":0,\"from\":0,\"value\":1}")]
    [InlineData("DELETE", "", null)]
    public async Task An_unknown_session_is_a_404_saying_so(string method, string command, string? body)
    {
        using var client = factory.CreateClient();
        foreach (string id in new[] { new string('0', 32), "nope", await CreateAndDeleteAsync(client) })
        {
            string path = $"/api/sessions/{id}" + (command.Length > 0 ? "/" + command : "");
            await Problems.AssertAsync(await SendAsync(client, new HttpMethod(method), path, body), HttpStatusCode.NotFound, "session");
        }
    }

    [Fact]
    public async Task An_unknown_session_refuses_its_websocket()
    {
        var ws = factory.Server.CreateWebSocketClient();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ws.ConnectAsync(new Uri($"ws://localhost/api/sessions/{new string('0', 32)}/stream"), CancellationToken.None));
        Assert.Contains("404", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_stream_refuses_a_request_that_is_not_a_websocket()
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client);
        try
        {
            await Problems.AssertAsync(await client.GetAsync($"/api/sessions/{id}/stream"), HttpStatusCode.BadRequest, "WebSocket");
        }
        finally
        {
            await DeleteAsync(client, id);
        }
    }

    /// <summary>Edits of the default network (2 inputs; dense layers of 4, 2 and 1 units) and what the refusal names.</summary>
    [Theory]
    [InlineData("\"layer\":3,\"to\":0,\"from\":0,\"value\":1", "layer 3", "3 weight layers")]
    [InlineData("\"layer\":-1,\"to\":0,\"from\":0,\"value\":1", "layer -1")]
    [InlineData("\"layer\":0,\"to\":4,\"from\":0,\"value\":1", "to = 4", "4 neurons")]
    [InlineData("\"layer\":1,\"to\":-1,\"from\":0,\"value\":1", "to = -1", "2 neurons")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":2,\"value\":1", "from = 2", "2 inputs")]
    [InlineData("\"layer\":1,\"to\":0,\"from\":-2,\"value\":1", "from = -2", "4 inputs")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":0,\"value\":1e7", "value", "1e6")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":0,\"value\":1e400", "value")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":0,\"value\":1e300", "value")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":0", "value")]
    [InlineData("\"layer\":\"0\",\"to\":0,\"from\":0,\"value\":1", "layer")]
    [InlineData("\"layer\":0.5,\"to\":0,\"from\":0,\"value\":1", "layer")]
    [InlineData("\"layer\":0,\"to\":0,\"from\":0,\"value\":\"NaN\"", "value")]
    public async Task A_weight_edit_out_of_range_is_refused_naming_what_is_wrong(string body, params string[] named)
    {
        using var client = factory.CreateClient();
        string id = await CreateAsync(client);
        try
        {
            await Problems.AssertAsync(await PostAsync(client, $"/api/sessions/{id}/weight", "{" + body + "}"), HttpStatusCode.BadRequest, named);
            using var valid = await PostAsync(client, $"/api/sessions/{id}/weight", "{\"layer\":1,\"to\":1,\"from\":-1,\"value\":0.25}");
            Assert.Equal(0.25, JsonDocument.Parse(await valid.Content.ReadAsStringAsync()).RootElement.GetProperty("value").GetDouble());
        }
        finally
        {
            await DeleteAsync(client, id);
        }
    }

    [Theory]
    [InlineData("", "spec")]
    [InlineData("spec=", "spec")]
    [InlineData("spec=swishy", "swishy")]
    [InlineData("spec=leaky_relu:5", "alpha")]
    [InlineData("spec=tanh&from=5&to=-5", "from = 5", "to = -5")]
    [InlineData("spec=tanh&from=1&to=1", "from = 1")]
    [InlineData("spec=tanh&from=abc", "from", "abc")]
    [InlineData("spec=tanh&to=NaN", "to", "NaN")]
    [InlineData("spec=tanh&to=1e400", "to")]
    [InlineData("spec=tanh&from=-1e7&to=1e7", "1e6")]
    [InlineData("spec=tanh&n=1", "n = 1")]
    [InlineData("spec=tanh&n=2002", "n = 2002")]
    [InlineData("spec=tanh&n=1e10", "n = 10000000000")]
    [InlineData("spec=tanh&n=2.5", "n = 2.5")]
    [InlineData("spec=tanh&n=", "n")]
    public async Task A_curve_with_bad_arguments_is_refused_naming_them(string query, params string[] named)
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await client.GetAsync("/api/activations/curve?" + query), HttpStatusCode.BadRequest, named);
    }

    [Fact]
    public async Task A_curve_that_overflows_float_answers_null_where_the_value_is_not_finite()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/api/activations/curve?spec=softplus:beta=1e-40&from=-5&to=5&n=11");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var f = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("f");
        Assert.Equal(11, f.GetArrayLength());
        Assert.All(f.EnumerateArray(), v => Assert.True(v.ValueKind == JsonValueKind.Null || double.IsFinite(v.GetDouble())));
    }

    [Fact]
    public async Task A_session_over_a_table_that_was_never_uploaded_is_refused_naming_it()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(
            await PostAsync(client, "/api/sessions", "{\"config\":{\"dataset\":\"csv\",\"csvId\":\"nope\"}}"), HttpStatusCode.BadRequest, "table 'nope'");
    }

    [Fact]
    public async Task An_unknown_activation_card_is_refused_naming_it()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await client.GetAsync("/api/activations/swishy"), HttpStatusCode.BadRequest, "swishy");
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("null", "null")]
    [InlineData("{\"config\":", "config")]
    [InlineData("[]", "Session")]
    [InlineData("{\"config\":[]}", "config")]
    public async Task A_malformed_body_is_refused_saying_what_is_malformed(string body, string named)
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await PostAsync(client, "/api/sessions", body), HttpStatusCode.BadRequest, named);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body) => SendAsync(client, HttpMethod.Post, path, body);

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }

    private static async Task<string> CreateAsync(HttpClient client)
    {
        using var response = await PostAsync(client, "/api/sessions", "{\"config\":{}}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<string> CreateAndDeleteAsync(HttpClient client)
    {
        string id = await CreateAsync(client);
        await DeleteAsync(client, id);
        return id;
    }

    private static async Task DeleteAsync(HttpClient client, string id)
    {
        using var _ = await client.DeleteAsync($"/api/sessions/{id}");
    }

    /// <summary>A body whose length is not known in advance (sent chunked), so the server cannot refuse it by its header.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
