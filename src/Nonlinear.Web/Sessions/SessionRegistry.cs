using System.Collections.Concurrent;

namespace Nonlinear.Web.Sessions;

/// <summary>
/// The live sessions: at most <see cref="PlaygroundLimits.MaxSessions"/> at once; idle, too old or failed ones are
/// closed by <see cref="Sweep"/> (run every few seconds by <see cref="SessionSweeper"/>) and their memory freed.
/// </summary>
internal sealed class SessionRegistry(PlaygroundLimits limits, ILogger<SessionRegistry> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Count => _sessions.Count;

    public PlaygroundLimits Limits => limits;

    /// <summary>Adds and starts a session, or refuses (429) when the server is full.</summary>
    public T Add<T>(T session)
        where T : LiveSession
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_gate)
        {
            if (_sessions.Count >= limits.MaxSessions)
            {
                Sweep();
            }

            if (_sessions.Count >= limits.MaxSessions)
            {
                session.Dispose();
                throw new WebRequestException(StatusCodes.Status429TooManyRequests,
                    $"The server is full: {limits.MaxSessions} sessions are open (its limit). Close another playground tab, or wait a few minutes for idle ones to end.");
            }

            _sessions[session.Id] = session;
        }

        // Idle from now, not from when it was constructed: building the data and the network takes a while.
        session.Touch();
        session.Start();
        return session;
    }

    /// <summary>The session of that id and kind, or 404.</summary>
    public T Get<T>(string id)
        where T : LiveSession
    {
        if (id is not null && _sessions.TryGetValue(id, out var s) && s is T typed && typed.Failure is null)
        {
            typed.Touch();
            return typed;
        }

        throw WebRequestException.NotFound("No such session: it ended (idle sessions end after a while) or never existed. Reload the page to start a new one.");
    }

    public bool Remove(string id)
    {
        if (id is not null && _sessions.TryRemove(id, out var s))
        {
            s.Dispose();
            return true;
        }

        return false;
    }

    /// <summary>Closes sessions idle longer than the idle timeout, older than the lifetime, or failed; returns how many.</summary>
    public int Sweep()
    {
        int removed = 0;
        foreach (var (id, s) in _sessions)
        {
            if (s.Failure is { } failure)
            {
                logger.LogError(failure, "Session {Id} stopped on an internal error and was closed.", id);
                removed += Remove(id) ? 1 : 0;
            }
            else if (s.IdleMilliseconds > limits.SessionIdleTimeout.TotalMilliseconds || s.AgeMilliseconds > limits.SessionLifetime.TotalMilliseconds)
            {
                removed += Remove(id) ? 1 : 0;
            }
        }

        return removed;
    }

    public void Dispose()
    {
        foreach (var id in _sessions.Keys)
        {
            Remove(id);
        }
    }
}
