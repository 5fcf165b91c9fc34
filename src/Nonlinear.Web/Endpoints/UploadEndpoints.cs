using System.Text;
using Nonlinear.Data;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web.Endpoints;

/// <summary>
/// CSV uploads: <c>POST /api/uploads?label=&lt;column&gt;&amp;name=&lt;file&gt;</c> with the file's text as the body, read by the
/// library's CSV reader (header detection, string labels, errors with line and column) into the upload store.
/// </summary>
internal static class UploadEndpoints
{
    /// <summary>The most classes a table may have: the playground draws and counts each one (confusion matrix, colours).</summary>
    public const int MaxClasses = 20;

    /// <summary>The most input columns: every weight of the first layer goes to the page in each frame.</summary>
    public const int MaxColumns = 1024;

    public static void MapUploads(this WebApplication app)
    {
        var uploads = app.MapGroup("/api/uploads").WithRefusals();
        uploads.MapPost("/", async (HttpRequest request, UploadStore store, PlaygroundLimits limits, string? label, string? name, string? task) =>
        {
            string file = string.IsNullOrWhiteSpace(name) ? "upload.csv" : Path.GetFileName(name.Trim());
            if (file.Length is 0 or > 200)
            {
                file = "upload.csv";
            }

            TaskKind? forced = task?.Trim().ToLowerInvariant() switch
            {
                null or "" or "auto" => null,
                "regression" => TaskKind.Regression,
                _ => throw WebRequestException.BadRequest($"task '{task}' is not 'auto' or 'regression' (classification is chosen from the labels)."),
            };
            string text = await ReadTextAsync(request, limits.MaxUploadBytes).ConfigureAwait(false);
            Dataset data;
            try
            {
                data = CsvDataset.Parse(text, new CsvOptions { Name = file, LabelColumn = string.IsNullOrWhiteSpace(label) ? null : label, Task = forced });
            }
            catch (DataFormatException e)
            {
                throw WebRequestException.BadRequest(e.Message);
            }
            catch (ArgumentException e)
            {
                throw WebRequestException.BadRequest($"{file}: {e.Message}");
            }

            if (data.Count > limits.MaxUploadRows)
            {
                throw new WebRequestException(StatusCodes.Status413PayloadTooLarge,
                    $"{file} has {data.Count} data rows; this server accepts at most {limits.MaxUploadRows}.");
            }

            if (data.Count < 2)
            {
                throw WebRequestException.BadRequest($"{file} has {data.Count} data row; training and testing need at least 2.");
            }

            if (data.ClassCount > MaxClasses)
            {
                throw WebRequestException.BadRequest(
                    $"{file}: the label column '{data.LabelName}' holds {data.ClassCount} classes; the playground trains at most {MaxClasses}. Choose another label column, or task=regression for a numeric one.");
            }

            if (data.FeatureShape.Length > MaxColumns)
            {
                throw WebRequestException.BadRequest($"{file} has {data.FeatureShape.Length} input columns; the playground takes at most {MaxColumns}.");
            }

            var upload = store.Add(data, file);
            return Results.Json(upload.Describe(), WebJson.Options, statusCode: StatusCodes.Status201Created);
        });

        uploads.MapGet("/{id}", (string id, UploadStore store) => Results.Json(store.Get(id).Describe(), WebJson.Options));

        uploads.MapDelete("/{id}", (string id, UploadStore store) =>
            store.Remove(id) ? Results.NoContent() : throw WebRequestException.NotFound($"No uploaded table '{id}'."));
    }

    /// <summary>The body as UTF-8 text (a byte-order mark dropped, invalid bytes as U+FFFD), or 413 beyond <paramref name="maxBytes"/>.</summary>
    private static async Task<string> ReadTextAsync(HttpRequest request, long maxBytes)
    {
        var (bytes, length) = await RequestBody.ReadFileAsync(request, maxBytes, "the CSV file's text (Content-Type: text/csv)", $"uploads are limited to {Uploads.UploadStore.Megabytes(maxBytes)}").ConfigureAwait(false);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(bytes, 0, length);
    }
}
