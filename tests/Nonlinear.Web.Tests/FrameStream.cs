using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Nonlinear.Web.Tests;

/// <summary>One frame as docs/web-api.md describes it: a uint32 header length, the JSON header, then the grid bytes.</summary>
internal sealed record TestFrame(JsonElement Header, byte[] Grids)
{
    public long Number => Header.GetProperty("frame").GetInt64();

    public long Epoch => Header.GetProperty("epoch").GetInt64();

    public long Updates => Header.GetProperty("updates").GetInt64();

    public string Status => Header.GetProperty("status").GetString()!;

    public string? Error => Header.GetProperty("error").GetString();

    public double? TrainLoss => Header.GetProperty("trainLoss").ValueKind == JsonValueKind.Number ? Header.GetProperty("trainLoss").GetDouble() : null;

    public static TestFrame Decode(byte[] message)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(message));
        using var header = JsonDocument.Parse(message.AsMemory(4, length));
        return new TestFrame(header.RootElement.Clone(), message[(4 + length)..]);
    }
}

/// <summary>
/// A page's side of a session's WebSocket on the test server: a pump receives every message into a queue, so a
/// test can wait for a frame with a timeout without cancelling (and so aborting) the socket's receive.
/// </summary>
internal sealed class FrameStream : IAsyncDisposable
{
    private readonly Channel<TestFrame> _frames = Channel.CreateUnbounded<TestFrame>();
    private readonly Task _pump;

    private FrameStream(WebSocket socket)
    {
        Socket = socket;
        _pump = Task.Run(PumpAsync);
    }

    public WebSocket Socket { get; }

    /// <summary>How the server closed the socket (null while open, or when it was aborted without a close message).</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Whether the socket has ended (closed by the server, or aborted).</summary>
    public bool Ended => _pump.IsCompleted;

    /// <summary>Opens the stream of session <paramref name="id"/> under <paramref name="sessions"/> (the playground's, or "/api/images/sessions").</summary>
    public static async Task<FrameStream> OpenAsync(WebApplicationFactory<Program> factory, string id, string sessions = "/api/sessions")
    {
        var client = factory.Server.CreateWebSocketClient();
        var socket = await client.ConnectAsync(new Uri($"ws://localhost{sessions}/{id}/stream"), CancellationToken.None);
        return new FrameStream(socket);
    }

    /// <summary>The next frame, or null when none comes within <paramref name="timeout"/> or the socket ended.</summary>
    public async Task<TestFrame?> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _frames.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Frames, each acknowledged as the page does, until one satisfies <paramref name="done"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<TestFrame> AckUntilAsync(Func<TestFrame, bool> done, TimeSpan timeout, Action<TestFrame>? each = null)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            var frame = await NextAsync(end - DateTime.UtcNow);
            if (frame is null)
            {
                break;
            }

            each?.Invoke(frame);
            await AckAsync(frame.Number);
            if (done(frame))
            {
                return frame;
            }
        }

        throw new TimeoutException($"No frame met the condition within {timeout.TotalSeconds} s (socket ended: {Ended}).");
    }

    public Task AckAsync(long frame) => SendTextAsync($"{{\"ack\":{frame}}}");

    public Task SendTextAsync(string text) => Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Waits until the socket has ended; false if it is still open after <paramref name="timeout"/>.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout) => await Task.WhenAny(_pump, Task.Delay(timeout)) == _pump;

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
            catch (IOException)
            {
                // The server aborted the socket (a newer page replaced this one).
            }
        }

        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(5)));
        Socket.Dispose();
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    if (result.MessageType == WebSocketMessageType.Binary)
                    {
                        _frames.Writer.TryWrite(TestFrame.Decode(message.ToArray()));
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (WebSocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
