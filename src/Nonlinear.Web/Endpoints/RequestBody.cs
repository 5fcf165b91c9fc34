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
}
