using System.Net;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>Checks on the server's refusals: a 4xx JSON problem whose detail the page can show.</summary>
internal static class Problems
{
    /// <summary>
    /// Asserts <paramref name="response"/> is a problem with <paramref name="status"/> whose detail contains every one of
    /// <paramref name="words"/> (ignoring case); returns the detail.
    /// </summary>
    public static async Task<string> AssertAsync(HttpResponseMessage response, HttpStatusCode status, params string[] words)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        string detail = Detail(response, body) ?? throw new Xunit.Sdk.XunitException($"Not a JSON problem with a detail: {body}");
        foreach (string word in words)
        {
            Assert.True(detail.Contains(word, StringComparison.OrdinalIgnoreCase), $"The detail does not name '{word}': {detail}");
        }

        return detail;
    }

    /// <summary>The problem's detail when <paramref name="body"/> is a JSON problem of the response's status with a non-empty detail; otherwise null.</summary>
    public static string? Detail(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || s.GetInt32() != (int)response.StatusCode
                || !root.TryGetProperty("title", out var t) || t.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("detail", out var d) || d.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(d.GetString()))
            {
                return null;
            }

            return d.GetString();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
