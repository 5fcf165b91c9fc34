using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>Idle sessions and sessions past their lifetime end, answer 404 and free their memory; sessions in use stay.</summary>
public sealed class SessionExpiryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_idle_session_expires_answers_404_and_its_memory_is_freed()
    {
        // Long enough that creating the session and reading the count fit in it on a loaded 2-core machine.
        await using var factory = LimitedWebAppFactory.With(("SessionIdleTimeout", "00:00:02"));
        using var client = factory.CreateClient();
        var (id, _) = await StreamTests.CreateAsync(client, "{}");
        var registry = factory.Services.GetRequiredService<SessionRegistry>();
        var session = Watch(registry, id);
        Assert.Equal(1, await CountAsync(client));

        await WaitUntilAsync(() => registry.Count == 0, "the idle session was not closed");
        Assert.Equal(0, await CountAsync(client));
        await Problems.AssertAsync(await client.PostAsync($"/api/sessions/{id}/step", null), HttpStatusCode.NotFound, "session");
        await WaitUntilAsync(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !session.IsAlive;
        }, "the closed session is still referenced");
    }

    [Fact]
    public async Task A_session_in_use_or_with_an_open_stream_does_not_expire()
    {
        // Requests come every 100 ms; the timeout leaves room for a stalled request on a loaded machine.
        await using var factory = LimitedWebAppFactory.With(("SessionIdleTimeout", "00:00:03"));
        using var client = factory.CreateClient();
        var (watched, _) = await StreamTests.CreateAsync(client, "{}");
        await using (var stream = await FrameStream.OpenAsync(factory, watched))
        {
            var (busy, _) = await StreamTests.CreateAsync(client, "{}");
            // More than two idle timeouts pass; requests keep one session alive, the open stream the other.
            var start = DateTime.UtcNow;
            var last = DateTime.UtcNow;
            while (DateTime.UtcNow - start < TimeSpan.FromSeconds(7))
            {
                using var pause = await client.PostAsync($"/api/sessions/{busy}/pause", null);
                Assert.True(pause.StatusCode == HttpStatusCode.OK, $"{pause.StatusCode} after {(DateTime.UtcNow - last).TotalMilliseconds} ms, {(DateTime.UtcNow - start).TotalMilliseconds} ms in");
                last = DateTime.UtcNow;
                await Task.Delay(100);
            }

            Assert.Equal(2, await CountAsync(client));
            Assert.NotNull(await stream.NextAsync(Wait));
        }

        // Once its page is gone, the watched session is idle like any other.
        await WaitUntilAsync(async () => await CountAsync(client) == 0, "the session whose page left was not closed");
        await Problems.AssertAsync(await client.PostAsync($"/api/sessions/{watched}/pause", null), HttpStatusCode.NotFound, "session");
    }

    [Fact]
    public async Task A_session_past_its_lifetime_ends_even_while_in_use()
    {
        await using var factory = LimitedWebAppFactory.With(("SessionLifetime", "00:00:02"));
        using var client = factory.CreateClient();
        var registry = factory.Services.GetRequiredService<SessionRegistry>();
        var created = DateTime.UtcNow;
        var (id, _) = await StreamTests.CreateAsync(client, "{}");
        await using var stream = await FrameStream.OpenAsync(factory, id);
        HttpStatusCode status;
        do
        {
            await Task.Delay(100);
            using var step = await client.PostAsync($"/api/sessions/{id}/step", null);
            status = step.StatusCode;
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow - created < Wait);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.True(DateTime.UtcNow - created >= TimeSpan.FromSeconds(2), "The session ended before its lifetime.");
        Assert.Equal(0, registry.Count);
        Assert.True(await stream.EndsWithinAsync(Wait), "The ended session's stream is still open.");
    }

    /// <summary>A weak reference to the session object, taken outside the test's async state (which would keep it alive).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Watch(SessionRegistry registry, string id) => new(registry.Get<PlaygroundSession>(id));

    private static async Task<int> CountAsync(HttpClient client)
        => JsonDocument.Parse(await client.GetStringAsync("/api/health")).RootElement.GetProperty("sessions").GetInt32();

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var end = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < end, $"After {Wait.TotalSeconds} s, {failure}.");
            await Task.Delay(100);
        }
    }
}
