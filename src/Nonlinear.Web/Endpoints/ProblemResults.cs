using Microsoft.AspNetCore.Diagnostics;

namespace Nonlinear.Web.Endpoints;

/// <summary>
/// Turns every failure into a JSON problem the page can show: a refusal keeps its 4xx and message, a malformed
/// request is a 400, and anything unexpected is logged and answered without a stack trace.
/// </summary>
internal static class ProblemResults
{
    public static IResult Problem(int status, string detail) => Results.Json(
        new { title = Title(status), status, detail },
        WebJson.Options,
        "application/problem+json",
        status);

    /// <summary>Answers a refusal thrown by an endpoint with its problem (no exception reaches the middleware or the log).</summary>
    public static TBuilder WithRefusals<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (WebRequestException refusal)
            {
                return Problem(refusal.Status, refusal.Message);
            }
        });
        return builder;
    }

    public static void UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, detail) = error switch
            {
                WebRequestException refusal => (refusal.Status, refusal.Message),
                BadHttpRequestException bad => (bad.StatusCode, $"The request is malformed: {bad.Message}"),
                OperationCanceledException => (StatusCodes.Status400BadRequest, "The request was cancelled."),
                _ => (StatusCodes.Status500InternalServerError, "The server failed on this request; it has been logged."),
            };
            if (status >= 500)
            {
                app.Logger.LogError(error, "Unhandled failure on {Path}", context.Request.Path);
            }

            await Problem(status, detail).ExecuteAsync(context).ConfigureAwait(false);
        }));
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            if (response.ContentLength is null && response.ContentType is null)
            {
                await Problem(response.StatusCode, response.StatusCode == 404 ? $"Nothing at {context.HttpContext.Request.Path}." : Title(response.StatusCode))
                    .ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            }
        });
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad request",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        413 => "Too large",
        415 => "Unsupported media type",
        429 => "Too many",
        _ => status >= 500 ? "Server error" : "Refused",
    };
}
