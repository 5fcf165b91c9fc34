using Microsoft.Extensions.Primitives;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Security;

/// <summary>
/// Refuses forged requests (docs/learn-api.md, "Forgery"): a POST, PUT, DELETE or PATCH under <c>/api/</c>, and a
/// WebSocket upgrade there, is refused (403) when the browser says it comes from another site (<c>Sec-Fetch-Site</c>
/// cross-site or same-site) or its <c>Origin</c> names another host than the request's. A state-changing request that
/// carries the session cookie must also carry <c>X-CSRF-Token</c>, the HMAC of its session token that the page reads
/// from the <c>nl_csrf</c> cookie. Requests without a cookie (scripts, the playground's own tests) only get the origin
/// checks: they cannot act as anybody.
/// </summary>
internal static class CsrfGuard
{
    /// <summary>Adds the guard to the pipeline.</summary>
    public static void UseCsrfGuard(this WebApplication app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            bool upgrade = IsUpgrade(request);
            bool changes = !upgrade && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));
            string? refusal = changes || upgrade ? Foreign(request) : null;
            string? token = context.SessionToken();
            if (refusal is null && changes && token is not null)
            {
                refusal = Missing(context, token);
            }

            if (refusal is not null)
            {
                await ProblemResults.Problem(StatusCodes.Status403Forbidden, refusal).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            // A page that lost its nl_csrf cookie (cleared alone, or set before the cookie existed) gets it back on its
            // next read, instead of failing every change until the learner signs in again.
            if (!changes && token is not null && !context.RequestServices.GetRequiredService<CsrfKey>().Matches(token, request.Cookies[CsrfKey.CookieName]))
            {
                context.SetCsrfCookie(token);
            }
        }

        await next(context).ConfigureAwait(false);
    });

    /// <summary>Why the request looks as if another site sent it, or null.</summary>
    public static string? Foreign(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase) || site.Equals("same-site", StringComparison.OrdinalIgnoreCase))
        {
            return $"Refused: the browser says this request comes from another site (Sec-Fetch-Site: {site}). Only Nonlinear's own page may change things here.";
        }

        StringValues origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return null;
        }

        string origin = origins.ToString();
        if (origins.Count > 1 || !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !SameHost(uri, request))
        {
            string shown = origin.Length > 100 ? origin[..100] + "…" : origin;
            return $"Refused: the request comes from the page of {shown}, not from this server ({request.Host}). Only Nonlinear's own page may change things here.";
        }

        return null;
    }

    private static bool SameHost(Uri origin, HttpRequest request)
    {
        if (!request.Host.HasValue)
        {
            return false;
        }

        int port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(origin.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase) && origin.Port == port;
    }

    private static string? Missing(HttpContext context, string sessionToken)
    {
        string header = context.Request.Headers[CsrfKey.HeaderName].ToString();
        if (string.IsNullOrEmpty(header))
        {
            return $"Refused: the request carries your session cookie but not its forgery token ({CsrfKey.HeaderName}). Reload the page and try again.";
        }

        return context.RequestServices.GetRequiredService<CsrfKey>().Matches(sessionToken, header)
            ? null
            : $"Refused: the forgery token ({CsrfKey.HeaderName}) does not match your session. Reload the page and try again.";
    }

    // HTTP/1.1 asks with "Upgrade: websocket", HTTP/2 with a CONNECT. A browser cannot add headers to a WebSocket, so
    // the origin checks (and SameSite=Strict on the cookie) are its protection.
    private static bool IsUpgrade(HttpRequest request) =>
        HttpMethods.IsConnect(request.Method) || request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
}
