using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;

namespace Nonlinear.Web.Endpoints;

/// <summary>Serves the page from resources embedded in this assembly (wwwroot/**), so nothing is needed on disk.</summary>
internal static class EmbeddedFiles
{
    private static readonly Assembly Assembly = typeof(EmbeddedFiles).Assembly;
    private static readonly ConcurrentDictionary<string, (byte[] Bytes, string Type, string ETag)?> Cache = new(StringComparer.Ordinal);

    public static void MapEmbeddedFiles(this WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));

        // Learn's addresses (/learn, /learn/m3, /learn/discuss/12) are the same page; its script follows the path.
        app.MapGet("/learn", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/learn/{**rest}", (HttpContext context) => Serve(context, "index.html"));
        // "/static/" matches with no path: null, answered as a missing file (a required parameter would throw).
        app.MapGet("/static/{**path}", (HttpContext context, string? path) => Serve(context, path ?? ""));
    }

    private static IResult Serve(HttpContext context, string path)
    {
        // Only files found are cached: a miss stored per path would let requests for made-up paths grow it forever.
        if (!Cache.TryGetValue(path, out var file) && (file = Load(path)) is not null)
        {
            Cache[path] = file;
        }

        if (file is null)
        {
            return ProblemResults.Problem(StatusCodes.Status404NotFound, $"No file '{path}' in the app.");
        }

        var (bytes, type, etag) = file.Value;
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch == etag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(bytes, type);
    }

    private static (byte[], string, string)? Load(string path)
    {
        if (path.Contains("..", StringComparison.Ordinal) || path.Length > 200)
        {
            return null;
        }

        using var stream = Assembly.GetManifestResourceStream("wwwroot/" + path);
        if (stream is null)
        {
            return null;
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        string etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
        return (bytes, ContentType(path), etag);
    }

    private static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".json" => "application/json",
        ".woff2" => "font/woff2",
        ".txt" or ".md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    };
}
