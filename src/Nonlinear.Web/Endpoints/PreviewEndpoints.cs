using System.Globalization;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;

namespace Nonlinear.Web.Endpoints;

/// <summary>
/// Small pictures for the page's pickers, computed here so the page computes nothing: each dataset's points (the
/// thumbnails of the Data column) and every input feature's heatmap (the Features column, active or not).
/// </summary>
internal static class PreviewEndpoints
{
    /// <summary>TF Playground draws its dataset thumbnails from 200 noiseless points.</summary>
    private const int PreviewPoints = 200;

    /// <summary>The seed of the thumbnails, so they look the same on every visit.</summary>
    private const string PreviewSeed = "preview";

    public static void MapPreviews(this WebApplication web)
    {
        var app = web.MapGroup("/api").WithRefusals();
        app.MapGet("/datasets/preview", (string? name, string? classes) =>
        {
            string dataset = (name ?? "").Trim().ToLowerInvariant();
            if (!PlaygroundData.ClassificationNames.Contains(dataset) && !PlaygroundData.RegressionNames.Contains(dataset))
            {
                throw WebRequestException.BadRequest(
                    $"dataset '{name}' has no preview; valid: {string.Join(", ", PlaygroundData.ClassificationNames.Concat(PlaygroundData.RegressionNames))}.");
            }

            int k = 2;
            if (classes is not null && (!int.TryParse(classes, NumberStyles.Integer, CultureInfo.InvariantCulture, out k) || k is < 2 or > 5))
            {
                throw WebRequestException.BadRequest($"classes = '{classes}' is out of range: expected 2-5.");
            }

            // Only spiral and gauss have more than two classes; the others ignore the count, as the config does not allow it.
            if (dataset is not ("spiral" or "gauss"))
            {
                k = 2;
            }

            var all = PlaygroundData.Generate(dataset, k, noisePercent: 0, PlaygroundData.SeedOf(PreviewSeed));
            int step = Math.Max(1, all.Count / PreviewPoints);
            var picked = Enumerable.Range(0, all.Count / step).Select(i => i * step).ToArray();
            var points = all.Take(picked);
            return Results.Json(new { name = dataset, classes = k, x = points.X, y = points.Y, label = points.Label }, WebJson.Options);
        });

        app.MapGet("/features/thumbs", () =>
        {
            int thumb = PlaygroundSession.ThumbSize;
            var values = new float[thumb * thumb];
            var bytes = new byte[thumb * thumb];
            var thumbs = new List<object>();
            foreach (string feature in InputFeatures.Names)
            {
                // The same cells as a session's feature thumbnails: every second point of the output grid.
                for (int r = 0; r < thumb; r++)
                {
                    for (int c = 0; c < thumb; c++)
                    {
                        double x = PlaygroundSession.GridCoordinate(2 * c), y = -PlaygroundSession.GridCoordinate(2 * r);
                        values[r * thumb + c] = (float)InputFeatures.Value(feature, x, y);
                    }
                }

                float lo = values.Min(), hi = values.Max();
                FrameWriter.Quantize(values, lo, hi, bytes);
                thumbs.Add(new { name = feature, label = InputFeatures.Label(feature), lo, hi, data = Convert.ToBase64String(bytes) });
            }

            return Results.Json(new { thumb, features = thumbs }, WebJson.Options);
        });
    }
}
