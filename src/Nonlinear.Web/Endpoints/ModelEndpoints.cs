using Nonlinear.Web.Images;
using Nonlinear.Web.ModelFiles;

namespace Nonlinear.Web.Endpoints;

/// <summary>
/// The Model tab's routes: <c>POST /api/models?name=&lt;file&gt;</c> with a model file's bytes as the body (read by the
/// library, kept like a CSV upload), its description and advice, and its results on the Fashion-MNIST test images.
/// </summary>
internal static class ModelEndpoints
{
    public static void MapModels(this WebApplication app)
    {
        var source = new ImageDataSource(app.Services.GetRequiredService<ServeOptions>());
        var models = app.MapGroup("/api/models").WithRefusals();
        models.MapPost("/", async (HttpRequest request, ModelStore store, PlaygroundLimits limits, string? name) =>
        {
            string file = string.IsNullOrWhiteSpace(name) ? "model.nlm" : Path.GetFileName(name.Trim());
            if (file.Length is 0 or > 200)
            {
                file = "model.nlm";
            }

            var (bytes, length) = await ReadBytesAsync(request, limits.MaxModelBytes).ConfigureAwait(false);
            var (saved, format) = ModelUploadReader.Read(bytes, length, file);
            var upload = store.Add(saved, file, format, length);
            return Results.Json(ModelDescription.Describe(upload, FashionFit.Check(saved, limits.MaxModelMultiplyAdds)), WebJson.Options, statusCode: StatusCodes.Status201Created);
        });

        models.MapGet("/{id}", (string id, ModelStore store, PlaygroundLimits limits) =>
        {
            var upload = store.Get(id);
            return Results.Json(ModelDescription.Describe(upload, FashionFit.Check(upload.Saved, limits.MaxModelMultiplyAdds)), WebJson.Options);
        });

        models.MapGet("/{id}/evaluation", async (string id, ModelStore store, PlaygroundLimits limits, HttpContext context) =>
        {
            var upload = store.Get(id);
            var fit = FashionFit.Check(upload.Saved, limits.MaxModelMultiplyAdds);
            if (!fit.Fits)
            {
                throw new WebRequestException(StatusCodes.Status422UnprocessableEntity, $"{upload.Name} cannot be evaluated on Fashion-MNIST: {fit.Reason}");
            }

            var images = source.Get();
            var cancel = context.RequestAborted;
            await upload.Gate.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                if (upload.Evaluation is null)
                {
                    await store.Evaluations.WaitAsync(cancel).ConfigureAwait(false);
                    try
                    {
                        // Not cancelled once started: the model's gate is held until the computation has finished with its buffers.
                        upload.Evaluation = await Task.Run(() => ModelEvaluation.Evaluate(upload, images, fit), CancellationToken.None).ConfigureAwait(false);
                    }
                    finally
                    {
                        store.Evaluations.Release();
                    }
                }

                return Results.Json(upload.Evaluation, WebJson.Options);
            }
            finally
            {
                upload.Gate.Release();
            }
        });

        models.MapDelete("/{id}", (string id, ModelStore store) =>
            store.Remove(id) ? Results.NoContent() : throw WebRequestException.NotFound($"No model file '{id}'."));
    }

    /// <summary>The body's bytes, or 413 beyond <paramref name="maxBytes"/>, 415 for a form, 400 when empty.</summary>
    private static Task<(byte[] Bytes, int Length)> ReadBytesAsync(HttpRequest request, long maxBytes)
        => RequestBody.ReadFileAsync(request, maxBytes, "the model file's bytes (Content-Type: application/octet-stream)", $"model files are limited to {ModelStore.Megabytes(maxBytes)}");
}
