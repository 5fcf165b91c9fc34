using Nonlinear.Web.Security;

namespace Nonlinear.Web.Learners;

/// <summary>Finds who made a request from its session cookie.</summary>
internal static class LearnerContext
{
    /// <summary>The session cookie (HttpOnly, SameSite=Strict).</summary>
    public const string CookieName = "nl_session";

    private static readonly object Key = new();

    /// <summary>Who made the request, or null when it carries no valid session cookie.</summary>
    public static SignedIn? Learner(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(Key, out var cached))
        {
            return cached as SignedIn;
        }

        SignedIn? who = null;
        if (context.SessionToken() is { } token)
        {
            who = context.RequestServices.GetRequiredService<IdentityStore>().Find(token);
        }

        context.Items[Key] = who;
        return who;
    }

    /// <summary>The signed-in learner; a 401 the page shows when there is none.</summary>
    public static SignedIn RequireLearner(this HttpContext context) =>
        context.Learner() ?? throw new WebRequestException(StatusCodes.Status401Unauthorized, "Choose your name first (Learn → profile): progress and posts are kept per learner.");

    /// <summary>The signed-in instructor; 401 without a session, 403 for a learner.</summary>
    public static SignedIn RequireInstructor(this HttpContext context)
    {
        var who = context.Learner() ?? throw new WebRequestException(StatusCodes.Status401Unauthorized, "Sign in as the instructor first (the instructor code that 'nonlinear serve --classroom' printed).");
        return who.IsInstructor ? who : throw new WebRequestException(StatusCodes.Status403Forbidden, "Only the instructor can do this.");
    }

    /// <summary>The session token the request's cookie carries, or null.</summary>
    public static string? SessionToken(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Cookies.TryGetValue(CookieName, out var token) && !string.IsNullOrEmpty(token) ? token : null;
    }

    /// <summary>
    /// Sets the session cookie for <paramref name="token"/> (HttpOnly) and, with it, the forgery token cookie
    /// <c>nl_csrf</c> the page reads and echoes in <c>X-CSRF-Token</c> (see <see cref="CsrfGuard"/>).
    /// </summary>
    public static void SetSessionCookie(this HttpContext context, string token)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(token);
        context.Response.Cookies.Append(CookieName, token, Cookie(context, httpOnly: true));
        context.SetCsrfCookie(token);
        context.Items.Remove(Key);
    }

    /// <summary>Sets the forgery token cookie that goes with the session <paramref name="token"/>.</summary>
    public static void SetCsrfCookie(this HttpContext context, string token)
    {
        ArgumentNullException.ThrowIfNull(context);
        string csrf = context.RequestServices.GetRequiredService<CsrfKey>().Token(token);
        context.Response.Cookies.Append(CsrfKey.CookieName, csrf, Cookie(context, httpOnly: false));
    }

    /// <summary>Removes the session cookie and its forgery token cookie (signing out).</summary>
    public static void ClearSessionCookie(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
        context.Response.Cookies.Delete(CsrfKey.CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict });
        context.Items[Key] = null;
    }

    private static CookieOptions Cookie(HttpContext context, bool httpOnly) => new()
    {
        HttpOnly = httpOnly,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
        Secure = context.Request.IsHttps,
        MaxAge = TimeSpan.FromDays(365),
    };
}
