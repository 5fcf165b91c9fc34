using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Nonlinear.Web.Sessions;

/// <summary>
/// A training run that lives on the server for one browser tab: its own background loop trains in short slices at
/// a set pace, runs commands between epochs (so the model is only ever touched by the loop), and builds frames for
/// the page's WebSocket. Training never waits for the page: a frame is built only when the page has answered all
/// but one of the frames sent and the previous one has left; otherwise training goes on and the page gets a newer
/// frame later.
/// </summary>
internal abstract class LiveSession : IDisposable
{
    private const int MaxUnanswered = 2;
    // Training time per turn of the loop before it gives its thread back. Short, because with many sessions at
    // speed 0 every other loop and every request waits in the thread pool's queue behind these turns; a turn costs
    // a few µs.
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(2);

    private readonly Channel<Action> _commands = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    // Not single-reader: a replaced page's sender may still be reading as the newer one starts, and the loop asks the
    // count (which a single-reader channel does not support).
    private readonly Channel<Frame> _outbox = Channel.CreateUnbounded<Frame>();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly FrameWriter _writer = new();
    private readonly Queue<(long Ticks, long Updates)> _rate = new();
    private readonly long _createdTicks = Environment.TickCount64;
    private Task? _loop;
    private volatile bool _frameRequested = true;
    private long _frameNumber;
    private long _lastActivity = Environment.TickCount64;
    private Page? _page;
    private int _disposed;

    protected LiveSession(PlaygroundLimits limits)
    {
        Limits = limits;
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>An unguessable id (128 random bits).</summary>
    public string Id { get; }

    protected PlaygroundLimits Limits { get; }

    /// <summary>Whether a page is connected.</summary>
    public bool HasStream => Volatile.Read(ref _page) is not null;

    /// <summary>The exception that stopped the loop, if one did: the session then answers no command and is swept.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Milliseconds since the last request or stream message.</summary>
    public long IdleMilliseconds => HasStream ? 0 : Environment.TickCount64 - Interlocked.Read(ref _lastActivity);

    /// <summary>Milliseconds since the session was created.</summary>
    public long AgeMilliseconds => Environment.TickCount64 - _createdTicks;

    /// <summary>Whether the loop should train now.</summary>
    protected abstract bool Running { get; }

    /// <summary>Epochs per second while running; 0 or less: as many as the slice allows.</summary>
    protected abstract double EpochsPerSecond { get; }

    /// <summary>Weight updates since the session (re)started: the rate shown on the page comes from it.</summary>
    protected long Updates { get; set; }

    /// <summary>Weight updates per second over the last second.</summary>
    protected double UpdatesPerSecond { get; private set; }

    /// <summary>Starts the loop on the session loops' own threads (<see cref="TrainingScheduler"/>), not the thread pool.</summary>
    public void Start() => _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TrainingScheduler.Shared).Unwrap();

    public void Touch() => Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);

    /// <summary>Runs <paramref name="action"/> on the loop between epochs and returns its result (or its exception).</summary>
    public Task<T> InvokeAsync<T>(Func<T> action)
    {
        Touch();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_commands.Writer.TryWrite(() =>
            {
                if (Failure is not null)
                {
                    done.SetException(Ended());
                    return;
                }

                try
                {
                    done.SetResult(action());
                }
#pragma warning disable CA1031 // The exception goes to the caller, who turns a refusal into a 4xx.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    done.SetException(e);
                }
            }))
        {
            done.SetException(Ended());
        }

        Wake();
        return done.Task;
    }

    private WebRequestException Ended() => WebRequestException.NotFound(Failure is null
        ? "This session has ended; reload the page to start a new one."
        : "This session stopped on an internal error (it has been logged); reload the page to start a new one.");

    /// <summary>Asks for a frame at the next chance, also while paused (after a step, an edit, a reset).</summary>
    protected void RequestFrame() => _frameRequested = true;

    /// <summary>
    /// Trains one epoch (called by the loop while <see cref="Running"/>; internal so that the benchmark can time it
    /// on a session whose loop was never started).
    /// </summary>
    protected internal abstract void TrainEpoch();

    /// <summary>An unexpected failure in a step of the loop (a bug): stop training and say so in the next frame.</summary>
    protected abstract void Fail(Exception error);

    /// <summary>Writes the current state as a frame (called by the loop; the benchmark times it as <see cref="TrainEpoch"/>).</summary>
    protected internal abstract void WriteFrame(FrameWriter writer, long number, double unixMilliseconds);

    /// <summary>Serves the page's WebSocket until it closes; a newer connection replaces an older one.</summary>
    public async Task StreamAsync(WebSocket socket, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(socket);
        CancellationToken stop;
        try
        {
            stop = _stop.Token;
        }
        catch (ObjectDisposedException)
        {
            // The session was closed while the page's WebSocket was being accepted.
            return;
        }

        var page = new Page(socket);
        Interlocked.Exchange(ref _page, page)?.Socket.Abort();
        RequestFrame();
        Wake();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, stop);
        var token = linked.Token;
        var receive = ReceiveAsync(page, token);
        var send = SendAsync(page, token);
        await Task.WhenAny(receive, send).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(receive, send).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The socket was aborted by a newer page or by the end of the session.
        }
        catch (IOException)
        {
            // The connection under the socket broke (the page went away mid-message).
        }

        Interlocked.CompareExchange(ref _page, null, page);
        Touch();
    }

    private async Task ReceiveAsync(Page page, CancellationToken token)
    {
        var socket = page.Socket;
        var buffer = new byte[1024];
        while (socket.State == WebSocketState.Open && !token.IsCancellationRequested)
        {
            var result = await socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (socket.State == WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }

            if (result.MessageType != WebSocketMessageType.Text || !result.EndOfMessage)
            {
                await socket.CloseOutputAsync(
                    result.MessageType != WebSocketMessageType.Text ? WebSocketCloseStatus.InvalidMessageType : WebSocketCloseStatus.MessageTooBig,
                    "Messages to the server are text acknowledgements of at most 1 KB.",
                    CancellationToken.None).ConfigureAwait(false);
                return;
            }

            // Any text message from the page acknowledges one frame: it has been drawn.
            Uncount(page);

            Touch();
            Wake();
        }
    }

    private async Task SendAsync(Page page, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var frame = await _outbox.Reader.ReadAsync(token).ConfigureAwait(false);
            if (frame.Target != page || Volatile.Read(ref _page) != page)
            {
                // The frame was built for another page, or a newer page replaced this one while it waited: the loop
                // builds a fresh frame for the current page. The dropped one no longer counts against its page, or
                // that page would wait forever for a frame it was never sent.
                if (frame.Target is Page target)
                {
                    Uncount(target);
                }

                frame.Release();
                RequestFrame();
                Wake();
                if (Volatile.Read(ref _page) != page)
                {
                    return;
                }

                continue;
            }

            try
            {
                await page.Socket.SendAsync(frame.Memory, WebSocketMessageType.Binary, true, token).ConfigureAwait(false);
            }
            finally
            {
                frame.Release();
            }

            Wake();
        }
    }

    private static void Uncount(Page page)
    {
        if (Interlocked.Decrement(ref page.Unanswered) < 0)
        {
            Interlocked.Exchange(ref page.Unanswered, 0);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        double debt = 0;
        long last = Stopwatch.GetTimestamp();
        long lastFrame = 0;
        long frameInterval = Stopwatch.Frequency / Limits.MaxFramesPerSecond;
        while (!token.IsCancellationRequested)
        {
            double rate = EpochsPerSecond;
            try
            {
                while (_commands.Reader.TryRead(out var command))
                {
                    command();
                }

                long now = Stopwatch.GetTimestamp();
                if (Running)
                {
                    long sliceEnd = now + (long)(Slice.TotalSeconds * Stopwatch.Frequency);
                    if (rate > 0)
                    {
                        // Epochs owed at the set pace; a backlog (the machine was busy) is forgiven beyond a quarter second.
                        debt = Math.Min(debt + (now - last) * rate / Stopwatch.Frequency, rate * 0.25 + 1);
                        while (debt >= 1 && Running && Stopwatch.GetTimestamp() < sliceEnd)
                        {
                            TrainEpoch();
                            debt -= 1;
                        }
                    }
                    else
                    {
                        do
                        {
                            TrainEpoch();
                        }
                        while (Running && Stopwatch.GetTimestamp() < sliceEnd);
                    }

                    MeasureRate();
                }
                else
                {
                    debt = 0;
                }

                last = now;
                now = Stopwatch.GetTimestamp();
                bool wantFrame = _frameRequested || (Running && now - lastFrame >= frameInterval);
                if (wantFrame && Volatile.Read(ref _page) is { } page && Volatile.Read(ref page.Unanswered) < MaxUnanswered && _outbox.Reader.Count == 0)
                {
                    _frameRequested = false;
                    lastFrame = now;
                    long number = ++_frameNumber;
                    _writer.Begin();
                    WriteFrame(_writer, number, UnixMilliseconds());

                    // Counted when queued, not when sent: the loop must not see the frame gone from the queue but
                    // not yet counted, or a third frame would go to a page that answered none.
                    Interlocked.Increment(ref page.Unanswered);
                    var frame = _writer.Finish(number);
                    frame.Target = page;
                    _outbox.Writer.TryWrite(frame);
                }
            }
#pragma warning disable CA1031 // A bug in one step (a kernel, a frame) stops training and is shown on the page; the session stays usable.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                Fail(e);
                RequestFrame();
            }

            TimeSpan wait;
            if (!Running)
            {
                wait = Timeout.InfiniteTimeSpan;
            }
            else if (rate > 0)
            {
                double untilEpoch = Math.Max(0, (1 - debt) / rate);

                // A frame held back by the page (no stream, unanswered frames, one still queued) needs no timer: the
                // page's answer or the send wakes the loop; polling would wake it every millisecond for nothing.
                bool held = Volatile.Read(ref _page) is not { } current || Volatile.Read(ref current.Unanswered) >= MaxUnanswered || _outbox.Reader.Count != 0;
                double untilFrame = held ? double.PositiveInfinity : (double)(lastFrame + frameInterval - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
                wait = TimeSpan.FromSeconds(Math.Max(0.001, Math.Min(untilEpoch, untilFrame)));
            }
            else
            {
                // As fast as possible, but give the thread back between slices so the other sessions' loops take turns.
                await Task.Yield();
                continue;
            }

            try
            {
                // Resumes on the loops' threads (the current scheduler), not on the pool thread that woke it.
                await _wake.WaitAsync(wait, token).ConfigureAwait(true);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

    }

    private async Task RunAsync()
    {
        try
        {
            await LoopAsync().ConfigureAwait(true);
        }
#pragma warning disable CA1031 // A bug in a session must not leave its requests waiting forever: it is kept, logged by the sweep, and the session ends.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Failure = e;
        }

        // From here no command is queued (InvokeAsync answers "ended"); those queued still get their answer.
        _commands.Writer.TryComplete();
        Interlocked.Exchange(ref _page, null)?.Socket.Abort();
        while (_outbox.Reader.TryRead(out var left))
        {
            left.Release();
        }

        while (_commands.Reader.TryRead(out var command))
        {
            command();
        }
    }

    private void MeasureRate()
    {
        long now = Environment.TickCount64;
        _rate.Enqueue((now, Updates));
        while (_rate.Count > 1 && now - _rate.Peek().Ticks > 1000)
        {
            _rate.Dequeue();
        }

        var first = _rate.Peek();
        UpdatesPerSecond = now > first.Ticks ? (Updates - first.Updates) * 1000.0 / (now - first.Ticks) : UpdatesPerSecond;
    }

    /// <summary>Restarts the updates-per-second window (after a reset or a new config).</summary>
    protected void ResetRate()
    {
        _rate.Clear();
        UpdatesPerSecond = 0;
    }

    private static double UnixMilliseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _commands.Writer.TryComplete();
        _stop.Cancel();
        Interlocked.Exchange(ref _page, null)?.Socket.Abort();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
        _wake.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One page's WebSocket and the frames sent to it that it has not answered yet.</summary>
    private sealed class Page(WebSocket socket)
    {
        public int Unanswered;

        public WebSocket Socket { get; } = socket;
    }
}
