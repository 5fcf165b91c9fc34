using System.Globalization;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learners;

namespace Nonlinear.Web.Classroom;

/// <summary>
/// Classroom mode: learners join with the join code and a name (<c>POST /api/classroom/join</c>), the instructor signs
/// in with the instructor code (<c>POST /api/classroom/instructor</c>) and sees the class's progress
/// (<c>GET /api/classroom/progress</c>). Wrong codes are counted per client address (<see cref="CodeGuesses"/>).
/// </summary>
internal static class ClassroomEndpoints
{
    private const int MaxBody = 4096;

    public static void MapClassroom(this WebApplication web)
    {
        var app = web.MapGroup("/api/classroom").WithRefusals();
        app.MapPost("/join", async (HttpContext context, IdentityStore store, CodeGuesses guesses) =>
        {
            var body = await RequestBody.ReadAsync<JoinRequest>(context.Request, MaxBody).ConfigureAwait(false);
            CheckCode(context, guesses, body.Code, static (c, code) => c.IsJoinCode(code), "join code", "the code your instructor gave the class");
            string name = IdentityStore.CleanName(body.Name);
            if (string.Equals(name, IdentityStore.InstructorName, StringComparison.OrdinalIgnoreCase))
            {
                throw new WebRequestException(StatusCodes.Status409Conflict, $"The name '{IdentityStore.InstructorName}' is kept for the instructor; choose another.");
            }

            // Joining again from the browser that already holds this name keeps its session.
            if (context.Learner() is { IsInstructor: false } already && string.Equals(already.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                context.SetSessionCookie(context.SessionToken()!);
                return Answer(already);
            }

            var joined = store.Join(name) ?? throw new WebRequestException(
                StatusCodes.Status409Conflict,
                $"Someone in this class already uses the name '{name}'. Choose another (add an initial, say); if it is you in another browser, sign out there first.");
            context.SetSessionCookie(joined.Token);
            return Answer(joined.Who);
        });

        app.MapPost("/instructor", async (HttpContext context, IdentityStore store, CodeGuesses guesses) =>
        {
            var body = await RequestBody.ReadAsync<InstructorRequest>(context.Request, MaxBody).ConfigureAwait(false);
            CheckCode(context, guesses, body.Code, static (c, code) => c.IsInstructorCode(code), "instructor code", "the instructor code 'nonlinear serve --classroom' printed");
            var who = store.Profile(IdentityStore.InstructorName, SignedIn.InstructorRole);
            context.SetSessionCookie(store.StartSession(who));
            return Answer(who);
        });

        app.MapGet("/progress", (HttpContext context, ClassProgress progress) =>
        {
            context.RequireInstructor();
            return Results.Json(progress.Read(), WebJson.Options);
        });
    }

    private static void CheckCode(HttpContext context, CodeGuesses guesses, string? code, Func<ClassroomCodes, string, bool> matches, string what, string where)
    {
        // Registered only in classroom mode.
        var codes = context.RequestServices.GetService<ClassroomCodes>();
        if (codes is null)
        {
            throw new WebRequestException(StatusCodes.Status403Forbidden, "This server is not a classroom (it was started without --classroom): choose your name on the Learn page instead.");
        }

        var address = context.Connection.RemoteIpAddress;
        if (guesses.Wait(address) is { } wait)
        {
            int seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            throw new WebRequestException(StatusCodes.Status429TooManyRequests, $"Too many wrong codes from your address: try again in {seconds} s.");
        }

        if (string.IsNullOrWhiteSpace(code))
        {
            guesses.Wrong(address);
            throw new WebRequestException(StatusCodes.Status403Forbidden, $"Give the {what}: {where}.");
        }

        if (!matches(codes, code))
        {
            guesses.Wrong(address);
            throw new WebRequestException(StatusCodes.Status403Forbidden, $"That is not the {what}. Check it against {where} (letters and digits; case does not matter).");
        }
    }

    private static IResult Answer(SignedIn who) =>
        Results.Json(new { learner = new { id = who.LearnerId, name = who.Name, role = who.Role } }, WebJson.Options);

    private sealed record JoinRequest(string? Code, string? Name);

    private sealed record InstructorRequest(string? Code);
}
