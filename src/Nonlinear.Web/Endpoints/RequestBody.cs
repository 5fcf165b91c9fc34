using System.Text.Json;

namespace Nonlinear.Web.Endpoints;

/// <summary>Reads a JSON request body within the size cap; anything unreadable is a 400 (or 413) naming what is wrong.</summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, int maxBytes)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, $"The request body has {request.ContentLength} bytes; at most {maxBytes} are accepted.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than {maxBytes} bytes, the most accepted.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw WebRequestException.BadRequest("The request body is empty: expected a JSON object.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), WebJson.Options)
                ?? throw WebRequestException.BadRequest("The request body is JSON null: expected an object.");
        }
        catch (JsonException e)
        {
            string where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at '{e.Path.TrimStart('$', '.')}'";
            throw WebRequestException.BadRequest($"The request body is not a valid {typeof(T).Name.Replace("Request", "", StringComparison.Ordinal)}{where}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    /// <summary>
    /// A file sent as the raw request body (the CSV and model uploads): its bytes, or 415 for a multipart form, 413
    /// beyond <paramref name="maxBytes"/> (<paramref name="cap"/> says the limit), 400 when empty.
    /// <paramref name="what"/> names what to send, e.g. "the CSV file's text (Content-Type: text/csv)".
    /// </summary>
    public static async Task<(byte[] Bytes, int Length)> ReadFileAsync(HttpRequest request, long maxBytes, string what, string cap)
    {
        // A multipart form wraps the file in boundaries and headers; any other body is taken as the file itself
        // (curl --data-binary sends it as application/x-www-form-urlencoded).
        if (request.ContentType is { } type && type.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            throw new WebRequestException(StatusCodes.Status415UnsupportedMediaType, $"Send {what} as the request body, not as a form.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, $"The file has {request.ContentLength} bytes; {cap}.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new WebRequestException(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the cap: {cap}.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw WebRequestException.BadRequest($"The request body is empty: send {StripContentType(what)}.");
        }

        return (buffer.GetBuffer(), (int)buffer.Length);
    }

    private static string StripContentType(string what) => what.IndexOf(" (", StringComparison.Ordinal) is var i and > 0 ? what[..i] : what;
}
