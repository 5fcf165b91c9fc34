using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The session's WebSocket: frames as docs/web-api.md describes them, flow control by acknowledgements, one page at a time.</summary>
public sealed class StreamTests(LimitedWebAppFactory factory) : IClassFixture<LimitedWebAppFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("{}", "binary")]
    [InlineData("{\"dataset\":\"spiral\",\"classes\":3,\"layers\":[{\"units\":5},{\"units\":3},{\"units\":1}]}", "multiclass")]
    [InlineData("{\"problem\":\"regression\",\"regDataset\":\"reg-gauss\",\"features\":[\"x\",\"y\",\"xSquared\"],\"layers\":[{\"units\":3,\"batchNorm\":true,\"dropout\":0.1}]}", "regression")]
    [InlineData("{\"layers\":[],\"features\":[\"sinX\"]}", "binary")]
    public async Task A_frame_decodes_as_documented(string config, string kind)
    {
        using var client = factory.CreateClient();
        var (id, view) = await CreateAsync(client, config);
        try
        {
            await using var stream = await FrameStream.OpenAsync(factory, id);
            var frame = await stream.NextAsync(Wait) ?? throw new TimeoutException("No first frame.");
            var h = frame.Header;
            foreach (string key in new[] { "frame", "epoch", "updates", "status", "error", "trainLoss", "testLoss", "trainAccuracy", "testAccuracy", "curve", "updatesPerSecond", "time", "output", "neurons", "weights", "diagnostics", "advice", "collapse" })
            {
                Assert.True(h.TryGetProperty(key, out _), $"The header lacks '{key}': {h}");
            }

            Assert.Equal("paused", frame.Status);
            Assert.Equal(0, frame.Epoch);
            Assert.InRange(h.GetProperty("time").GetDouble(), (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds - 60_000, (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds + 1000);
            Assert.Equal(kind == "regression" ? JsonValueKind.Null : JsonValueKind.Number, h.GetProperty("trainAccuracy").ValueKind);
            Assert.Equal(0, h.GetProperty("curve")[0][0].GetInt32());
            var output = h.GetProperty("output");
            Assert.Equal(kind, output.GetProperty("kind").GetString());
            Assert.True(output.GetProperty("lo").GetDouble() <= output.GetProperty("hi").GetDouble());

            // The network as the view describes it: units per hidden layer, then the output layer.
            var network = view.GetProperty("network");
            int[] units = [.. network.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("units").GetInt32()), network.GetProperty("outputs").GetInt32()];
            int inputs = network.GetProperty("features").GetArrayLength();
            var weights = h.GetProperty("weights");
            Assert.Equal(units.Length, weights.GetArrayLength());
            for (int l = 0; l < units.Length; l++)
            {
                var w = weights[l].GetProperty("w");
                Assert.Equal(units[l], w.GetArrayLength());
                Assert.All(w.EnumerateArray(), row => Assert.Equal(l == 0 ? inputs : units[l - 1], row.GetArrayLength()));
                Assert.Equal(units[l], weights[l].GetProperty("b").GetArrayLength());
            }

            var neurons = h.GetProperty("neurons");
            Assert.Equal(units[..^1].Sum(), neurons.GetArrayLength());
            int i = 0;
            for (int l = 0; l < units.Length - 1; l++)
            {
                for (int u = 0; u < units[l]; u++, i++)
                {
                    Assert.Equal(l, neurons[i].GetProperty("layer").GetInt32());
                    Assert.Equal(u, neurons[i].GetProperty("unit").GetInt32());
                    Assert.True(neurons[i].GetProperty("lo").GetDouble() <= neurons[i].GetProperty("hi").GetDouble());
                }
            }

            // The grids after the header: the output (two planes for multiclass), then one thumbnail per neuron.
            int grid = view.GetProperty("grid").GetInt32(), thumb = view.GetProperty("thumb").GetInt32();
            int planes = kind == "multiclass" ? 2 : 1;
            Assert.Equal(planes * grid * grid + neurons.GetArrayLength() * thumb * thumb, frame.Grids.Length);
            if (kind == "multiclass")
            {
                Assert.All(frame.Grids.Take(grid * grid), c => Assert.InRange(c, 0, 2));
            }

            // After one epoch: the diagnostics of every hidden layer, and the curve's new point.
            await stream.AckAsync(frame.Number);
            await PostAsync(client, $"/api/sessions/{id}/step");
            var stepped = await stream.AckUntilAsync(f => f.Epoch == 1, Wait);
            var diagnostics = stepped.Header.GetProperty("diagnostics");
            Assert.Equal(units.Length - 1, diagnostics.GetArrayLength());
            Assert.All(diagnostics.EnumerateArray(), layer => Assert.True(layer.TryGetProperty("gradientNorm", out _) && layer.TryGetProperty("preActivation", out _), layer.ToString()));
            Assert.Equal(1, stepped.Header.GetProperty("curve").EnumerateArray().Last()[0].GetInt32());
        }
        finally
        {
            await DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Without_acknowledgements_at_most_two_frames_are_sent_while_training_goes_on()
    {
        using var client = factory.CreateClient();
        var (id, _) = await CreateAsync(client, "{\"speed\":16}");
        try
        {
            await using var stream = await FrameStream.OpenAsync(factory, id);
            var first = await stream.NextAsync(Wait) ?? throw new TimeoutException("No first frame.");
            await PostAsync(client, $"/api/sessions/{id}/play");
            var second = await stream.NextAsync(Wait) ?? throw new TimeoutException("No second frame.");
            Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(800)));

            await stream.AckAsync(first.Number);
            var third = await stream.NextAsync(Wait) ?? throw new TimeoutException("No frame after the acknowledgement.");
            Assert.Equal(second.Number + 1, third.Number);
            Assert.True(third.Updates > second.Updates, $"Training stood still while the page was silent: {second.Updates} then {third.Updates} updates.");
            Assert.Null(await stream.NextAsync(TimeSpan.FromMilliseconds(300)));
            await stream.AckAsync(second.Number);
            await stream.AckAsync(third.Number);
            var later = await stream.AckUntilAsync(f => f.Updates > third.Updates, Wait);
            Assert.Equal("running", later.Status);
        }
        finally
        {
            await DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task A_newer_connection_replaces_the_older_one()
    {
        using var client = factory.CreateClient();
        var (id, _) = await CreateAsync(client, "{}");
        try
        {
            await using var older = await FrameStream.OpenAsync(factory, id);
            Assert.NotNull(await older.NextAsync(Wait));
            await using var newer = await FrameStream.OpenAsync(factory, id);
            Assert.NotNull(await newer.NextAsync(Wait));
            Assert.True(await older.EndsWithinAsync(Wait), "The older connection is still open.");

            for (int step = 1; step <= 3; step++)
            {
                await PostAsync(client, $"/api/sessions/{id}/step");
                var frame = await newer.AckUntilAsync(f => f.Epoch == step, Wait);
                Assert.Equal("paused", frame.Status);
            }
        }
        finally
        {
            await DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    [Theory]
    [InlineData(WebSocketMessageType.Binary, 8)]
    [InlineData(WebSocketMessageType.Binary, 5000)]
    [InlineData(WebSocketMessageType.Text, 2000)]
    [InlineData(WebSocketMessageType.Text, 100_000)]
    public async Task A_garbage_message_closes_the_socket_without_hurting_the_session(WebSocketMessageType type, int length)
    {
        using var client = factory.CreateClient();
        var (id, _) = await CreateAsync(client, "{}");
        try
        {
            await using (var stream = await FrameStream.OpenAsync(factory, id))
            {
                Assert.NotNull(await stream.NextAsync(Wait));
                var junk = new byte[length];
                new Random(length).NextBytes(junk);
                if (type == WebSocketMessageType.Text)
                {
                    junk = Encoding.UTF8.GetBytes(new string('{', length));
                }

                await stream.Socket.SendAsync(junk, type, true, CancellationToken.None);
                Assert.True(await stream.EndsWithinAsync(Wait), "The server kept a socket open after a garbage message.");
                Assert.Contains(stream.CloseStatus, new WebSocketCloseStatus?[] { WebSocketCloseStatus.InvalidMessageType, WebSocketCloseStatus.MessageTooBig });
            }

            using var step = await PostAsync(client, $"/api/sessions/{id}/step");
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
            await using var again = await FrameStream.OpenAsync(factory, id);
            Assert.Equal(1, (await again.AckUntilAsync(f => f.Epoch == 1, Wait)).Epoch);
        }
        finally
        {
            await DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Closing_a_session_closes_its_stream_and_racing_pages_do_no_harm()
    {
        using var client = factory.CreateClient();
        var (id, _) = await CreateAsync(client, "{\"speed\":0}");
        await using (var stream = await FrameStream.OpenAsync(factory, id))
        {
            await PostAsync(client, $"/api/sessions/{id}/play");
            await stream.AckUntilAsync(f => f.Status == "running", Wait);
            using var deleted = await client.DeleteAsync($"/api/sessions/{id}");
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.True(await stream.EndsWithinAsync(Wait), "The closed session's stream is still open.");
        }

        // Pages connecting, replacing each other and acknowledging while the session is played and closed.
        for (int round = 0; round < 4; round++)
        {
            (id, _) = await CreateAsync(client, "{\"speed\":16}");
            var pages = Enumerable.Range(0, 3).Select(async _ =>
            {
                try
                {
                    await using var page = await FrameStream.OpenAsync(factory, id);
                    for (int i = 0; i < 3 && await page.NextAsync(TimeSpan.FromMilliseconds(200)) is { } frame; i++)
                    {
                        await page.AckAsync(frame.Number);
                    }
                }
                catch (InvalidOperationException e) when (e.Message.Contains("404", StringComparison.Ordinal))
                {
                    // The session was closed before this page connected.
                }
                catch (IOException)
                {
                    // The server aborted this page's socket (replaced, or the session closed) as it acknowledged.
                }
            }).ToList();
            using var play = await client.PostAsync($"/api/sessions/{id}/play", null);
            await Task.Delay(round * 50);
            await DeleteAsync(client, id);
            await Task.WhenAll(pages);
        }

        Assert.Equal(0, JsonDocument.Parse(await client.GetStringAsync("/api/health")).RootElement.GetProperty("sessions").GetInt32());
        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task The_loss_on_circle_with_tanh_falls_over_a_few_hundred_epochs()
    {
        using var client = factory.CreateClient();
        var (id, _) = await CreateAsync(client, "{\"dataset\":\"circle\",\"activation\":\"tanh\",\"speed\":0}");
        try
        {
            await using var stream = await FrameStream.OpenAsync(factory, id);
            var first = await stream.NextAsync(Wait) ?? throw new TimeoutException("No first frame.");
            await stream.AckAsync(first.Number);
            await PostAsync(client, $"/api/sessions/{id}/play");
            var epochs = new List<int>();
            var last = await stream.AckUntilAsync(f => f.Epoch >= 300, Wait, f => epochs.AddRange(f.Header.GetProperty("curve").EnumerateArray().Select(p => p[0].GetInt32())));
            await PostAsync(client, $"/api/sessions/{id}/pause");

            Assert.True(last.TrainLoss < first.TrainLoss / 2, $"The training loss went from {first.TrainLoss} to {last.TrainLoss} in {last.Epoch} epochs.");
            Assert.True(last.Header.GetProperty("trainAccuracy").GetDouble() > 0.9, $"Train accuracy {last.Header.GetProperty("trainAccuracy")} after {last.Epoch} epochs.");
            // The curve comes in pieces, each point once, epochs rising.
            Assert.True(epochs.Zip(epochs.Skip(1)).All(p => p.First < p.Second), "Curve epochs repeat or go back: " + string.Join(",", epochs));
        }
        finally
        {
            await DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    internal static async Task<(string Id, JsonElement View)> CreateAsync(HttpClient client, string config)
    {
        using var content = new StringContent("{\"config\":" + config + "}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/sessions", content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var view = JsonDocument.Parse(body).RootElement.Clone();
        return (view.GetProperty("id").GetString()!, view);
    }

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path)
    {
        var response = await client.PostAsync(path, null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response;
    }

    internal static async Task DeleteAsync(HttpClient client, string id)
    {
        using var _ = await client.DeleteAsync($"/api/sessions/{id}");
    }
}
