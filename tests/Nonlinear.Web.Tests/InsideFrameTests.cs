using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>What the "inside the network" panel reads from a frame: diagnostics per hidden layer, advice, the collapse.</summary>
public sealed class InsideFrameTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task The_gradient_ratio_is_the_first_hidden_layer_norm_over_the_output_layer_norm()
    {
        var (_, header) = await TrainedFrameAsync(new { activation = "tanh", layers = new[] { new { units = 4 }, new { units = 3 } } }, epochs: 2);
        var diagnostics = header.GetProperty("diagnostics");
        Assert.Equal(2, diagnostics.GetArrayLength());
        double first = diagnostics[0].GetProperty("gradientNorm").GetDouble();
        double output = header.GetProperty("outputGradientNorm").GetDouble();
        Assert.True(output > 0, $"output gradient norm {output}");
        Assert.Equal(first / output, header.GetProperty("gradientRatio").GetDouble(), 1e-9);
    }

    [Theory]
    [InlineData("relu", "deadShare", "saturatedShare")]
    [InlineData("tanh", "saturatedShare", "deadShare")]
    public async Task A_measure_is_a_share_where_the_activation_has_it_and_null_where_it_does_not(string activation, string present, string absent)
    {
        var (_, header) = await TrainedFrameAsync(new { activation }, epochs: 1);
        foreach (var layer in header.GetProperty("diagnostics").EnumerateArray())
        {
            double share = layer.GetProperty(present).GetDouble();
            Assert.InRange(share, 0, 1);
            Assert.Equal(JsonValueKind.Null, layer.GetProperty(absent).ValueKind);
            var pre = layer.GetProperty("preActivation");
            Assert.True(pre.GetProperty("lo").GetDouble() < pre.GetProperty("hi").GetDouble());
            Assert.True(pre.GetProperty("counts").EnumerateArray().Sum(c => c.GetInt64()) > 0);
        }
    }

    [Fact]
    public async Task Dead_unit_advice_names_the_hidden_layer_whose_units_died_as_the_page_numbers_it()
    {
        // ReLU at a learning rate of 3 kills units within a few epochs (the advisor's runtime warning).
        var config = new { activation = "relu", learningRate = 3, layers = new[] { new { units = 8 }, new { units = 8 }, new { units = 4 } } };
        var (_, header) = await TrainedFrameAsync(config, epochs: 5);
        var dead = header.GetProperty("advice").EnumerateArray().Where(a => a.GetProperty("code").GetString() == "dead-units").ToArray();
        Assert.NotEmpty(dead);
        var diagnostics = header.GetProperty("diagnostics");
        foreach (var advice in dead)
        {
            int hidden = advice.GetProperty("hiddenLayer").GetInt32();
            string message = advice.GetProperty("message").GetString()!;
            Assert.True(diagnostics[hidden].GetProperty("deadShare").GetDouble() > 0.5, message);
            Assert.Contains($"hidden layer {hidden + 1} (relu)", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_linear_collapse_advice_of_an_identity_network_points_at_its_first_hidden_layer()
    {
        using var client = factory.CreateClient();
        var view = await CreateAsync(client, new { activation = "identity" });
        var collapse = view.GetProperty("advice").EnumerateArray().Single(a => a.GetProperty("code").GetString() == "linear-collapse");
        Assert.Equal(0, collapse.GetProperty("hiddenLayer").GetInt32());
        Assert.Contains("(hidden layer 1 to the output layer)", collapse.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_identity_network_with_three_classes_collapses_to_one_affine_row_per_class()
    {
        var config = new { activation = "identity", dataset = "spiral", classes = 3, features = new[] { "x", "y", "xSquared" } };
        var (_, header) = await TrainedFrameAsync(config, epochs: 1);
        var collapse = header.GetProperty("collapse");
        var rows = collapse.GetProperty("rows");
        Assert.Equal(3, rows.GetArrayLength());
        foreach (var row in rows.EnumerateArray())
        {
            Assert.Equal(3, row.GetProperty("weights").GetArrayLength());
        }

        Assert.Equal(collapse.GetProperty("bias").GetDouble(), rows[0].GetProperty("bias").GetDouble());
        Assert.Equal(collapse.GetProperty("weights")[2].GetDouble(), rows[0].GetProperty("weights")[2].GetDouble());
    }

    [Fact]
    public async Task A_network_with_a_nonlinear_hidden_activation_does_not_collapse()
    {
        var (_, header) = await TrainedFrameAsync(new { activation = "tanh" }, epochs: 1);
        Assert.Equal(JsonValueKind.Null, header.GetProperty("collapse").ValueKind);
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, object config)
    {
        var response = await client.PostAsJsonAsync("/api/sessions", new { config });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>A session from <paramref name="config"/>, trained <paramref name="epochs"/> epochs by steps, and the header of its next frame.</summary>
    private async Task<(JsonElement View, JsonElement Header)> TrainedFrameAsync(object config, int epochs)
    {
        using var client = factory.CreateClient();
        var view = await CreateAsync(client, config);
        string id = view.GetProperty("id").GetString()!;
        for (int i = 0; i < epochs; i++)
        {
            (await client.PostAsync($"/api/sessions/{id}/step", null)).EnsureSuccessStatusCode();
        }

        var ws = factory.Server.CreateWebSocketClient();
        var address = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = $"/api/sessions/{id}/stream" }.Uri;
        using var socket = await ws.ConnectAsync(address, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var message = new MemoryStream();
        var buffer = new byte[1 << 16];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        var bytes = message.ToArray();
        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 4, n)).RootElement.Clone();
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        (await client.DeleteAsync($"/api/sessions/{id}")).EnsureSuccessStatusCode();
        Assert.Equal(epochs, header.GetProperty("epoch").GetInt32());
        return (view, header);
    }
}
