using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Nonlinear.Web.Tests;

/// <summary>A playground session's frame stream on the test server, read as the page reads it (header, grid bytes, ack).</summary>
internal sealed class PlaygroundStream : IAsyncDisposable
{
    private readonly WebSocket _socket;

    private PlaygroundStream(WebSocket socket) => _socket = socket;

    public static async Task<PlaygroundStream> OpenAsync<T>(WebApplicationFactory<T> factory, string sessionId)
        where T : class
    {
        var client = factory.Server.CreateWebSocketClient();
        var uri = new Uri(factory.Server.BaseAddress, $"api/sessions/{sessionId}/stream");
        var socket = await client.ConnectAsync(new UriBuilder(uri) { Scheme = "ws" }.Uri, CancellationToken.None);
        return new PlaygroundStream(socket);
    }

    /// <summary>The next frame (header and the bytes after it), acknowledged.</summary>
    public async Task<(JsonElement Header, byte[] Grids)> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        if (result.MessageType != WebSocketMessageType.Binary)
        {
            throw new InvalidOperationException($"Expected a binary frame, got {result.MessageType}.");
        }

        var bytes = message.ToArray();
        int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var header = JsonDocument.Parse(bytes.AsMemory(4, n)).RootElement.Clone();
        await _socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"ack\":{header.GetProperty("frame").GetInt64()}}}"), WebSocketMessageType.Text, true, timeout.Token);
        return (header, bytes[(4 + n)..]);
    }

    /// <summary>Frames until one reports at least <paramref name="epoch"/> epochs.</summary>
    public async Task<(JsonElement Header, byte[] Grids)> UntilEpochAsync(int epoch)
    {
        while (true)
        {
            var frame = await NextAsync();
            if (frame.Header.GetProperty("epoch").GetInt32() >= epoch)
            {
                return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}
