using System.Globalization;
using System.Text.Json;
using Nonlinear.Web.Images;
using Nonlinear.Web.Sessions;

namespace Nonlinear.Web.Endpoints;

/// <summary>The Images tab's routes: the gallery of test images, sessions and their commands, the stream, and classify.</summary>
internal static class ImageEndpoints
{
    public static void MapImages(this WebApplication app)
    {
        var source = new ImageDataSource(app.Services.GetRequiredService<ServeOptions>());
        var images = app.MapGroup("/api/images").WithRefusals();
        images.MapGet("/gallery", () =>
        {
            var data = source.Get();
            return Results.Json(new
            {
                count = data.GalleryLabels.Count,
                side = ImageData.Side,
                labels = data.GalleryLabels,
                classNames = ImageData.ClassNames,
                pixels = Convert.ToBase64String(data.GalleryPixels),
            }, WebJson.Options);
        });

        var session = images.MapGroup("/sessions");
        session.MapPost("/", async (HttpRequest request, SessionRegistry sessions) =>
        {
            var config = ImageModels.Validate(request.ContentLength == 0
                ? new ImageConfig()
                : (await RequestBody.ReadAsync<ImageSessionRequest>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false)).Config ?? new ImageConfig());
            var created = new ImageSession(sessions.Limits, source.Get());
            created.Configure(config);
            sessions.Add(created);
            return View(created, StatusCodes.Status201Created);
        });

        session.MapPut("/{id}/config", async (string id, HttpRequest request, SessionRegistry sessions) =>
        {
            var s = sessions.Get<ImageSession>(id);
            var config = ImageModels.Validate(await RequestBody.ReadAsync<ImageConfig>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false));
            return await s.InvokeAsync(() =>
            {
                s.Configure(config);
                return View(s, StatusCodes.Status200OK);
            }).ConfigureAwait(false);
        });

        session.MapPost("/{id}/play", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Play()));
        session.MapPost("/{id}/pause", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Pause()));
        session.MapPost("/{id}/reset", (string id, SessionRegistry sessions) => Command(sessions, id, s => s.Reset()));
        session.MapPost("/{id}/step", (string id, HttpRequest request, SessionRegistry sessions) =>
        {
            int? batches = null;
            if (request.Query.TryGetValue("batches", out var text))
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > ImageSession.MaxStepBatches)
                {
                    throw WebRequestException.BadRequest($"batches = '{text}' is not a whole number of batches in 1-{ImageSession.MaxStepBatches}.");
                }

                batches = n;
            }

            return Command(sessions, id, s => s.Step(batches));
        });

        session.MapPost("/{id}/classify", async (string id, HttpRequest request, SessionRegistry sessions) =>
        {
            var s = sessions.Get<ImageSession>(id);
            var body = await RequestBody.ReadAsync<ClassifyRequest>(request, sessions.Limits.MaxJsonBytes).ConfigureAwait(false);
            var pixels = CheckPixels(body.Pixels);
            return Results.Json(await s.InvokeAsync(() => s.Classify(pixels)).ConfigureAwait(false), WebJson.Options);
        });

        session.MapDelete("/{id}", (string id, SessionRegistry sessions) =>
        {
            sessions.Get<ImageSession>(id);
            sessions.Remove(id);
            return Results.NoContent();
        });

        session.MapGet("/{id}/stream", async (string id, HttpContext context, SessionRegistry sessions) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return ProblemResults.Problem(StatusCodes.Status400BadRequest, "This address is the session's WebSocket stream: open it with a WebSocket.");
            }

            var s = sessions.Get<ImageSession>(id);
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            await s.StreamAsync(socket, context.RequestAborted).ConfigureAwait(false);
            return Results.Empty;
        });
    }

    /// <summary>The drawing's pixels, or a 400 naming the first that is missing, not finite or outside [0, 1].</summary>
    private static double[] CheckPixels(double[]? pixels)
    {
        const int Count = ImageData.Side * ImageData.Side;
        const string Expected = "expected 784 numbers in [0, 1] (28x28, row by row from the top left, white ink = 1 on black = 0)";
        if (pixels is null)
        {
            throw WebRequestException.BadRequest($"pixels is missing: {Expected}.");
        }

        if (pixels.Length != Count)
        {
            throw WebRequestException.BadRequest($"pixels has {pixels.Length} values: {Expected}.");
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            if (!(pixels[i] >= 0 && pixels[i] <= 1))
            {
                throw WebRequestException.BadRequest($"pixels[{i}] = {pixels[i].ToString(CultureInfo.InvariantCulture)} is outside [0, 1]: {Expected}.");
            }
        }

        return pixels;
    }

    private static async Task<IResult> Command(SessionRegistry sessions, string id, Func<ImageSession, object> command)
    {
        var s = sessions.Get<ImageSession>(id);
        var result = await s.InvokeAsync(() => command(s)).ConfigureAwait(false);
        return Results.Json(result, WebJson.Options);
    }

    private static IResult View(ImageSession session, int status)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            session.WriteView(writer);
        }

        return Results.Text(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), "application/json", System.Text.Encoding.UTF8, status);
    }
}
