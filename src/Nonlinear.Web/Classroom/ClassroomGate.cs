using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Classroom;

/// <summary>
/// In classroom mode, every <c>/api/*</c> call and WebSocket needs a session (a learner who joined, or the
/// instructor), except the few the join form itself uses: <c>GET /api/health</c>, <c>GET /api/learn/me</c>,
/// <c>POST /api/classroom/join</c> and <c>POST /api/classroom/instructor</c>. The page's files load without one, so
/// the page can show the join form. Without a session: 401 with a problem telling how to join.
/// </summary>
internal static class ClassroomGate
{
    private static readonly (string Method, string Path)[] Open =
    [
        (HttpMethods.Get, "/api/health"),
        (HttpMethods.Get, "/api/learn/me"),
        (HttpMethods.Post, "/api/classroom/join"),
        (HttpMethods.Post, "/api/classroom/instructor"),
    ];

    /// <summary>Adds the gate when the server is a classroom (nothing otherwise).</summary>
    public static void UseClassroomGate(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<ServeOptions>().Classroom)
        {
            return;
        }

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !IsOpen(context.Request) && context.Learner() is null)
            {
                await ProblemResults.Problem(
                    StatusCodes.Status401Unauthorized,
                    "This is a classroom: join first with the class's join code and your name (Learn tab), or sign in with the instructor code.")
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }

    private static bool IsOpen(HttpRequest request)
    {
        string method = HttpMethods.IsHead(request.Method) ? HttpMethods.Get : request.Method;
        string path = (request.Path.Value ?? "").TrimEnd('/');
        return Open.Any(o => HttpMethods.Equals(o.Method, method) && string.Equals(o.Path, path, StringComparison.OrdinalIgnoreCase));
    }
}
