using Nonlinear.Web.Endpoints;

namespace Nonlinear.Web.Learners;

/// <summary>
/// Who is learning: <c>GET /api/learn/me</c>, choosing a profile by name (<c>POST /api/learn/profile</c>, loopback
/// only: no password) and signing out.
/// </summary>
internal static class IdentityEndpoints
{
    private const int MaxBody = 4096;

    public static void MapIdentity(this WebApplication web)
    {
        var app = web.MapGroup("/api/learn").WithRefusals();
        app.MapGet("/me", (HttpContext context, ServeOptions options, IdentityStore store) =>
        {
            var who = context.Learner();
            return Results.Json(
                new
                {
                    learner = who is null ? null : new { id = who.LearnerId, name = who.Name, role = who.Role },
                    classroom = options.Classroom,

                    // On one's own machine the page offers the profiles already made; in a classroom it would list the class.
                    profiles = options.Classroom ? [] : store.Names(),
                },
                WebJson.Options);
        });

        app.MapPost("/profile", async (HttpContext context, ServeOptions options, IdentityStore store) =>
        {
            if (options.Classroom)
            {
                throw new WebRequestException(StatusCodes.Status403Forbidden, "This is a classroom: join with the class's join code.");
            }

            var body = await RequestBody.ReadAsync<ProfileRequest>(context.Request, MaxBody).ConfigureAwait(false);
            var who = store.Profile(body.Name ?? "", SignedIn.LearnerRole);
            context.SetSessionCookie(store.StartSession(who));
            return Results.Json(new { learner = new { id = who.LearnerId, name = who.Name, role = who.Role } }, WebJson.Options);
        });

        app.MapPost("/signout", (HttpContext context, IdentityStore store) =>
        {
            if (context.SessionToken() is { } token)
            {
                store.EndSession(token);
            }

            context.ClearSessionCookie();
            return Results.NoContent();
        });
    }

    private sealed record ProfileRequest(string? Name);
}
