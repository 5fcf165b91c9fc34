using System.Globalization;
using Nonlinear.Activations;

namespace Nonlinear.Web.Endpoints;

/// <summary>The activation catalog for the page: its cards, and curves f and f' computed by the engine's kernels.</summary>
internal static class CatalogEndpoints
{
    private const int MaxPoints = 2001;

    public static void MapCatalog(this WebApplication web)
    {
        var app = web.MapGroup("").WithRefusals();
        app.MapGet("/api/activations", () => Results.Json(
            ActivationRegistry.All.Select(d => Card(d.CreateDefault(), d)).ToArray(), WebJson.Options));

        app.MapGet("/api/activations/{spec}", (string spec) =>
        {
            var activation = Parse(spec);
            return Results.Json(Card(activation, ActivationRegistry.Find(activation.Name)!), WebJson.Options);
        });

        app.MapGet("/api/activations/curve", (string? spec, string? from, string? to, string? n) =>
        {
            var activation = Parse(spec);
            double lo = Number(from, -5, "from"), hi = Number(to, 5, "to");
            double points = Number(n, 201, "n");
            if (!(lo < hi) || hi - lo > 1e6)
            {
                throw WebRequestException.BadRequest($"from = {lo} and to = {hi}: expected from < to, at most 1e6 apart.");
            }

            // Checked before the cast: (int)1e10 would name the wrong number, and n = 2.5 is no count.
            if (!(points >= 2 && points <= MaxPoints && points == Math.Floor(points)))
            {
                throw WebRequestException.BadRequest($"n = {points} is out of range: expected a whole number of points, 2-{MaxPoints}.");
            }

            int count = (int)points;

            var x = new float[count];
            for (int i = 0; i < count; i++)
            {
                x[i] = (float)(lo + (hi - lo) * i / (count - 1));
            }

            var y = new float[count];
            var dy = new float[count];
            var ones = new float[count];
            Array.Fill(ones, 1f);
            int row = activation.IsRowWise ? count : count;
            activation.Forward(x, y, row);
            activation.Backward(x, y, ones, dy, row);
            return Results.Json(new { spec = activation.Spec, x = Finite(x), f = Finite(y), df = Finite(dy) }, WebJson.Options);
        });
    }

    // JSON has no NaN or infinity (writing one fails the answer half-sent): such a point is null, a gap in the drawn
    // curve. Some parameters overflow float, e.g. softplus:beta=1e-40 gives ln 2 / beta = inf.
    private static float?[] Finite(float[] values) => Array.ConvertAll(values, v => float.IsFinite(v) ? v : (float?)null);

    private static Activation Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw WebRequestException.BadRequest("Name an activation: spec=relu, tanh, leaky_relu:0.1, ...");
        }

        if (!ActivationRegistry.TryParse(spec, out var activation, out var error))
        {
            throw WebRequestException.BadRequest(error!);
        }

        return activation!;
    }

    private static double Number(string? text, double fallback, string name)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw WebRequestException.BadRequest($"{name} = '{text}' is not a finite number.");
        }

        return value;
    }

    private static object Card(Activation activation, ActivationDescriptor descriptor)
    {
        var info = activation.Info;
        return new
        {
            name = descriptor.Name,
            spec = activation.Spec,
            aliases = descriptor.Aliases,
            summary = descriptor.Summary,
            rowWise = activation.IsRowWise,
            formula = info.Formula,
            derivative = info.DerivativeFormula,
            range = info.OutputRange,
            zeroCentred = info.ZeroCentred,
            monotonic = info.Monotonic,
            derivativeRange = info.DerivativeRange,
            derivativeMax = double.IsFinite(info.DerivativeMax) ? info.DerivativeMax : (double?)null,
            derivativePeak = info.DerivativePeak,
            convention = info.Convention,
            usedIn = info.UsedIn,
            whyItWorks = info.WhyItWorks,
            limitations = info.Limitations,
            family = info.Family.ToString(),
            pytorch = info.PyTorch,
            parameters = descriptor.Parameters.Select(p => new
            {
                name = p.Name,
                description = p.Description,
                @default = p.Default,
                range = p.RangeText,
                choices = p.Choices,
            }),
        };
    }
}
