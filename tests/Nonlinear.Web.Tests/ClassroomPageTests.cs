using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The instructor's dashboard in a real browser, under the app's Content-Security-Policy, against a classroom server
/// on Kestrel: the instructor-code form, the table of learners, and api.js sending the forgery token.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ClassroomPageTests : IAsyncLifetime
{
    private const string JoinCode = "PAGE42";
    private const string InstructorCode = "PAGE-TEACH-99";

    private readonly LiveServer _live;
    private LiveClassroom? _classroom;
    private string _address = "";

    public ClassroomPageTests(LiveServer live) => _live = live;

    public async Task InitializeAsync()
    {
        _classroom = await LiveClassroom.StartAsync(JoinCode, InstructorCode);
        _address = _classroom.Address;
    }

    public async Task DisposeAsync()
    {
        if (_classroom is not null)
        {
            await _classroom.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_instructor_signs_in_on_the_dashboard_and_sees_the_class()
    {
        using (var learner = new HttpClient())
        {
            using var joined = await learner.PostAsJsonAsync(_address + "/api/classroom/join", new { code = JoinCode, name = "Zoë O'Brien" });
            joined.EnsureSuccessStatusCode();
        }

        await using var context = await _live.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1300, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_address + "/learn/classroom");

        // Mounted as the Learn page will mount it (the Learn shell on this branch does not route to it yet).
        await page.EvaluateAsync("""
            async () => {
              const { mountClassroom } = await import('/static/learn/classroom.js');
              const { api } = await import('/static/common/api.js');
              const host = document.createElement('div');
              host.id = 'dashboard';
              document.body.prepend(host);
              await mountClassroom(host, { api, showMessage: () => {} });
            }
            """);
        var form = page.Locator("#dashboard .classroom-signin");
        await form.Locator("input").FillAsync("wrong-code");
        await form.Locator("button").ClickAsync();
        await Assertions.Expect(form.Locator(".classroom-error")).ToContainTextAsync("not the instructor code");
        await form.Locator("input").FillAsync(InstructorCode.ToLowerInvariant());
        await form.Locator("button").ClickAsync();

        var row = page.Locator("#dashboard table[data-table=learners] tr[data-learner]");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("th")).ToHaveTextAsync("Zoë O'Brien");
        Assert.Equal(9, await row.Locator("td[data-module]").CountAsync());
        Assert.True(await page.Locator("#dashboard table[data-table=exercises] tr[data-exercise]").CountAsync() >= 9);
        await page.Locator("#dashboard [data-action=refresh]").ClickAsync();
        await Assertions.Expect(page.Locator("#dashboard .classroom")).ToHaveAttributeAsync("data-ready", "true");

        // The session cookie is HttpOnly (the page cannot read it); the forgery token is readable, and api.js sends it.
        string cookies = await page.EvaluateAsync<string>("() => document.cookie");
        Assert.DoesNotContain("nl_session", cookies, StringComparison.Ordinal);
        Assert.Contains("nl_csrf=", cookies, StringComparison.Ordinal);
        int bare = await page.EvaluateAsync<int>("async () => (await fetch('/api/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status");
        Assert.Equal(403, bare);
        string id = await page.EvaluateAsync<string>("async () => (await (await import('/static/common/api.js')).api.post('/api/sessions', {})).id");
        Assert.False(string.IsNullOrEmpty(id));

        // Expected refusals only (the browser logs each 4xx): the first look before signing in, the wrong code, the bare POST.
        Assert.DoesNotContain(errors, e => !(e.Contains(" 401 ", StringComparison.Ordinal) || e.Contains(" 403 ", StringComparison.Ordinal)));
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }
}
