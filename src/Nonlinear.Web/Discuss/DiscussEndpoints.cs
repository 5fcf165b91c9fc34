using System.Globalization;
using System.Text;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learners;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Discuss;

/// <summary>
/// The discussion board (<c>/api/discuss/...</c>, docs/learn-api.md "Discussion"): boards "general" and one per module,
/// threads newest first, posts as Markdown rendered on the server, the instructor's hide and delete. Every call needs a
/// signed-in learner; hiding and deleting need the instructor.
/// </summary>
internal static class DiscussEndpoints
{
    /// <summary>What readers other than the author and the instructor see instead of a hidden thread's title.</summary>
    public const string HiddenTitle = "This thread was hidden by the instructor.";

    private const string GeneralBoard = "general";

    public static void MapDiscuss(this WebApplication web)
    {
        var limits = new DiscussLimits();
        web.Configuration.GetSection(DiscussLimits.Section).Bind(limits);
        limits.Validate();
        var store = new DiscussStore(web.Services.GetRequiredService<LearnDatabase>());
        var renderer = new PostRenderer(web.Services.GetRequiredService<PlaygroundLimits>(), limits);
        var rate = new PostRateLimit(limits, web.Services.GetService<TimeProvider>() ?? TimeProvider.System);
        string[] boards = [GeneralBoard, .. web.Services.GetRequiredService<Course>().Modules.Select(m => m.Id)];

        var app = web.MapGroup("/api/discuss").WithRefusals();

        app.MapGet("/threads", (HttpContext context, string? board, string? before) =>
        {
            var who = context.RequireLearner();
            string name = Board(board, boards);
            long cursor = long.MaxValue;
            if (!string.IsNullOrEmpty(before) && (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out cursor) || cursor <= 0))
            {
                throw WebRequestException.BadRequest($"before = '{Shorten(before)}' is not a thread id: expected a positive whole number (the id of the oldest thread shown).");
            }

            var threads = store.Threads(name, cursor, limits.ThreadsPerPage);
            return Results.Json(threads.Select(t => Summary(t, who)), WebJson.Options);
        });

        app.MapPost("/threads", async (HttpContext context) =>
        {
            var who = context.RequireLearner();
            var request = await RequestBody.ReadAsync<NewThreadRequest>(context.Request, limits.MaxRequestBytes).ConfigureAwait(false);
            string board = Board(request.Board, boards);
            string title = Title(request.Title, limits);
            string body = Body(request.Body, limits);
            TakeTurn(context, rate, who, limits);
            long id = store.CreateThread(board, title, body, who.LearnerId);
            return Results.Json(ThreadView(store, renderer, context, id, who), WebJson.Options);
        });

        app.MapGet("/threads/{id:long}", (HttpContext context, long id) =>
        {
            var who = context.RequireLearner();
            return Results.Json(ThreadView(store, renderer, context, id, who), WebJson.Options);
        });

        app.MapPost("/threads/{id:long}/posts", async (HttpContext context, long id) =>
        {
            var who = context.RequireLearner();
            var request = await RequestBody.ReadAsync<PostRequest>(context.Request, limits.MaxRequestBytes).ConfigureAwait(false);
            string body = Body(request.Body, limits);
            // A missing thread is a 404 before the post counts against the learner's rate.
            _ = store.Find(id) ?? throw NoThread(id);
            TakeTurn(context, rate, who, limits);
            var post = store.Reply(id, who.LearnerId, body, who.IsInstructor) ?? throw NoThread(id);
            return Results.Json(PostView(post, renderer, PostOrigin.Of(context.Request), who), WebJson.Options);
        });

        app.MapPost("/preview", async (HttpContext context) =>
        {
            context.RequireLearner();
            var request = await RequestBody.ReadAsync<PostRequest>(context.Request, limits.MaxRequestBytes).ConfigureAwait(false);
            string body = Body(request.Body, limits);
            return Results.Json(new { html = renderer.Render(body, PostOrigin.Of(context.Request)) }, WebJson.Options);
        });

        app.MapPut("/posts/{id:long}/hidden", async (HttpContext context, long id) =>
        {
            context.RequireInstructor();
            var request = await RequestBody.ReadAsync<HiddenRequest>(context.Request, limits.MaxRequestBytes).ConfigureAwait(false);
            bool hidden = request.Hidden ?? throw WebRequestException.BadRequest("Give {\"hidden\": true} to hide the post or {\"hidden\": false} to show it again.");
            if (!store.SetHidden(id, hidden))
            {
                throw NoPost(id);
            }

            return Results.Json(new { id, hidden }, WebJson.Options);
        });

        app.MapDelete("/posts/{id:long}", (HttpContext context, long id) =>
        {
            context.RequireInstructor();
            var deleted = store.Delete(id) ?? throw NoPost(id);
            return Results.Json(new { id, thread = deleted.ThreadId, threadDeleted = deleted.ThreadDeleted }, WebJson.Options);
        });
    }

    private static object ThreadView(DiscussStore store, PostRenderer renderer, HttpContext context, long id, SignedIn who)
    {
        var (thread, posts) = store.Thread(id) ?? throw NoThread(id);
        var origin = PostOrigin.Of(context.Request);
        return new
        {
            id = thread.Id,
            board = thread.Board,
            title = Shows(thread.Hidden, thread.LearnerId, who) ? thread.Title : HiddenTitle,
            author = thread.Author,
            created = thread.Created,
            hidden = thread.Hidden,
            posts = posts.Select(p => PostView(p, renderer, origin, who)).ToList(),
        };
    }

    private static object Summary(DiscussThread thread, SignedIn who) => new
    {
        id = thread.Id,
        board = thread.Board,
        title = Shows(thread.Hidden, thread.LearnerId, who) ? thread.Title : HiddenTitle,
        author = thread.Author,
        created = thread.Created,
        posts = thread.Posts,
        hidden = thread.Hidden,
    };

    /// <summary>
    /// A post as <paramref name="who"/> sees it: a hidden post keeps its HTML for the instructor and its author (the
    /// page marks it), and has none (html null) for everyone else.
    /// </summary>
    private static object PostView(DiscussPost post, PostRenderer renderer, PostOrigin origin, SignedIn who) => new
    {
        id = post.Id,
        author = post.Author,
        created = post.Created,
        html = Shows(post.Hidden, post.LearnerId, who) ? renderer.Render(post.Id, post.Body, origin) : null,
        hidden = post.Hidden,
    };

    private static bool Shows(bool hidden, long authorId, SignedIn who) => !hidden || who.IsInstructor || who.LearnerId == authorId;

    private static void TakeTurn(HttpContext context, PostRateLimit rate, SignedIn who, DiscussLimits limits)
    {
        if (rate.Take(who.LearnerId) is not { } wait)
        {
            return;
        }

        int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        throw new WebRequestException(
            StatusCodes.Status429TooManyRequests,
            $"Slow down: at most {limits.PostsPerWindow} posts {Per(limits.PostWindow)} each. Wait {seconds} s before posting again (your text is still in the form).");
    }

    private static string Per(TimeSpan window) =>
        window == TimeSpan.FromMinutes(1) ? "a minute"
        : window.TotalSeconds >= 1 ? $"per {window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
        : $"per {window.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms";

    private static string Board(string? board, string[] boards)
    {
        string name = (board ?? "").Trim();
        if (name.Length == 0)
        {
            throw WebRequestException.BadRequest($"Name a board: {string.Join(", ", boards)}.");
        }

        return boards.FirstOrDefault(b => string.Equals(b, name, StringComparison.OrdinalIgnoreCase))
            ?? throw WebRequestException.BadRequest($"There is no board '{Shorten(name)}'; the boards are {string.Join(", ", boards)}.");
    }

    /// <summary>A title: one line of 1..MaxTitleLength characters (code points), surrounding whitespace trimmed.</summary>
    private static string Title(string? title, DiscussLimits limits)
    {
        string clean = Text(title, "title", limits.MaxTitleLength);
        if (clean.Any(char.IsControl))
        {
            throw WebRequestException.BadRequest("A title is one line of text: no line breaks, tabs or control characters.");
        }

        return clean;
    }

    /// <summary>
    /// A post's Markdown: 1..MaxBodyLength characters (code points) once trimmed. What is stored keeps the first line's
    /// indentation (it means something in Markdown) and drops blank lines around the text.
    /// </summary>
    private static string Body(string? body, DiscussLimits limits)
    {
        Text(body, "post", limits.MaxBodyLength);
        string text = body!.TrimEnd();
        int start = 0;
        for (int i = 0; i < text.Length && char.IsWhiteSpace(text[i]); i++)
        {
            if (text[i] == '\n')
            {
                start = i + 1;
            }
        }

        return text[start..];
    }

    private static string Text(string? value, string what, int max)
    {
        string clean = (value ?? "").Trim();
        if (clean.Length == 0)
        {
            throw WebRequestException.BadRequest($"The {what} is empty: write 1-{max} characters.");
        }

        int count = 0;
        for (int i = 0; i < clean.Length; i++)
        {
            if (char.IsHighSurrogate(clean[i]) && i + 1 < clean.Length && char.IsLowSurrogate(clean[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(clean[i]))
            {
                throw WebRequestException.BadRequest($"The {what} holds a broken character (an unpaired UTF-16 surrogate at {i}).");
            }

            count++;
        }

        if (count > max)
        {
            throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, $"A {what} has at most {max} characters; this one has {count}. Nothing was saved.");
        }

        return clean;
    }

    private static WebRequestException NoThread(long id) => WebRequestException.NotFound($"There is no thread {id} (it may have been deleted).");

    private static WebRequestException NoPost(long id) => WebRequestException.NotFound($"There is no post {id} (it may have been deleted).");

    private static string Shorten(string text)
    {
        var shown = new StringBuilder();
        foreach (char c in text.Take(40))
        {
            shown.Append(char.IsControl(c) ? '?' : c);
        }

        return text.Length > 40 ? shown + "…" : shown.ToString();
    }

    private sealed record NewThreadRequest(string? Board, string? Title, string? Body);

    private sealed record PostRequest(string? Body);

    private sealed record HiddenRequest(bool? Hidden);
}
