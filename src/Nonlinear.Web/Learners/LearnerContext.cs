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
        if (context.Request.Cookies.TryGetValue(CookieName, out var token) && !string.IsNullOrEmpty(token))
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

    /// <summary>Sets the session cookie for <paramref name="token"/>.</summary>
    public static void SetSessionCookie(this HttpContext context, string token)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
            Secure = context.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(365),
        });
        context.Items.Remove(Key);
    }
}
