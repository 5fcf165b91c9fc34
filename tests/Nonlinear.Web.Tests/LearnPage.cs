using System.Text.Json;
using Microsoft.Playwright;

namespace Nonlinear.Web.Tests;

/// <summary>
/// What the Learn browser tests share: waiting for a view, calling the API from inside the page (so the call
/// carries the page's own session cookie and CSRF header, through wwwroot/common/api.js), and a fresh learner.
/// </summary>
internal static class LearnPage
{
    /// <summary>A refused call: the status and the problem's detail (what the page is meant to show).</summary>
    public sealed record Refusal(int Status, string Detail);

    /// <summary>A profile name no other test uses (the browser tests share one server and database).</summary>
    public static string NewName(string prefix) => $"{prefix} {Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>Waits until Learn has drawn <paramref name="view"/> completely (learn.js marks the container).</summary>
    public static async Task WaitReadyAsync(IPage page, string view)
    {
        await page.WaitForFunctionAsync(
            "view => { const e = document.getElementById('learn-view'); return document.body.dataset.learnReady === 'true' && e.dataset.learnView === view && e.dataset.learnState === 'ready'; }",
            view);
    }

    /// <summary>GET (or POST with <paramref name="body"/>) through the page's api.js; a refusal fails the test.</summary>
    public static async Task<JsonElement> ApiAsync(IPage page, string url, object? body = null)
    {
        string? json = body is null ? null : body as string ?? JsonSerializer.Serialize(body);
        return await page.EvaluateAsync<JsonElement>(
            "async ([url, json]) => { const { api } = await import('/static/common/api.js'); return json === null ? api.get(url) : api.post(url, JSON.parse(json)); }",
            new object?[] { url, json });
    }

    /// <summary>A call the server is expected to refuse: its status and detail (fails the test if it is accepted).</summary>
    public static async Task<Refusal> ApiRefusalAsync(IPage page, string url, string? json = null)
    {
        var answer = await page.EvaluateAsync<JsonElement>(
            "async ([url, json]) => { const { api } = await import('/static/common/api.js'); try { await (json === null ? api.get(url) : api.post(url, JSON.parse(json))); return { status: 0, detail: 'accepted' }; } catch (e) { return { status: e.status, detail: e.message }; } }",
            new object?[] { url, json });
        int status = answer.GetProperty("status").GetInt32();
        if (status == 0)
        {
            throw new InvalidOperationException($"{url} was accepted; the test expected a refusal.");
        }

        return new Refusal(status, answer.GetProperty("detail").GetString()!);
    }

    /// <summary>A fresh page signed in as a new learner (made through the API), opened at <paramref name="path"/>.</summary>
    public static async Task<(IPage Page, List<string> Errors, string Name)> OpenAsLearnerAsync(LiveServer server, string path, string prefix, int width = 1400, int height = 1000)
    {
        var (page, errors) = await server.OpenAsync("/learn", width, height);
        await page.WaitForFunctionAsync("() => document.body.dataset.learnReady === 'true'");
        string name = NewName(prefix);
        await ApiAsync(page, "/api/learn/profile", new { name });
        await page.GotoAsync(server.Address + path);
        return (page, errors, name);
    }
}
