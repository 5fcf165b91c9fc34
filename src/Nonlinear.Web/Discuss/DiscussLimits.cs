namespace Nonlinear.Web.Discuss;

/// <summary>
/// Caps of the discussion board, configurable in the section "Nonlinear:Limits:Discuss" (e.g.
/// <c>Nonlinear__Limits__Discuss__PostsPerWindow=10</c>). Lengths count Unicode code points (an emoji is one character, as a
/// reader counts it), after trimming surrounding whitespace.
/// </summary>
public sealed class DiscussLimits
{
    /// <summary>The configuration section these caps are read from.</summary>
    public const string Section = "Nonlinear:Limits:Discuss";

    /// <summary>Characters of a thread's title.</summary>
    public int MaxTitleLength { get; set; } = 120;

    /// <summary>Characters of a post's Markdown.</summary>
    public int MaxBodyLength { get; set; } = 8000;

    /// <summary>
    /// Bytes of a request body: room for a full title and post even when every character is an emoji written as two
    /// JSON escapes (<c>\uD83D\uDE00</c>, 12 bytes), as .NET's serializer writes them.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 128 * 1024;

    /// <summary>Posts (new threads and replies) one learner may write within <see cref="PostWindow"/>.</summary>
    public int PostsPerWindow { get; set; } = 6;

    /// <summary>The sliding window of <see cref="PostsPerWindow"/>.</summary>
    public TimeSpan PostWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Learners whose recent posts are remembered for the rate limit at once (each costs a few timestamps; entries
    /// older than the window are dropped first). Beyond it new posters wait, so memory stays bounded.
    /// </summary>
    public int MaxTrackedPosters { get; set; } = 10_000;

    /// <summary>Threads in one page of a board's list (newest first; older ones with <c>before</c>).</summary>
    public int ThreadsPerPage { get; set; } = 50;

    /// <summary>Rendered posts kept in memory (a post's Markdown never changes, so its HTML is rendered once per host).</summary>
    public int MaxRenderedPosts { get; set; } = 4000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first cap that is not positive.</summary>
    public void Validate()
    {
        Positive(MaxTitleLength, nameof(MaxTitleLength));
        Positive(MaxBodyLength, nameof(MaxBodyLength));
        Positive(MaxRequestBytes, nameof(MaxRequestBytes));
        Positive(PostsPerWindow, nameof(PostsPerWindow));
        Positive(MaxTrackedPosters, nameof(MaxTrackedPosters));
        Positive(ThreadsPerPage, nameof(ThreadsPerPage));
        Positive(MaxRenderedPosts, nameof(MaxRenderedPosts));
        if (PostWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The discussion limit {nameof(PostWindow)} must be positive; found {PostWindow}.");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"The discussion limit {name} must be positive; found {value}.");
        }
    }
}
