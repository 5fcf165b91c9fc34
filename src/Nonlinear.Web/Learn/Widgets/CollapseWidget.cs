using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The collapse widget: two linear layers W2(W1 x + b1) + b2 and the single layer W′x + b′ with W′ = W2 W1 and
/// b′ = W2 b1 + b2 (the library's <see cref="LinearCollapse"/>), both run by the engine on a few points to show they
/// give the same output.
/// </summary>
internal static class CollapseWidget
{
    private const double Limit = 1000;
    private const int MaxPoints = 8;

    /// <summary>The points shown when the request names none: the corners of XOR and two others.</summary>
    private static readonly double[][] DefaultPoints = [[0, 0], [1, 0], [0, 1], [1, 1], [-2, 0.5], [3, -1.5]];

    public static object Answer(CollapseWidgetRequest body)
    {
        var w1 = WidgetInput.Matrix(body.W1, "w1", 2, 2, Limit);
        var b1 = WidgetInput.Vector(body.B1, "b1", 2, Limit);
        var w2 = WidgetInput.Vector(body.W2, "w2", 2, Limit);
        double b2 = WidgetInput.Number(body.B2, "b2", Limit);
        var points = body.Points ?? DefaultPoints;
        if (points.Length is 0 or > MaxPoints)
        {
            throw WebRequestException.BadRequest($"points has {points.Length} entries; expected 1-{MaxPoints}.");
        }

        var xs = new float[points.Length * 2];
        for (int i = 0; i < points.Length; i++)
        {
            var p = WidgetInput.Vector(points[i], $"points[{i}]", 2, Limit);
            xs[2 * i] = (float)p[0];
            xs[2 * i + 1] = (float)p[1];
        }

        // Two layers with nothing between them: the linear stack the lesson collapses.
        var two = new Sequential([new Dense(2), new Dense(1)]);
        two.Build(new TensorShape(2), seed: 0);
        Copy(w1, two.Layers[0].Parameters[0].Value.Span);
        Copy(b1, two.Layers[0].Parameters[1].Value.Span);
        Copy(w2, two.Layers[1].Parameters[0].Value.Span);
        two.Layers[1].Parameters[1].Value.Span[0] = (float)b2;
        var map = LinearCollapse.Collapse(two)!;

        var one = new Sequential([new Dense(1)]);
        one.Build(new TensorShape(2), seed: 0);
        Copy([map.Weight[0, 0], map.Weight[0, 1]], one.Layers[0].Parameters[0].Value.Span);
        one.Layers[0].Parameters[1].Value.Span[0] = (float)map.Bias[0];

        var input = Tensor.FromArray(xs, points.Length, 2);
        float[] twoOut = [.. two.Forward(input).Span];
        float[] hidden = [.. two.Layers[0].LastOutput!.Span];
        float[] oneOut = [.. one.Forward(input).Span];
        var rows = Enumerable.Range(0, points.Length).Select(i => new
        {
            x = new[] { xs[2 * i], xs[2 * i + 1] },
            hidden = new[] { hidden[2 * i], hidden[2 * i + 1] },
            twoLayers = twoOut[i],
            oneLayer = oneOut[i],
            difference = Math.Abs((double)twoOut[i] - oneOut[i]),
        }).ToArray();

        return new
        {
            wPrime = new[] { map.Weight[0, 0], map.Weight[0, 1] },
            bPrime = map.Bias[0],
            equation = map.Format(5),
            points = rows,
            maxDifference = rows.Max(r => r.difference),
        };
    }

    private static void Copy(double[] from, Span<float> to)
    {
        for (int i = 0; i < from.Length; i++)
        {
            to[i] = (float)from[i];
        }
    }
}
