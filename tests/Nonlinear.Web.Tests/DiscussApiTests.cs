using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The discussion board's API: posts rendered without anything executable, text stored verbatim, size and rate limits,
/// hidden and deleted posts per role, playground links.
/// </summary>
public sealed class DiscussApiTests
{
    /// <summary>
    /// Attempts to run script through a post: (what it tries, the Markdown, text the reader must still see). Raw HTML
    /// must show as text; a link with a forbidden target must show its text without the link.
    /// </summary>
    public static readonly (string Name, string Markdown, string Shown)[] XssPayloads =
    [
        ("script element", "<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("img onerror", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("svg onload", "<svg onload=alert(1)>", "<svg onload=alert(1)>"),
        ("javascript link", "[click me](javascript:alert(1))", "click me"),
        ("javascript autolink", "<javascript:alert(1)>", "javascript:alert(1)"),
        ("data:text/html link", "[x1](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x1"),
        ("entity-encoded colon", "[x2](javascript&#58;alert(1))", "x2"),
        ("entity-encoded letter", "[x3](&#106;avascript:alert(1))", "x3"),
        ("entity-encoded tab in scheme", "[x4](java&#x09;script:alert(1))", "x4"),
        ("entity-encoded newline in scheme", "[x5](java&#x0A;script:alert(1))", "x5"),
        ("tab in angle destination", "[x6](<java\tscript:alert(1)>)", "x6"),
        ("leading control character", "[x7](<\u0001javascript:alert(1)>)", "x7"),
        ("mixed-case scheme", "[x8](JaVaScRiPt:alert(1))", "x8"),
        ("html comment", "<!-- <script>alert(1)</script> -->", "<!-- <script>alert(1)</script> -->"),
        ("iframe", "<iframe src=\"javascript:alert(1)\"></iframe>", "<iframe src=\"javascript:alert(1)\"></iframe>"),
        ("style attribute with url()", "<div style=\"background:url(javascript:alert(1))\">x</div>", "<div style=\"background:url(javascript:alert(1))\">"),
        ("style expression", "<p style=\"width: expression(alert(1))\">y</p>", "<p style=\"width: expression(alert(1))\">"),
        ("style element", "<style>body{display:none}</style>", "<style>body{display:none}</style>"),
        ("image with onerror in its title", "![pic](http://example.com/a.png \"\\\" onerror=\\\"alert(1)\")", "[image: pic]"),
        ("image with javascript source", "![pic2](javascript:alert(1))", "[image: pic2]"),
        ("image with data svg", "![pic3](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "[image: pic3]"),
        ("attribute breakout", "\"><script>alert(1)</script>", "\"><script>alert(1)</script>"),
        ("quote in autolink", "<http://example.com/\"onmouseover=\"alert(1)>", "http://example.com/\"onmouseover=\"alert(1)"),
        ("reference-style javascript link", "[x9][evil]\n\n[evil]: javascript:alert(1)", "x9"),
        ("reference-style with title", "[x10][e2]\n\n[e2]: <JAVASCRIPT:alert(1)> \"t\"", "x10"),
        ("vbscript link", "[x11](vbscript:msgbox(1))", "x11"),
        ("file link", "[x12](file:///etc/passwd)", "x12"),
        ("raw anchor", "<a href=\"javascript:alert(1)\">x13</a>", "<a href=\"javascript:alert(1)\">x13</a>"),
        ("html inside emphasis", "**<img src=x onerror=alert(1)>**", "<img src=x onerror=alert(1)>"),
        ("html as link text", "[<img src=x onerror=alert(1)>](javascript:alert(1))", "<img src=x onerror=alert(1)>"),
        ("split tag", "<scr<script>ipt>alert(1)</script>", "<scr<script>ipt>alert(1)</script>"),
        ("math/style mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
        ("fullwidth brackets", "＜script＞alert(1)＜/script＞", "＜script＞alert(1)＜/script＞"),
        ("right-to-left override before the scheme", "[x14](\u202Ejavascript:alert(1))", "x14"),
        ("zero-width space in the scheme", "[x15](java\u200Bscript:alert(1))", "x15"),
        ("object element", "<object data=\"javascript:alert(1)\"></object>", "<object data=\"javascript:alert(1)\"></object>"),
        ("embed element", "<embed src=javascript:alert(1)>", "<embed src=javascript:alert(1)>"),
        ("html block after text", "hello\n\n<div onclick=\"alert(1)\">\nclick\n</div>", "<div onclick=\"alert(1)\">"),
        ("code span", "`<script>alert(1)</script>`", "<script>alert(1)</script>"),
        ("fenced code with a hostile info string", "```\"><script>alert(1)</script>\ncode\n```", "code"),
        ("javascript link with a title", "[x16](javascript:alert(1) \"t\")", "x16"),
        ("javascript in a table", "| a |\n|---|\n| [x17](javascript:alert(1)) |", "x17"),
        ("image inside a javascript link", "[![alt18](http://example.com/x.png)](javascript:alert(1))", "alt18"),
        ("bare javascript text", "javascript:alert(1)", "javascript:alert(1)"),
        ("bare www autolink with markup", "www.example.com/<script>", "<script>"),
    ];

    // Tags and attributes Markdig writes for the Markdown we allow; anything else in a post's HTML is a failure.
    private static readonly HashSet<string> AllowedTags = new(StringComparer.Ordinal)
    {
        "p", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "del",
    };

    private static readonly Regex Tag = new("<(/?)([A-Za-z][A-Za-z0-9]*)((?:\\s+[a-z-]+=\"[^\"<>]*\")*)\\s*/?>", RegexOptions.CultureInvariant);
    private static readonly Regex Attribute = new("\\s+([a-z-]+)=\"([^\"<>]*)\"", RegexOptions.CultureInvariant);
    private static readonly Regex SchemePattern = new("^([A-Za-z][A-Za-z0-9+.-]*):", RegexOptions.CultureInvariant);

    [Fact]
    public async Task Xss_payloads_render_as_text_with_nothing_executable()
    {
        Assert.True(XssPayloads.Length >= 25);
        await using var factory = Factory(("PostsPerWindow", "1000"));
        var client = await LearnerAsync(factory, "Mallory");
        var thread = await CreateThreadAsync(client, "m2", "Payloads", "Each reply below tries to run script.");
        long threadId = thread.GetProperty("id").GetInt64();

        var failures = new List<string>();
        foreach (var (name, markdown, shown) in XssPayloads)
        {
            var reply = await client.PostAsJsonAsync($"/api/discuss/threads/{threadId}/posts", new { body = markdown });
            string text = await reply.Content.ReadAsStringAsync();
            if (reply.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{name}: {(int)reply.StatusCode} {text}");
                continue;
            }

            string html = JsonDocument.Parse(text).RootElement.GetProperty("html").GetString()!;
            failures.AddRange(Executable(html).Select(f => $"{name}: {f} in {html}"));
            if (!TextOf(html).Contains(shown, StringComparison.Ordinal))
            {
                failures.Add($"{name}: the text '{shown}' is not shown in {html}");
            }
        }

        // Read back: the thread as another learner sees it carries the same HTML.
        var reader = await LearnerAsync(factory, "Reader");
        var read = await GetJsonAsync(reader, $"/api/discuss/threads/{threadId}");
        var posts = read.GetProperty("posts").EnumerateArray().ToList();
        Assert.Equal(XssPayloads.Length + 1, posts.Count);
        foreach (var post in posts)
        {
            failures.AddRange(Executable(post.GetProperty("html").GetString()!).Select(f => $"read back: {f}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Deeply_nested_markdown_is_answered_without_a_server_error()
    {
        await using var factory = Factory(("PostsPerWindow", "1000"));
        var client = await LearnerAsync(factory, "Nester");
        string[] bodies =
        [
            new string('>', 7000) + " deep",
            new string('[', 3900) + "x" + new string(']', 3900),
            new string('*', 3900) + "x" + new string('*', 3900),
            string.Concat(Enumerable.Repeat("- ", 3000)) + "x",
            string.Concat(Enumerable.Repeat("<a>", 2500)),
        ];
        foreach (string body in bodies)
        {
            var response = await client.PostAsJsonAsync("/api/discuss/preview", new { body });
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}");
            string html = JsonDocument.Parse(text).RootElement.GetProperty("html").GetString()!;
            Assert.Empty(Executable(html));
        }

        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Links_keep_only_safe_targets_and_external_ones_open_apart()
    {
        await using var factory = Factory();
        var client = await LearnerAsync(factory, "Linker");
        string html = await PreviewAsync(client, string.Join("\n\n",
            "[web](https://example.com/page)",
            "[plain](http://example.org/)",
            "[mail](mailto:someone@example.com)",
            "[path](/learn/m3)",
            "[dot](./notes)",
            "[frag](#top)",
            "[proto](//evil.example/x)",
            "[js](javascript:alert(1))",
            "![photo](https://example.com/cat.png)"));

        var links = Links(html);
        Assert.Equal("https://example.com/page", links["web"].Href);
        Assert.Equal("nofollow noopener noreferrer", links["web"].Attributes["rel"]);
        Assert.Equal("_blank", links["web"].Attributes["target"]);
        Assert.Equal("_blank", links["plain"].Attributes["target"]);
        Assert.Equal("mailto:someone@example.com", links["mail"].Href);
        Assert.False(links["mail"].Attributes.ContainsKey("target"));
        Assert.Equal("/learn/m3", links["path"].Href);
        Assert.False(links["path"].Attributes.ContainsKey("target"));
        Assert.Equal("./notes", links["dot"].Href);
        Assert.Equal("#top", links["frag"].Href);

        // Protocol-relative: written out as https, and external.
        Assert.Equal("https://evil.example/x", links["proto"].Href);
        Assert.Equal("_blank", links["proto"].Attributes["target"]);
        Assert.False(links.ContainsKey("js"));
        Assert.Contains("js", TextOf(html), StringComparison.Ordinal);

        // An image is never loaded: it is a link to its address.
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Equal("https://example.com/cat.png", links["[image: photo]"].Href);
        Assert.Equal("_blank", links["[image: photo]"].Attributes["target"]);
    }

    [Fact]
    public async Task A_playground_link_is_marked_with_its_state_and_a_foreign_host_link_is_not()
    {
        await using var factory = Factory();
        var client = await LearnerAsync(factory, "Player");
        const string state = "activation=tanh&dataset=xor&networkShape=4,2";
        string html = await PreviewAsync(client, string.Join("\n\n",
            $"[relative](/#{state})",
            $"[absolute](http://localhost/#{state})",
            $"[foreign](https://playground.tensorflow.org/#{state})",
            "[broken](/#activation=nonsense)",
            "[lesson](/learn/m1#top)"));

        var links = Links(html);
        foreach (string name in new[] { "relative", "absolute" })
        {
            Assert.Equal(state, links[name].Attributes["data-playground"]);
            Assert.Contains("playground-link", links[name].Attributes["class"], StringComparison.Ordinal);
            Assert.False(links[name].Attributes.ContainsKey("target"));
        }

        Assert.False(links["foreign"].Attributes.ContainsKey("data-playground"));
        Assert.Equal("_blank", links["foreign"].Attributes["target"]);
        Assert.False(links["broken"].Attributes.ContainsKey("data-playground"));
        Assert.False(links["lesson"].Attributes.ContainsKey("data-playground"));
    }

    [Fact]
    public async Task Sql_looking_text_is_stored_and_returned_verbatim_and_the_tables_stay()
    {
        await using var factory = Factory();
        string[] hostile = ["'); DROP TABLE posts;--", "\" OR 1=1 --", "Robert'); DROP TABLE learners;--"];

        // A profile name allows letters, digits, spaces and . _ ' -: SQL punctuation is refused, the rest is kept as given.
        var refused = await factory.CreateClient().PostAsJsonAsync("/api/learn/profile", new { name = "Robert'); DROP TABLE learners;--" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        const string name = "Robert' -- DROP TABLE learners";
        var client = await LearnerAsync(factory, name);

        var ids = new List<long>();
        foreach (string text in hostile)
        {
            var thread = await CreateThreadAsync(client, "general", text, text);
            Assert.Equal(text, thread.GetProperty("title").GetString());
            Assert.Equal(name, thread.GetProperty("author").GetString());
            var post = thread.GetProperty("posts")[0];
            Assert.Equal(name, post.GetProperty("author").GetString());
            Assert.Contains(text, TextOf(post.GetProperty("html").GetString()!), StringComparison.Ordinal);
            ids.Add(thread.GetProperty("id").GetInt64());
        }

        var list = await GetJsonAsync(client, "/api/discuss/threads?board=general");
        Assert.Equal(hostile.Reverse(), list.EnumerateArray().Select(t => t.GetProperty("title").GetString()));

        var database = factory.Services.GetRequiredService<LearnDatabase>();
        var stored = database.Read(connection =>
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT t.title, p.body FROM threads t JOIN posts p ON p.thread_id = t.id ORDER BY t.id;";
            using var reader = select.ExecuteReader();
            var rows = new List<(string, string)>();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }

            return rows;
        });
        Assert.Equal(hostile.Select(h => (h, h)), stored);
        Assert.Equal(3, Count(database, "sqlite_schema WHERE type = 'table' AND name IN ('posts', 'threads', 'learners')"));
        Assert.Equal(1, Count(database, "learners"));
    }

    [Fact]
    public async Task Oversized_or_empty_titles_and_bodies_are_refused_and_nothing_is_stored()
    {
        await using var factory = Factory(("PostsPerWindow", "1000"));
        var client = await LearnerAsync(factory, "Verbose");
        var database = factory.Services.GetRequiredService<LearnDatabase>();

        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = new string('t', 121), body = "b" }), HttpStatusCode.RequestEntityTooLarge, "120", "121");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = "t", body = new string('b', 8001) }), HttpStatusCode.RequestEntityTooLarge, "8000", "8001");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = "   ", body = "b" }), HttpStatusCode.BadRequest, "title", "empty");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = "t", body = " \n\t " }), HttpStatusCode.BadRequest, "post", "empty");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = "two\nlines", body = "b" }), HttpStatusCode.BadRequest, "one line");

        // The request itself over the byte cap (128 KiB by default): refused before it is read.
        string huge = "{\"board\":\"m1\",\"title\":\"t\",\"body\":\"" + new string('b', 140_000) + "\"}";
        await Problems.AssertAsync(await client.PostAsync("/api/discuss/threads", new StringContent(huge, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge, "bytes");
        Assert.Equal(0, Count(database, "threads"));
        Assert.Equal(0, Count(database, "posts"));

        // Characters are code points: 120 emoji (240 UTF-16 units) make a valid title, 8000 a valid body.
        string emoji = "\U0001F600";
        var ok = await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = string.Concat(Enumerable.Repeat(emoji, 120)), body = string.Concat(Enumerable.Repeat(emoji, 8000)) });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        long thread = (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await Problems.AssertAsync(await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = string.Concat(Enumerable.Repeat(emoji, 8001)) }), HttpStatusCode.RequestEntityTooLarge, "8000");
        await Problems.AssertAsync(await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = "" }), HttpStatusCode.BadRequest, "empty");
        Assert.Equal(1, Count(database, "posts"));
    }

    [Fact]
    public async Task A_seventh_post_within_the_window_waits_and_is_allowed_after_it()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        await using var factory = Factory();
        await using var clocked = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        var client = await LearnerAsync(clocked, "Chatty");
        var other = await LearnerAsync(clocked, "Quiet");

        long thread = (await CreateThreadAsync(client, "m4", "Dead units", "post 1")).GetProperty("id").GetInt64();
        for (int i = 2; i <= 6; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            var reply = await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = $"post {i}" });
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }

        // The first post was 25 s ago: the seventh waits until it is a minute old.
        var refused = await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = "post 7" });
        await Problems.AssertAsync(refused, HttpStatusCode.TooManyRequests, "6 posts", "35 s");
        Assert.Equal("35", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "m4", title = "again", body = "x" }), HttpStatusCode.TooManyRequests);

        // Other learners are not slowed down by one who is.
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = "mine" })).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(35));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body = "post 7" })).StatusCode);
        var read = await GetJsonAsync(client, $"/api/discuss/threads/{thread}");
        Assert.Equal(8, read.GetProperty("posts").GetArrayLength());
    }

    [Fact]
    public async Task Hidden_posts_show_to_the_instructor_and_their_author_only_and_deleting_the_first_post_deletes_the_thread()
    {
        await using var factory = new ClassroomAppFactory();
        var alice = await JoinAsync(factory, "Alice");
        var bob = await JoinAsync(factory, "Bob");
        var teacher = await JoinAsync(factory, null);

        var thread = await CreateThreadAsync(alice, "m5", "Why do units die?", "My ReLU units **die**.");
        long threadId = thread.GetProperty("id").GetInt64();
        long first = thread.GetProperty("posts")[0].GetProperty("id").GetInt64();
        long aliceReply = (await ReplyAsync(alice, threadId, "rude words")).GetProperty("id").GetInt64();
        long bobReply = (await ReplyAsync(bob, threadId, "Use a leaky ReLU.")).GetProperty("id").GetInt64();

        // Learners may not hide or delete; nobody signed in may not even read.
        await Problems.AssertAsync(await bob.PutAsJsonAsync($"/api/discuss/posts/{aliceReply}/hidden", new { hidden = true }), HttpStatusCode.Forbidden, "instructor");
        await Problems.AssertAsync(await bob.DeleteAsync($"/api/discuss/posts/{aliceReply}"), HttpStatusCode.Forbidden, "instructor");
        await Problems.AssertAsync(await factory.CreateClient().GetAsync($"/api/discuss/threads/{threadId}"), HttpStatusCode.Unauthorized, "name");
        await Problems.AssertAsync(await factory.CreateClient().PutAsJsonAsync($"/api/discuss/posts/{aliceReply}/hidden", new { hidden = true }), HttpStatusCode.Unauthorized);

        var hide = await teacher.PutAsJsonAsync($"/api/discuss/posts/{aliceReply}/hidden", new { hidden = true });
        Assert.Equal(HttpStatusCode.OK, hide.StatusCode);
        var asBob = Post(await GetJsonAsync(bob, $"/api/discuss/threads/{threadId}"), aliceReply);
        Assert.True(asBob.GetProperty("hidden").GetBoolean());
        Assert.Equal(JsonValueKind.Null, asBob.GetProperty("html").ValueKind);
        var asAlice = Post(await GetJsonAsync(alice, $"/api/discuss/threads/{threadId}"), aliceReply);
        Assert.True(asAlice.GetProperty("hidden").GetBoolean());
        Assert.Contains("rude words", asAlice.GetProperty("html").GetString(), StringComparison.Ordinal);
        var asTeacher = Post(await GetJsonAsync(teacher, $"/api/discuss/threads/{threadId}"), aliceReply);
        Assert.Contains("rude words", asTeacher.GetProperty("html").GetString(), StringComparison.Ordinal);

        // Shown again.
        await teacher.PutAsJsonAsync($"/api/discuss/posts/{aliceReply}/hidden", new { hidden = false });
        Assert.Contains("rude words", Post(await GetJsonAsync(bob, $"/api/discuss/threads/{threadId}"), aliceReply).GetProperty("html").GetString(), StringComparison.Ordinal);

        // Hiding the first post hides the thread's title from others and closes it to their replies.
        await teacher.PutAsJsonAsync($"/api/discuss/posts/{first}/hidden", new { hidden = true });
        var bobList = (await GetJsonAsync(bob, "/api/discuss/threads?board=m5"))[0];
        Assert.True(bobList.GetProperty("hidden").GetBoolean());
        Assert.DoesNotContain("die", bobList.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("Why do units die?", (await GetJsonAsync(alice, "/api/discuss/threads?board=m5"))[0].GetProperty("title").GetString());
        await Problems.AssertAsync(await bob.PostAsJsonAsync($"/api/discuss/threads/{threadId}/posts", new { body = "hello?" }), HttpStatusCode.Conflict, "hid");

        // Deleting a reply removes it; deleting the first post removes the thread and all its posts.
        var deleted = await teacher.DeleteAsync($"/api/discuss/posts/{bobReply}");
        Assert.False((await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threadDeleted").GetBoolean());
        Assert.Equal(2, (await GetJsonAsync(alice, $"/api/discuss/threads/{threadId}")).GetProperty("posts").GetArrayLength());
        var gone = await teacher.DeleteAsync($"/api/discuss/posts/{first}");
        Assert.True((await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threadDeleted").GetBoolean());
        await Problems.AssertAsync(await alice.GetAsync($"/api/discuss/threads/{threadId}"), HttpStatusCode.NotFound, threadId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, (await GetJsonAsync(alice, "/api/discuss/threads?board=m5")).GetArrayLength());
        Assert.Equal(0, Count(factory.Services.GetRequiredService<LearnDatabase>(), "posts"));
        await Problems.AssertAsync(await teacher.DeleteAsync($"/api/discuss/posts/{aliceReply}"), HttpStatusCode.NotFound);
        await Problems.AssertAsync(await teacher.PutAsJsonAsync($"/api/discuss/posts/{aliceReply}/hidden", new { hidden = true }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_boards_threads_and_bad_cursors_are_refused()
    {
        await using var factory = Factory();
        var client = await LearnerAsync(factory, "Lost");
        await Problems.AssertAsync(await client.GetAsync("/api/discuss/threads?board=m10"), HttpStatusCode.BadRequest, "m10", "general");
        await Problems.AssertAsync(await client.GetAsync("/api/discuss/threads"), HttpStatusCode.BadRequest, "board");
        await Problems.AssertAsync(await client.GetAsync("/api/discuss/threads?board=m1&before=abc"), HttpStatusCode.BadRequest, "before");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads", new { board = "random", title = "t", body = "b" }), HttpStatusCode.BadRequest, "random");
        await Problems.AssertAsync(await client.GetAsync("/api/discuss/threads/999"), HttpStatusCode.NotFound, "999");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/discuss/threads/999/posts", new { body = "b" }), HttpStatusCode.NotFound, "999");
        await Problems.AssertAsync(await client.PostAsync("/api/discuss/threads", new StringContent("{\"board\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await Problems.AssertAsync(await factory.CreateClient().PostAsJsonAsync("/api/discuss/threads", new { board = "m1", title = "t", body = "b" }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Threads_are_listed_newest_first_in_pages_with_a_before_cursor()
    {
        await using var factory = Factory(("PostsPerWindow", "1000"), ("ThreadsPerPage", "3"));
        var client = await LearnerAsync(factory, "Pager");
        for (int i = 1; i <= 7; i++)
        {
            await CreateThreadAsync(client, "m9", $"Question {i}", "body");
        }

        await CreateThreadAsync(client, "m8", "Elsewhere", "body");
        await ReplyAsync(client, (await GetJsonAsync(client, "/api/discuss/threads?board=m9"))[0].GetProperty("id").GetInt64(), "a reply");

        var seen = new List<string>();
        string url = "/api/discuss/threads?board=m9";
        while (true)
        {
            var page = await GetJsonAsync(client, url);
            Assert.InRange(page.GetArrayLength(), 0, 3);
            if (page.GetArrayLength() == 0)
            {
                break;
            }

            seen.AddRange(page.EnumerateArray().Select(t => t.GetProperty("title").GetString()!));
            url = $"/api/discuss/threads?board=m9&before={page[page.GetArrayLength() - 1].GetProperty("id").GetInt64()}";
        }

        Assert.Equal(Enumerable.Range(1, 7).Reverse().Select(i => $"Question {i}"), seen);
        var newest = (await GetJsonAsync(client, "/api/discuss/threads?board=m9"))[0];
        Assert.Equal(2, newest.GetProperty("posts").GetInt32());
        Assert.Equal("Pager", newest.GetProperty("author").GetString());
        Assert.Equal("m9", newest.GetProperty("board").GetString());
    }

    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Problems with <paramref name="html"/> a browser could run: tags, attributes or link targets outside the allowed set.</summary>
    internal static List<string> Executable(string html)
    {
        var problems = new List<string>();
        int at = 0;
        while ((at = html.IndexOf('<', at)) >= 0)
        {
            var tag = Tag.Match(html, at);
            if (!tag.Success || tag.Index != at)
            {
                problems.Add($"a '<' that opens no allowed tag at {at}");
                at++;
                continue;
            }

            string name = tag.Groups[2].Value;
            if (!AllowedTags.Contains(name))
            {
                problems.Add($"element <{name}>");
            }

            foreach (Match attribute in Attribute.Matches(tag.Groups[3].Value))
            {
                string key = attribute.Groups[1].Value;
                string value = WebUtility.HtmlDecode(attribute.Groups[2].Value);
                bool allowed = (name, key) switch
                {
                    ("a", "href") => SafeUrl(value),
                    ("a", "title" or "rel" or "target" or "data-playground") => true,
                    ("a", "class") => value.Split(' ').All(c => c is "playground-link" or "post-image"),
                    ("pre", "class") => value == "post-plain",
                    ("code", "class") => value.StartsWith("language-", StringComparison.Ordinal),
                    ("ol", "start") => int.TryParse(value, out _),
                    ("th" or "td", "style") => value is "text-align: left;" or "text-align: center;" or "text-align: right;",
                    _ => false,
                };
                if (!allowed)
                {
                    problems.Add($"attribute {key}=\"{value}\" on <{name}>");
                }
            }

            at = tag.Index + tag.Length;
        }

        return problems;
    }

    /// <summary>Whether a browser following <paramref name="url"/> stays on http, https, mailto or this site.</summary>
    private static bool SafeUrl(string url)
    {
        // As the WHATWG URL parser reads it: controls and spaces trimmed, tabs and newlines dropped.
        string clean = new string(url.Trim(Enumerable.Range(0, 33).Select(i => (char)i).ToArray()).Where(c => c is not ('\t' or '\n' or '\r')).ToArray());
        var scheme = SchemePattern.Match(clean);
        return !scheme.Success || scheme.Groups[1].Value.ToLowerInvariant() is "http" or "https" or "mailto";
    }

    /// <summary>The text a reader sees: tags removed, entities decoded.</summary>
    internal static string TextOf(string html) => WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]*>", ""));

    private static Dictionary<string, (string Href, Dictionary<string, string> Attributes)> Links(string html)
    {
        var links = new Dictionary<string, (string, Dictionary<string, string>)>(StringComparer.Ordinal);
        foreach (Match link in Regex.Matches(html, "<a((?:\\s+[a-z-]+=\"[^\"]*\")*)>(.*?)</a>"))
        {
            var attributes = Attribute.Matches(link.Groups[1].Value).ToDictionary(a => a.Groups[1].Value, a => WebUtility.HtmlDecode(a.Groups[2].Value), StringComparer.Ordinal);
            links[TextOf(link.Groups[2].Value)] = (attributes["href"], attributes);
        }

        return links;
    }

    /// <summary>The app with tiny playground limits and these discussion limits (configuration "Nonlinear:Limits:Discuss:Name").</summary>
    private static LimitedWebAppFactory Factory(params (string Name, string Value)[] discuss) =>
        LimitedWebAppFactory.With([.. discuss.Select(d => ("Discuss:" + d.Name, d.Value))]);

    /// <summary>A client signed in as a new learner named <paramref name="name"/> (its cookies kept, the forgery token sent).</summary>
    internal static async Task<HttpClient> LearnerAsync(WebApplicationFactory<Program> factory, string name)
    {
        var client = factory.CreateClient();
        await CsrfToken.SignInAsync(client, name);
        return client;
    }

    /// <summary>A client that joined the classroom of <paramref name="factory"/> with its join code (or as its instructor).</summary>
    private static async Task<HttpClient> JoinAsync(ClassroomAppFactory factory, string? name)
    {
        var client = factory.CreateClient();
        using var response = name is null
            ? await client.PostAsJsonAsync("/api/classroom/instructor", new { code = ClassroomAppFactory.InstructorCode })
            : await client.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        CsrfToken.Adopt(client, response);
        return client;
    }

    private static async Task<JsonElement> CreateThreadAsync(HttpClient client, string board, string title, string body)
    {
        var response = await client.PostAsJsonAsync("/api/discuss/threads", new { board, title, body });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<JsonElement> ReplyAsync(HttpClient client, long thread, string body)
    {
        var response = await client.PostAsJsonAsync($"/api/discuss/threads/{thread}/posts", new { body });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task<string> PreviewAsync(HttpClient client, string body)
    {
        var response = await client.PostAsJsonAsync("/api/discuss/preview", new { body });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("html").GetString()!;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static JsonElement Post(JsonElement thread, long id) =>
        thread.GetProperty("posts").EnumerateArray().Single(p => p.GetProperty("id").GetInt64() == id);

    private static long Count(LearnDatabase database, string from) => database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT count(*) FROM " + from + ";";
        return (long)select.ExecuteScalar()!;
    });

    /// <summary>A clock the test moves by hand, so the rate limit's window passes without waiting.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
