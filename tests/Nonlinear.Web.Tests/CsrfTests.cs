using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Forged requests are refused: a change sent by another site (Sec-Fetch-Site, Origin), or one that carries the session
/// cookie without the forgery token that only the app's own page can read; WebSockets check the origin too. And every
/// answer carries the security headers.
/// </summary>
public sealed class CsrfTests : IClassFixture<WebAppFactory>
{
    private readonly WebAppFactory _app;

    public CsrfTests(WebAppFactory app) => _app = app;

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    [InlineData("Cross-Site")]
    public async Task A_change_the_browser_says_comes_from_another_site_is_refused(string site)
    {
        using var client = _app.CreateClient();
        using var request = Parse();
        request.Headers.Add("Sec-Fetch-Site", site);
        await Problems.AssertAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "another site");
    }

    [Theory]
    [InlineData("same-origin")]
    [InlineData("none")]
    public async Task A_change_from_the_apps_own_page_or_typed_by_hand_passes(string site)
    {
        using var client = _app.CreateClient();
        using var request = Parse();
        request.Headers.Add("Sec-Fetch-Site", site);
        request.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://localhost:8081")] // another port is another origin (another app on this machine)
    [InlineData("http://localhost.evil.example")]
    [InlineData("null")] // a sandboxed frame or a file
    [InlineData("not a url")]
    public async Task A_change_from_a_page_of_another_origin_is_refused(string origin)
    {
        using var client = _app.CreateClient();
        foreach (var request in new[] { Parse(), new HttpRequestMessage(HttpMethod.Delete, "/api/sessions/abc"), new HttpRequestMessage(HttpMethod.Put, "/api/sessions/abc/config") { Content = JsonContent.Create(new { }) } })
        {
            using (request)
            {
                request.Headers.TryAddWithoutValidation("Origin", origin);
                await Problems.AssertAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "Refused");
            }
        }
    }

    [Fact]
    public async Task Reads_are_not_changes_and_are_answered_whatever_the_origin()
    {
        // The browser keeps another site from reading the answer (no CORS headers); a read changes nothing.
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/activations");
        request.Headers.Add("Origin", "http://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task With_a_session_cookie_a_change_needs_the_matching_forgery_token()
    {
        using var client = _app.CreateClient();
        using var signIn = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Csrf Ada" });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        string token = CsrfToken.From(signIn)!;
        Assert.False(string.IsNullOrEmpty(token));

        // Without the header, with a wrong one, and with the token of someone else's session.
        using var other = _app.CreateClient();
        using var otherSignIn = await other.PostAsJsonAsync("/api/learn/profile", new { name = "Csrf Bob" });
        string otherToken = CsrfToken.From(otherSignIn)!;
        foreach (string? sent in new[] { null, "", "wrong", token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), otherToken, token + token })
        {
            using var request = Parse();
            if (sent is not null)
            {
                request.Headers.Add(CsrfToken.Header, sent);
            }

            await Problems.AssertAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "X-CSRF-Token");
        }

        using var right = Parse();
        right.Headers.Add(CsrfToken.Header, token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(right)).StatusCode);

        // Signing out is a change too.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/learn/signout", null)).StatusCode);
        CsrfToken.Adopt(client, signIn);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/learn/signout", null)).StatusCode);
    }

    [Fact]
    public async Task A_forgery_cookie_planted_by_another_site_does_not_match()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var signIn = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Csrf Cleo" });
        string session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nl_session=", StringComparison.Ordinal)).Split(';')[0];

        // A sibling site can set cookies for this host, so it could make nl_csrf and the header agree; they must
        // agree with the session instead.
        using var request = Parse();
        request.Headers.Add("Cookie", $"{session}; nl_csrf=planted");
        request.Headers.Add(CsrfToken.Header, "planted");
        await Problems.AssertAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "does not match");
    }

    [Fact]
    public async Task The_forgery_token_is_the_HMAC_of_the_session_under_the_databases_key()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var signIn = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Csrf Dee" });
        string session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nl_session=", StringComparison.Ordinal)).Split(';')[0]["nl_session=".Length..];
        var database = _app.Services.GetRequiredService<LearnDatabase>();
        byte[] key = database.Read(c =>
        {
            using var select = c.CreateCommand();
            select.CommandText = "SELECT value FROM settings WHERE key = 'csrf-key';";
            return (byte[])select.ExecuteScalar()!;
        });
        Assert.Equal(32, key.Length);
        string expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(session))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, CsrfToken.From(signIn));
    }

    [Fact]
    public async Task A_page_that_lost_its_forgery_cookie_gets_it_back_on_a_read()
    {
        using var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var signIn = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Csrf Eli" });
        string session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nl_session=", StringComparison.Ordinal)).Split(';')[0];
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/learn/me");
        read.Headers.Add("Cookie", session);
        using var answer = await client.SendAsync(read);
        Assert.Equal(CsrfToken.From(signIn), CsrfToken.From(answer));
    }

    [Fact]
    public async Task A_WebSocket_from_another_origin_is_refused_and_one_from_the_page_is_accepted()
    {
        using var client = _app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/sessions", new { });
        string id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        foreach (string path in new[] { $"/api/sessions/{id}/stream", "/api/images/sessions/abc/stream" })
        {
            var foreign = _app.Server.CreateWebSocketClient();
            foreign.ConfigureRequest = r => r.Headers.Origin = "http://evil.example";
            var e = await Assert.ThrowsAnyAsync<Exception>(() => foreign.ConnectAsync(new Uri("ws://localhost" + path), CancellationToken.None));
            Assert.Contains("403", e.Message, StringComparison.Ordinal);

            var crossSite = _app.Server.CreateWebSocketClient();
            crossSite.ConfigureRequest = r => r.Headers["Sec-Fetch-Site"] = "cross-site";
            e = await Assert.ThrowsAnyAsync<Exception>(() => crossSite.ConnectAsync(new Uri("ws://localhost" + path), CancellationToken.None));
            Assert.Contains("403", e.Message, StringComparison.Ordinal);
        }

        var own = _app.Server.CreateWebSocketClient();
        own.ConfigureRequest = r => r.Headers.Origin = "http://localhost";
        using var socket = await own.ConnectAsync(new Uri($"ws://localhost/api/sessions/{id}/stream"), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/learn/m2")]
    [InlineData("GET", "/static/app.css")]
    [InlineData("GET", "/static/no-such-file.js")]
    [InlineData("GET", "/api/health")]
    [InlineData("GET", "/api/no-such-thing")]
    [InlineData("GET", "/api/learn/progress")]
    [InlineData("POST", "/api/state/parse")]
    public async Task Every_answer_carries_the_security_headers(string method, string path)
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("{ not json", Encoding.UTF8, "application/json");
            request.Headers.Add("Origin", "http://evil.example");
        }

        using var response = await client.SendAsync(request);
        string csp = string.Join(", ", response.Headers.GetValues("Content-Security-Policy"));
        foreach (string directive in new[] { "default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'self'", "base-uri 'none'", "form-action 'self'" })
        {
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    private static HttpRequestMessage Parse() => new(HttpMethod.Post, "/api/state/parse") { Content = JsonContent.Create(new { hash = "activation=tanh" }) };
}
