namespace Nonlinear.Web.Discuss;

/// <summary>
/// The host and port a page reached this server by (the request's Host header): a link to it is a link into this
/// app (no new tab; a playground link opens inline), a link anywhere else is external.
/// </summary>
/// <param name="Host">The host name or address, lower case, without brackets.</param>
/// <param name="Port">The port (80 or 443 when the Host header names none).</param>
internal sealed record PostOrigin(string Host, int Port)
{
    /// <summary>The origin of <paramref name="request"/>.</summary>
    public static PostOrigin Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.Host;
        return new PostOrigin(
            (host.Host ?? "").Trim('[', ']').ToLowerInvariant(),
            host.Port ?? (request.IsHttps ? 443 : 80));
    }

    /// <summary>Whether the absolute http(s) <paramref name="url"/> points at this origin.</summary>
    public bool Contains(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.Port == Port && string.Equals(url.IdnHost.Trim('[', ']'), Host, StringComparison.OrdinalIgnoreCase);
    }
}
