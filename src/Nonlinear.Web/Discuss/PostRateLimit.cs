namespace Nonlinear.Web.Discuss;

/// <summary>
/// At most <see cref="DiscussLimits.PostsPerWindow"/> posts per learner in any <see cref="DiscussLimits.PostWindow"/>
/// (a sliding window of the learner's last post times). Memory is bounded: at most
/// <see cref="DiscussLimits.MaxTrackedPosters"/> learners are remembered, and learners with no post inside the window
/// are forgotten first.
/// </summary>
internal sealed class PostRateLimit(DiscussLimits limits, TimeProvider clock)
{
    private readonly Dictionary<long, Queue<DateTimeOffset>> _recent = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// Counts a post by <paramref name="learnerId"/> now and returns null, or returns how long to wait (counting nothing)
    /// when the learner has used up the window.
    /// </summary>
    public TimeSpan? Take(long learnerId)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_recent.TryGetValue(learnerId, out var times))
            {
                if (_recent.Count >= limits.MaxTrackedPosters)
                {
                    Sweep(now);
                }

                if (_recent.Count >= limits.MaxTrackedPosters)
                {
                    // Every remembered learner posted within the window: a newcomer waits for the oldest to expire.
                    var oldest = _recent.Values.Min(q => q.Peek());
                    return Positive(oldest + limits.PostWindow - now);
                }

                times = new Queue<DateTimeOffset>(limits.PostsPerWindow);
                _recent[learnerId] = times;
            }

            while (times.Count > 0 && now - times.Peek() >= limits.PostWindow)
            {
                times.Dequeue();
            }

            if (times.Count >= limits.PostsPerWindow)
            {
                return Positive(times.Peek() + limits.PostWindow - now);
            }

            times.Enqueue(now);
            return null;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (learner, times) in _recent)
        {
            if (times.Count == 0 || now - times.Last() >= limits.PostWindow)
            {
                _recent.Remove(learner);
            }
        }
    }

    private static TimeSpan Positive(TimeSpan wait) => wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1);
}
