namespace Nonlinear.Web.Security;

/// <summary>
/// Headers on every answer that keep the page to its own files: a Content-Security-Policy allowing scripts, styles,
/// images, connections and frames from this server only (inline styles are allowed: the page sets sizes and colours
/// from script; inline scripts and event-handler attributes are not), no framing by other sites, no MIME sniffing, and
/// no full address sent to other sites.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>The policy; <c>connect-src 'self'</c> covers the page's WebSockets to its own host (CSP level 3).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        + "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'";

    /// <summary>Adds the headers to every response, errors included (set as the response starts).</summary>
    public static void UseSecurityHeaders(this WebApplication app) => app.Use((context, next) =>
    {
        var response = context.Response;
        response.OnStarting(() =>
        {
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
