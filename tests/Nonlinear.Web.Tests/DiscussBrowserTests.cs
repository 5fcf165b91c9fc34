using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The discussion board (discuss/board.js) in the real page: hostile posts stay text, a playground link opens its
/// experiment inline, refusals show the server's message and keep what was typed. The board is mounted into a
/// container of its own (as the Learn page mounts it), with a context whose openPlayground is recorded.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DiscussBrowserTests(LiveServer server)
{
    private const string Mount = """
        async ([name, board]) => {
          const { api } = await import('/static/common/api.js');
          await api.post('/api/learn/profile', { name });
          const board_ = await import('/static/discuss/board.js');
          window.openedInPlayground = [];
          window.routed = [];
          window.addEventListener('learn:route', () => window.routed.push(location.pathname));
          window.discussCtx = { api, showMessage: () => {}, openPlayground: (hash) => window.openedInPlayground.push(hash) };
          window.discussBoard = board_;
          const box = document.createElement('div');
          box.id = 'under-test';
          document.body.prepend(box);
          await board_.mountBoard(box, window.discussCtx, { board });
        }
        """;

    private const string OpenThread = """
        async (id) => {
          const box = document.getElementById('under-test');
          await window.discussBoard.mountThread(box, window.discussCtx, { id });
        }
        """;

    [Fact]
    public async Task A_hostile_post_shows_as_text_and_runs_nothing()
    {
        var (page, errors) = await OpenAsync("Eve", "m3");
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        const string title = "<img src=x onerror=alert('title')>";
        string body = string.Join("\n\n",
            "<script>alert('script')</script>",
            "<img src=x onerror=alert('img')>",
            "<svg onload=alert('svg')>",
            "[click me](javascript:alert('link'))",
            "<javascript:alert('autolink')>",
            "![pic](x \"\\\" onerror=\\\"alert('title-attr')\")",
            "\"><iframe src=javascript:alert('frame')>");
        await page.FillAsync("#under-test .discuss-title-input", title);
        await page.FillAsync("#under-test .discuss-body-input", body);

        // The server's preview first: the same HTML as the stored post.
        await page.ClickAsync("#under-test .discuss-preview-button");
        await page.Locator("#under-test .discuss-preview .discuss-post-body").WaitForAsync();
        await page.ClickAsync("#under-test .discuss-submit");
        var link = page.Locator("#under-test .discuss-thread-link").First;
        await link.WaitForAsync();
        Assert.Equal(title, await link.TextContentAsync());

        // The thread's link changes the address without loading a page and tells Learn (learn:route).
        string id = (await page.Locator("#under-test .discuss-thread-item").First.GetAttributeAsync("data-thread"))!;
        await link.ClickAsync();
        Assert.Equal([$"/learn/discuss/{id}"], await page.EvaluateAsync<string[]>("() => window.routed"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.openedInPlayground.length"));
        await page.EvaluateAsync(OpenThread, id);
        var post = page.Locator("#under-test .discuss-post .discuss-post-body").First;
        await post.WaitForAsync();
        string shown = (await post.TextContentAsync())!;
        foreach (string text in new[] { "<script>alert('script')</script>", "<img src=x onerror=alert('img')>", "<svg onload=alert('svg')>", "click me", "javascript:alert('autolink')", "[image: pic]", "<iframe src=javascript:alert('frame')>" })
        {
            Assert.Contains(text, shown, StringComparison.Ordinal);
        }

        Assert.Equal(title, await page.Locator("#under-test .discuss-heading").TextContentAsync());
        Assert.Equal(0, await page.Locator("#under-test script, #under-test img, #under-test svg, #under-test iframe, #under-test [onerror], #under-test [onload]").CountAsync());
        Assert.Equal(0, await page.Locator("#under-test a[href^='javascript' i]").CountAsync());

        // Give any handler that slipped through a moment to fire (images fail to load asynchronously).
        await page.WaitForTimeoutAsync(300);
        Assert.Empty(dialogs);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task A_playground_link_in_a_post_opens_the_experiment_inline()
    {
        var (page, errors) = await OpenAsync("Pat", "m5");
        const string state = "activation=relu&dataset=xor&networkShape=4,2";
        await page.FillAsync("#under-test .discuss-title-input", "Dying units on XOR");
        await page.FillAsync("#under-test .discuss-body-input", $"Try [this network](/#{state}) with a large step.");
        await page.ClickAsync("#under-test .discuss-submit");
        await page.Locator("#under-test .discuss-thread-link").First.WaitForAsync();
        string id = (await page.Locator("#under-test .discuss-thread-item").First.GetAttributeAsync("data-thread"))!;
        await page.EvaluateAsync(OpenThread, id);

        var link = page.Locator("#under-test .discuss-post-body a.playground-link");
        Assert.Equal(state, await link.GetAttributeAsync("data-playground"));
        await page.ClickAsync("#under-test .discuss-open-here");
        var frame = page.Locator("#under-test .discuss-experiment iframe");
        await frame.WaitForAsync();
        Assert.Equal($"/?embed=1#{state}", await frame.GetAttributeAsync("src"));

        // The embedded page is the playground without its header, with the post's experiment loaded.
        var inside = page.FrameLocator("#under-test .discuss-experiment iframe");
        await inside.Locator("body.embed[data-ready='true']").WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
        Assert.False(await inside.Locator(".app-header").IsVisibleAsync());
        Assert.Contains("relu", await inside.Locator("body").EvaluateAsync<string>("() => location.hash"), StringComparison.Ordinal);

        await page.ClickAsync("#under-test .discuss-open-playground");
        Assert.Equal([state], await page.EvaluateAsync<string[]>("() => window.openedInPlayground"));

        // Clicking the experiment button again closes it.
        await page.ClickAsync("#under-test .discuss-open-here");
        Assert.Equal(0, await frame.CountAsync());
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task A_refused_post_shows_the_servers_message_and_keeps_the_text()
    {
        var (page, errors) = await OpenAsync("Wordy", "general");
        string longBody = new('x', 8001);
        await page.FillAsync("#under-test .discuss-title-input", "A long one");
        await page.FillAsync("#under-test .discuss-body-input", longBody);
        await page.ClickAsync("#under-test .discuss-submit");
        var error = page.Locator("#under-test .discuss-form .discuss-error");
        await error.WaitForAsync();
        Assert.Contains("at most 8000 characters", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal("413", await error.GetAttributeAsync("data-status"));
        Assert.Equal(longBody, await page.InputValueAsync("#under-test .discuss-body-input"));
        Assert.Equal("A long one", await page.InputValueAsync("#under-test .discuss-title-input"));

        // Fixed, it goes through and the form empties.
        await page.FillAsync("#under-test .discuss-body-input", "Shorter now.");
        await page.ClickAsync("#under-test .discuss-submit");
        await page.Locator("#under-test .discuss-thread-link", new PageLocatorOptions { HasText = "A long one" }).WaitForAsync();
        Assert.True(await error.IsHiddenAsync());
        Assert.Equal("", await page.InputValueAsync("#under-test .discuss-body-input"));
        await CloseAsync(page, errors, "/api/discuss/threads");
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string name, string board)
    {
        var (page, errors) = await server.OpenAsync("/learn/discuss");
        await page.EvaluateAsync(Mount, new object[] { name, board });
        await page.Locator("#under-test .discuss-form").WaitForAsync();
        return (page, errors);
    }

    private static async Task CloseAsync(IPage page, List<string> errors, string? refusedPath = null)
    {
        // The browser logs a refused request (413 here) as a console error; anything else fails the test.
        var unexpected = LiveServer.Unexpected(errors).Where(e => refusedPath is null || !(e.Contains(refusedPath, StringComparison.Ordinal) && e.Contains(" 413 ", StringComparison.Ordinal))).ToList();
        Assert.Empty(unexpected);
        await page.Context.CloseAsync();
    }
}
