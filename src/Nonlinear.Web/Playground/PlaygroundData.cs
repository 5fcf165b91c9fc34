using System.Text;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The playground's 2-D datasets, generated from the config's seed: TensorFlow Playground's four classification
/// sets (circle, xor, gauss, spiral) and two regression sets (reg-plane, reg-gauss) with its sizes, shapes and
/// noise; spiral and gauss with up to five classes; and points above or below a function (sine, cubic, abs).
/// </summary>
/// <remarks>
/// Class labels are 0, 1, ...: TF Playground's -1 is class 0 (orange) and +1 is class 1 (blue). Noise is the
/// config's percentage divided by 100, used as TF Playground uses it (a random shift of the point before it is
/// labelled, so noisy points land on the wrong side; the gauss variance grows from 0.5 to 4). The same config gives
/// the same points bit for bit.
/// </remarks>
public static class PlaygroundData
{
    /// <summary>TF Playground's number of points for classification.</summary>
    public const int ClassificationSamples = 500;

    /// <summary>TF Playground's number of points for regression.</summary>
    public const int RegressionSamples = 1200;

    /// <summary>Half the side of the square the points and the heatmaps cover.</summary>
    public const double Domain = 6;

    /// <summary>The classification dataset names.</summary>
    public static IReadOnlyList<string> ClassificationNames { get; } = ["circle", "xor", "gauss", "spiral", "sine", "cubic", "abs"];

    /// <summary>The regression dataset names.</summary>
    public static IReadOnlyList<string> RegressionNames { get; } = ["reg-plane", "reg-gauss"];

    /// <summary>A stable 31-bit seed from TF Playground's seed text (FNV-1a of its UTF-8 bytes).</summary>
    public static int SeedOf(string seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        uint h = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(seed))
        {
            h = (h ^ b) * 16777619;
        }

        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>All points of the config's dataset, in generation order (before the train/test split).</summary>
    /// <exception cref="ArgumentException">The dataset name is unknown (the message lists the valid ones).</exception>
    public static PlaygroundPoints Generate(string dataset, int classes, int noisePercent, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var rng = new Random(seed);
        double noise = noisePercent / 100.0;
        var points = new List<(double X, double Y, double Label)>();
        switch (dataset)
        {
            case "circle":
                Circle(rng, ClassificationSamples, noise, points);
                break;
            case "xor":
                Xor(rng, ClassificationSamples, noise, points);
                break;
            case "gauss":
                Gauss(rng, ClassificationSamples, noise, classes, points);
                break;
            case "spiral":
                Spiral(rng, ClassificationSamples, noise, classes, points);
                break;
            case "sine":
                AboveFunction(rng, ClassificationSamples, noise, u => Math.Sin(u), points);
                break;
            case "cubic":
                AboveFunction(rng, ClassificationSamples, noise, u => u * u * u - u, points);
                break;
            case "abs":
                AboveFunction(rng, ClassificationSamples, noise, Math.Abs, points);
                break;
            case "reg-plane":
                // TF Playground's linear scale [-10, 10] -> [-1, 1] is not clamped: corners reach ±1.2.
                Regression(rng, RegressionSamples, noise, (x, y) => (x + y) / 10, points);
                break;
            case "reg-gauss":
                Regression(rng, RegressionSamples, noise, GaussBumps, points);
                break;
            default:
                throw new ArgumentException(
                    $"Unknown dataset '{dataset}'; valid: {string.Join(", ", ClassificationNames.Concat(RegressionNames))}.", nameof(dataset));
        }

        var x = new float[points.Count];
        var y = new float[points.Count];
        var label = new float[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            (x[i], y[i], label[i]) = ((float)points[i].X, (float)points[i].Y, (float)points[i].Label);
        }

        return new PlaygroundPoints(x, y, label);
    }

    /// <summary>
    /// Shuffles the points with <paramref name="seed"/> and splits them: the first <paramref name="percTrain"/>
    /// percent (rounded down, as TF Playground does) train, the rest test; each side keeps at least one point.
    /// </summary>
    public static (PlaygroundPoints Train, PlaygroundPoints Test) Split(PlaygroundPoints points, int percTrain, int seed)
    {
        ArgumentNullException.ThrowIfNull(points);
        var (train, test) = SplitIndices(points.Count, percTrain, seed);
        return (points.Take(train), points.Take(test));
    }

    /// <summary>The row indices of <see cref="Split"/>: shuffled with <paramref name="seed"/>, then cut at <paramref name="percTrain"/> percent.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than two rows (nothing to split).</exception>
    public static (int[] Train, int[] Test) SplitIndices(int count, int percTrain, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed ^ 0x5bd1e995).Shuffle(order);
        int train = Math.Clamp((int)((long)count * percTrain / 100), 1, count - 1);
        return (order[..train], order[train..]);
    }

    private static double Uniform(Random rng, double a, double b) => a + (b - a) * rng.NextDouble();

    private static double Normal(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void Circle(Random rng, int n, double noise, List<(double, double, double)> points)
    {
        const double radius = 5;
        for (int half = 0; half < 2; half++)
        {
            for (int i = 0; i < n / 2; i++)
            {
                double r = half == 0 ? Uniform(rng, 0, radius * 0.5) : Uniform(rng, radius * 0.7, radius);
                double angle = Uniform(rng, 0, 2 * Math.PI);
                double x = r * Math.Sin(angle), y = r * Math.Cos(angle);
                double nx = Uniform(rng, -radius, radius) * noise, ny = Uniform(rng, -radius, radius) * noise;
                bool inside = Math.Sqrt((x + nx) * (x + nx) + (y + ny) * (y + ny)) < radius * 0.5;
                points.Add((x, y, inside ? 1 : 0));
            }
        }
    }

    private static void Xor(Random rng, int n, double noise, List<(double, double, double)> points)
    {
        const double padding = 0.3;
        for (int i = 0; i < n; i++)
        {
            double x = Uniform(rng, -5, 5);
            x += x > 0 ? padding : -padding;
            double y = Uniform(rng, -5, 5);
            y += y > 0 ? padding : -padding;
            double nx = Uniform(rng, -5, 5) * noise, ny = Uniform(rng, -5, 5) * noise;
            points.Add((x, y, (x + nx) * (y + ny) >= 0 ? 1 : 0));
        }
    }

    private static void Gauss(Random rng, int n, double noise, int classes, List<(double, double, double)> points)
    {
        // TF Playground: variance from 0.5 (no noise) to 4 (50 %), centres (2, 2) for +1 and (-2, -2) for -1. With
        // more classes the centres sit on the same circle (radius 2√2), evenly spaced from (2, 2).
        double sd = Math.Sqrt(0.5 + (4 - 0.5) * noise / 0.5);
        for (int k = 0; k < classes; k++)
        {
            int label = classes == 2 ? 1 - k : k;
            double angle = Math.PI / 4 + 2 * Math.PI * k / classes;
            double cx = Math.Sqrt(8) * Math.Cos(angle), cy = Math.Sqrt(8) * Math.Sin(angle);
            for (int i = 0; i < n / classes; i++)
            {
                points.Add((cx + sd * Normal(rng), cy + sd * Normal(rng), label));
            }
        }
    }

    private static void Spiral(Random rng, int n, double noise, int classes, List<(double, double, double)> points)
    {
        // TF Playground's two arms (+1 at angle offset 0, -1 at pi), generalised to K arms 2 pi / K apart.
        int perArm = n / classes;
        for (int k = 0; k < classes; k++)
        {
            int label = classes == 2 ? 1 - k : k;
            double delta = 2 * Math.PI * k / classes;
            for (int i = 0; i < perArm; i++)
            {
                double r = (double)i / perArm * 5;
                double t = 1.75 * i / perArm * 2 * Math.PI + delta;
                double x = r * Math.Sin(t) + Uniform(rng, -1, 1) * noise;
                double y = r * Math.Cos(t) + Uniform(rng, -1, 1) * noise;
                points.Add((x, y, label));
            }
        }
    }

    private static void AboveFunction(Random rng, int n, double noise, Func<double, double> f, List<(double, double, double)> points)
    {
        // The boundary is y = 2 f(x / 2): the function drawn in units of 2, so its shape fills the [-6, 6] square.
        for (int i = 0; i < n; i++)
        {
            double x = Uniform(rng, -Domain, Domain), y = Uniform(rng, -Domain, Domain);
            double nx = Uniform(rng, -Domain, Domain) * noise, ny = Uniform(rng, -Domain, Domain) * noise;
            points.Add((x, y, y + ny > 2 * f((x + nx) / 2) ? 1 : 0));
        }
    }

    private static void Regression(Random rng, int n, double noise, Func<double, double, double> label, List<(double, double, double)> points)
    {
        for (int i = 0; i < n; i++)
        {
            double x = Uniform(rng, -Domain, Domain), y = Uniform(rng, -Domain, Domain);
            double nx = Uniform(rng, -Domain, Domain) * noise, ny = Uniform(rng, -Domain, Domain) * noise;
            points.Add((x, y, label(x + nx, y + ny)));
        }
    }

    private static double GaussBumps(double x, double y)
    {
        // TF Playground's six bumps: +1 or -1 at each centre, falling linearly to 0 at distance 2; the largest in
        // magnitude wins.
        ReadOnlySpan<double> centres = [-4, 2.5, 1, 0, 2.5, -1, 4, 2.5, 1, -4, -2.5, -1, 0, -2.5, 1, 4, -2.5, -1];
        double best = 0;
        for (int i = 0; i < centres.Length; i += 3)
        {
            double d = Math.Sqrt((x - centres[i]) * (x - centres[i]) + (y - centres[i + 1]) * (y - centres[i + 1]));
            double v = centres[i + 2] * Math.Clamp(1 - d / 2, 0, 1);
            if (Math.Abs(v) > Math.Abs(best))
            {
                best = v;
            }
        }

        return best;
    }
}
