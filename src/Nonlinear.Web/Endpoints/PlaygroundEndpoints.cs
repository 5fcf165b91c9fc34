using System.Security.Cryptography;
using System.Text.Json;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web.Endpoints;

/// <summary>The playground's routes: URL state, sessions and their commands, and the live stream.</summary>
internal static class PlaygroundEndpoints
{
    public static void MapPlayground(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithRefusals();
        api.MapGet("/health", (SessionRegistry sessions) => Results.Json(new { status = "ok", sessions = sessions.Count }, WebJson.Options));

        api.MapPost("/state/parse", async (HttpRequest request, SessionRegistry sessions) =>
        {
            var body = await RequestBody.ReadAsync<HashRequest>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false);
            var parsed = PlaygroundState.Parse(body.Hash, sessions.Limits);
            var config = PlaygroundConfigValidator.Validate(parsed.Config, sessions.Limits);
            return Results.Json(new { config, hash = PlaygroundState.Format(config), warnings = parsed.Warnings }, WebJson.Options);
        });

        api.MapPost("/state/format", async (HttpRequest request, SessionRegistry sessions) =>
        {
            var config = PlaygroundConfigValidator.Validate(
                await RequestBody.ReadAsync<PlaygroundConfig>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false), sessions.Limits);
            return Results.Json(new { hash = PlaygroundState.Format(config) }, WebJson.Options);
        });

        var session = api.MapGroup("/sessions");
        session.MapPost("/", async (HttpRequest request, SessionRegistry sessions, UploadStore uploads) =>
        {
            var body = await RequestBody.ReadAsync<SessionRequest>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false);
            IReadOnlyList<string> warnings = [];
            PlaygroundConfig config;
            if (body.Config is not null)
            {
                config = PlaygroundConfigValidator.Validate(body.Config, sessions.Limits);
            }
            else
            {
                var parsed = PlaygroundState.Parse(body.Hash, sessions.Limits);
                warnings = parsed.Warnings;
                config = PlaygroundConfigValidator.Validate(parsed.Config, sessions.Limits);
            }

            var created = new PlaygroundSession(sessions.Limits, uploads);
            created.Configure(config, warnings);
            sessions.Add(created);
            return View(created, StatusCodes.Status201Created);
        });

        session.MapGet("/{id}", async (string id, SessionRegistry sessions) =>
        {
            // The page asks after losing its stream: 404 tells it to start a new session from its link.
            var s = sessions.Get<PlaygroundSession>(id);
            return await s.InvokeAsync(() => View(s, StatusCodes.Status200OK)).ConfigureAwait(false);
        });

        session.MapPut("/{id}/config", async (string id, HttpRequest request, SessionRegistry sessions) =>
        {
            var s = sessions.Get<PlaygroundSession>(id);
            var config = PlaygroundConfigValidator.Validate(
                await RequestBody.ReadAsync<PlaygroundConfig>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false), sessions.Limits);
            return await s.InvokeAsync(() =>
            {
                s.Configure(config, []);
                return View(s, StatusCodes.Status200OK);
            }).ConfigureAwait(false);
        });

        session.MapPost("/{id}/play", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Play()));
        session.MapPost("/{id}/pause", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Pause()));
        session.MapPost("/{id}/step", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Step()));
        session.MapPost("/{id}/reset", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Reset()));
        session.MapPost("/{id}/regenerate", async (string id, SessionRegistry sessions) =>
        {
            var s = sessions.Get<PlaygroundSession>(id);
            return await s.InvokeAsync(() =>
            {
                // A new seed, as TF Playground's "regenerate": new points and new starting weights; the link keeps it.
                string seed = (RandomNumberGenerator.GetInt32(1, 1_000_000) / 1e6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
                s.Configure(s.Config with { Seed = seed }, []);
                return View(s, StatusCodes.Status200OK);
            }).ConfigureAwait(false);
        });

        session.MapPost("/{id}/weight", async (string id, HttpRequest request, SessionRegistry sessions) =>
        {
            var s = sessions.Get<PlaygroundSession>(id);
            var body = await RequestBody.ReadAsync<WeightRequest>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false);
            if (body.Layer is not { } layer || body.To is not { } to || body.From is not { } from || body.Value is not { } value)
            {
                throw WebRequestException.BadRequest("A weight edit needs layer, to, from (-1 for the bias) and value.");
            }

            float set = await s.InvokeAsync(() => s.SetWeight(layer, to, from, (float)value)).ConfigureAwait(false);
            return Results.Json(new { value = set }, WebJson.Options);
        });

        session.MapDelete("/{id}", (string id, SessionRegistry sessions) =>
            sessions.Remove(id) ? Results.NoContent() : throw WebRequestException.NotFound("No such session."));

        session.MapGet("/{id}/stream", async (string id, HttpContext context, SessionRegistry sessions) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return ProblemResults.Problem(StatusCodes.Status400BadRequest, "This address is the session's WebSocket stream: open it with a WebSocket.");
            }

            var s = sessions.Get<PlaygroundSession>(id);
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await s.StreamAsync(socket, context.RequestAborted).ConfigureAwait(false);
            return Results.Empty;
        });
    }

    private static async Task<IResult> Command(SessionRegistry sessions, string id, Func<PlaygroundSession, object> command)
    {
        var s = sessions.Get<PlaygroundSession>(id);
        var result = await s.InvokeAsync(() => command(s)).ConfigureAwait(false);
        return Results.Json(result, WebJson.Options);
    }

    private static IResult View(PlaygroundSession session, int status)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            session.WriteView(writer);
        }

        return Results.Text(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), "application/json", System.Text.Encoding.UTF8, status);
    }
}
