using System.Net.Http.Json;

namespace Nonlinear.Web.Tests;

/// <summary>
/// What a test client does that the page's api.js does: a request carrying the session cookie must carry
/// <c>X-CSRF-Token</c> equal to the <c>nl_csrf</c> cookie the server set with the session (docs/learn-api.md, "Forgery").
/// </summary>
public static class CsrfToken
{
    /// <summary>The header's name.</summary>
    public const string Header = "X-CSRF-Token";

    /// <summary>The <c>nl_csrf</c> value that <paramref name="response"/> set, or null.</summary>
    public static string? From(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Select(c => c.Split(';', 2)[0]).Where(c => c.StartsWith("nl_csrf=", StringComparison.Ordinal)).Select(c => c["nl_csrf=".Length..]).LastOrDefault(v => v.Length > 0)
            : null;
    }

    /// <summary>
    /// Makes <paramref name="client"/> send the token that <paramref name="response"/> set on every later request
    /// (after signing in: <c>POST /api/learn/profile</c>, <c>/api/classroom/join</c> or <c>/instructor</c>).
    /// </summary>
    public static void Adopt(HttpClient client, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(client);
        string token = From(response) ?? throw new InvalidOperationException("The response set no nl_csrf cookie.");
        client.DefaultRequestHeaders.Remove(Header);
        client.DefaultRequestHeaders.Add(Header, token);
    }

    /// <summary>
    /// Signs <paramref name="client"/> (which keeps cookies) in as the profile <paramref name="name"/> on a loopback
    /// server and makes it send the forgery token from then on.
    /// </summary>
    public static async Task SignInAsync(HttpClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsJsonAsync("/api/learn/profile", new { name });
        response.EnsureSuccessStatusCode();
        Adopt(client, response);
    }
}
