using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Nonlinear.Web;
using Nonlinear.Web.Playground;

namespace Nonlinear.Benchmarks;

/// <summary>
/// One simulated playground page, talking to the server as wwwroot's page does (docs/web-api.md): it creates a
/// session, opens its stream, presses play, and for every frame decodes the header, "draws" for a set time and
/// answers <c>{"ack": n}</c>. It records what the learner would see during a measuring window: frames received,
/// weight updates done, and how old each frame's weights were when the frame arrived.
/// </summary>
internal sealed class PlaygroundPage : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ClientWebSocket _socket = new();
    private readonly List<double> _latencies = [];
    private readonly List<int> _sizes = [];
    private long _firstTicks = -1, _lastTicks = -1;
    private long _firstUpdates, _lastUpdates;

    private PlaygroundPage(HttpClient http, string id)
    {
        _http = http;
        Id = id;
    }

    public string Id { get; }

    /// <summary>Frames received inside the window.</summary>
    public int Frames => _latencies.Count;

    /// <summary>Receive time minus the header's <c>time</c> (ms) of every frame inside the window.</summary>
    public IReadOnlyList<double> Latencies => _latencies;

    /// <summary>Bytes of every frame inside the window.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>Frames whose status was "diverged" (training stopped: the numbers would not be comparable).</summary>
    public int Diverged { get; private set; }

    /// <summary>Weight updates per second between the first and the last frame inside the window.</summary>
    public double UpdatesPerSecond => _lastTicks > _firstTicks
        ? (_lastUpdates - _firstUpdates) * (double)Stopwatch.Frequency / (_lastTicks - _firstTicks)
        : 0;

    /// <summary>Creates a session with <paramref name="config"/> and opens its stream (paused until <see cref="PlayAsync"/>).</summary>
    public static async Task<PlaygroundPage> OpenAsync(HttpClient http, PlaygroundConfig config, CancellationToken token)
    {
        using var created = await http.PostAsJsonAsync("api/sessions", new { config }, WebJson.Options, token).ConfigureAwait(false);
        string body = await created.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/sessions answered {(int)created.StatusCode}: {body}");
        }

        using var view = JsonDocument.Parse(body);
        var page = new PlaygroundPage(http, view.RootElement.GetProperty("id").GetString()!);
        var ws = new UriBuilder(http.BaseAddress!) { Scheme = "ws", Path = $"/api/sessions/{page.Id}/stream" }.Uri;
        await page._socket.ConnectAsync(ws, token).ConfigureAwait(false);
        return page;
    }

    public async Task PlayAsync(CancellationToken token)
    {
        using var answer = await _http.PostAsync(new Uri($"api/sessions/{Id}/play", UriKind.Relative), null, token).ConfigureAwait(false);
        answer.EnsureSuccessStatusCode();
    }

    /// <summary>Receives, draws and acknowledges frames until <paramref name="token"/> is cancelled; records those that arrive inside the window.</summary>
    public async Task RunAsync(MeasuringWindow window, TimeSpan draw, CancellationToken token)
    {
        var buffer = new byte[256 * 1024];
        var ack = new byte[32];
        try
        {
            while (!token.IsCancellationRequested)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                long ticks = Stopwatch.GetTimestamp();
                double received = UnixMilliseconds();
                var header = FrameHeader.Read(buffer.AsSpan(0, length));
                if (window.Contains(ticks))
                {
                    Record(header, ticks, received, length);
                }

                // The page draws the frame (canvas work in the browser; here only time passes, so the simulated
                // page does not take CPU from the server it measures), then acknowledges it.
                if (draw > TimeSpan.Zero)
                {
                    await Task.Delay(draw, token).ConfigureAwait(false);
                }

                int n = Encoding.UTF8.GetBytes($"{{\"ack\":{header.Frame}}}", ack);
                await _socket.SendAsync(ack.AsMemory(0, n), WebSocketMessageType.Text, true, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException) when (token.IsCancellationRequested)
        {
        }
    }

    private void Record(FrameHeader header, long ticks, double received, int length)
    {
        if (_firstTicks < 0)
        {
            _firstTicks = ticks;
            _firstUpdates = header.Updates;
        }

        _lastTicks = ticks;
        _lastUpdates = header.Updates;
        _latencies.Add(received - header.Time);
        _sizes.Add(length);
        if (header.Status == "diverged")
        {
            Diverged++;
        }
    }

    private static double UnixMilliseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", quick.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var deleted = await _http.DeleteAsync(new Uri($"api/sessions/{Id}", UriKind.Relative), quick.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
    }

    /// <summary>The header fields the load test needs, read the way the page reads them (the whole header is parsed).</summary>
    private readonly record struct FrameHeader(long Frame, long Updates, double Time, string? Status)
    {
        public static FrameHeader Read(ReadOnlySpan<byte> message)
        {
            int n = (int)BinaryPrimitives.ReadUInt32LittleEndian(message);
            var reader = new Utf8JsonReader(message.Slice(4, n));
            long frame = 0, updates = 0;
            double time = double.NaN;
            string? status = null;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "frame":
                        frame = reader.GetInt64();
                        break;
                    case "updates":
                        updates = reader.GetInt64();
                        break;
                    case "time":
                        time = reader.GetDouble();
                        break;
                    case "status":
                        status = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            return new FrameHeader(frame, updates, time, status);
        }
    }
}
