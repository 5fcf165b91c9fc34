using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// The classic 2-D playground datasets (XOR, circles, moons, spirals, Gaussian blobs), generated from a seed.
/// Every set has features [N, 2].
/// </summary>
/// <remarks>
/// <para>
/// Reproducible: all randomness comes from one <c>new Random(seed)</c> per call, consumed in a fixed order,
/// and Gaussian noise uses Box-Muller (both outputs of a pair go to one point's x and y), so the same
/// arguments give the same data bit for bit. Points are computed in double and rounded to float once.
/// </para>
/// <para>
/// Balanced and interleaved: sample i belongs to class i mod K, so the classes get equal counts (the first
/// count mod K classes one extra) and every prefix of the data is balanced too.
/// </para>
/// <para>
/// <c>noise</c> is the standard deviation of Gaussian noise added to each coordinate, in the same units as the
/// shapes, which all fit roughly in [-1, 1] (moons: [-1, 2] x [-0.5, 1], as in scikit-learn).
/// </para>
/// </remarks>
/// <example><code>
/// var data = SyntheticData.Create("spiral", 500, noise: 0.05, seed: 42);
/// </code></example>
public static class SyntheticData
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["xor", "xor-cloud", "circles", "moons", "spiral", "gaussian"];

    /// <summary>
    /// The four XOR points (0,0)→0, (0,1)→1, (1,0)→1, (1,1)→0, in that order; Binary. No line separates them,
    /// so a model without a hidden non-linearity cannot fit them.
    /// </summary>
    public static Dataset Xor() => Build(
        "xor",
        TaskKind.Binary,
        2,
        [0, 0, 0, 1, 1, 0, 1, 1],
        [0, 1, 1, 0]);

    /// <summary>
    /// Points uniform in [-1, 1]^2 labelled 1 when x1 and x2 have opposite signs (sign(x1) xor sign(x2)), then
    /// Gaussian noise of standard deviation <paramref name="noise"/> added to the features (the labels keep the
    /// clean quadrant, so noise pushes some points across the axes). Binary; the quadrants are equally filled.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 2 or <paramref name="noise"/> is negative or not finite.</exception>
    public static Dataset XorCloud(int count, double noise, int seed)
    {
        Check(count, 2, noise);
        var rng = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;

            // Alternate the two quadrants of each class so all four hold a quarter of the points.
            bool firstPositive = (i / 2) % 2 == 0;
            bool secondPositive = firstPositive ^ (label == 1);
            double a = rng.NextDouble(), b = rng.NextDouble();
            var (na, nb) = NormalPair(rng);
            x[2 * i] = (float)((firstPositive ? a : -a) + noise * na);
            x[2 * i + 1] = (float)((secondPositive ? b : -b) + noise * nb);
            y[i] = label;
        }

        return Build("xor-cloud", TaskKind.Binary, 2, x, y);
    }

    /// <summary>
    /// Two concentric circles, as scikit-learn's make_circles: class 0 on the unit circle, class 1 on a circle of
    /// radius <paramref name="factor"/>, each with evenly spaced angles, plus Gaussian noise. Binary.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="count"/> is below 2, <paramref name="noise"/> is negative or not finite, or <paramref name="factor"/> is outside (0, 1).
    /// </exception>
    public static Dataset Circles(int count, double noise, int seed, double factor = 0.5)
    {
        Check(count, 2, noise);
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The inner circle's radius must be strictly between 0 and 1.");
        }

        var rng = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            double angle = 2 * Math.PI * (i / 2) / ClassSize(count, 2, label);
            double radius = label == 0 ? 1 : factor;
            var (na, nb) = NormalPair(rng);
            x[2 * i] = (float)(radius * Math.Cos(angle) + noise * na);
            x[2 * i + 1] = (float)(radius * Math.Sin(angle) + noise * nb);
            y[i] = label;
        }

        return Build("circles", TaskKind.Binary, 2, x, y);
    }

    /// <summary>
    /// Two interleaving half circles, as scikit-learn's make_moons: class 0 is (cos t, sin t) and class 1 is
    /// (1 - cos t, 0.5 - sin t) for t evenly spaced over [0, pi], plus Gaussian noise. Binary; not linearly separable.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 2 or <paramref name="noise"/> is negative or not finite.</exception>
    public static Dataset Moons(int count, double noise, int seed)
    {
        Check(count, 2, noise);
        var rng = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            int size = ClassSize(count, 2, label);
            double t = size == 1 ? 0 : Math.PI * (i / 2) / (size - 1);
            double px = label == 0 ? Math.Cos(t) : 1 - Math.Cos(t);
            double py = label == 0 ? Math.Sin(t) : 0.5 - Math.Sin(t);
            var (na, nb) = NormalPair(rng);
            x[2 * i] = (float)(px + noise * na);
            x[2 * i + 1] = (float)(py + noise * nb);
            y[i] = label;
        }

        return Build("moons", TaskKind.Binary, 2, x, y);
    }

    /// <summary>
    /// <paramref name="classes"/> interleaved spiral arms (the TensorFlow Playground spiral, generalised): arm k
    /// holds points at radius r in (0, 1] and angle 3.5 pi r + 2 pi k / classes, so each arm turns 1.75 times, plus
    /// Gaussian noise. Binary for 2 arms, Multiclass otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="classes"/> is below 2, <paramref name="count"/> is below <paramref name="classes"/>, or
    /// <paramref name="noise"/> is negative or not finite.
    /// </exception>
    public static Dataset Spiral(int count, double noise, int seed, int classes = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Check(count, classes, noise);
        var rng = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;

            // Radius (j + 1) / size keeps the first point off the origin, where all arms would coincide.
            double r = (double)(i / classes + 1) / ClassSize(count, classes, label);
            double angle = 3.5 * Math.PI * r + 2 * Math.PI * label / classes;
            var (na, nb) = NormalPair(rng);
            x[2 * i] = (float)(r * Math.Cos(angle) + noise * na);
            x[2 * i + 1] = (float)(r * Math.Sin(angle) + noise * nb);
            y[i] = label;
        }

        return Build("spiral", classes == 2 ? TaskKind.Binary : TaskKind.Multiclass, classes, x, y);
    }

    /// <summary>
    /// Gaussian blobs: class k is centred at radius R and angle 2 pi k / classes, with R = 1 / sin(pi / classes) so
    /// that neighbouring centres are always 2 apart (for 2 classes: (1, 0) and (-1, 0)), and has standard
    /// deviation <paramref name="spread"/> per coordinate. Binary for 2 classes, Multiclass otherwise.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="classes"/> is below 2, <paramref name="count"/> is below <paramref name="classes"/>, or
    /// <paramref name="spread"/> is negative or not finite.
    /// </exception>
    public static Dataset Gaussian(int count, int classes, double spread, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Check(count, classes, spread, nameof(spread));
        double radius = 1 / Math.Sin(Math.PI / classes);
        var rng = new Random(seed);
        var x = new float[count * 2];
        var y = new float[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;
            double angle = 2 * Math.PI * label / classes;
            var (na, nb) = NormalPair(rng);
            x[2 * i] = (float)(radius * Math.Cos(angle) + spread * na);
            x[2 * i + 1] = (float)(radius * Math.Sin(angle) + spread * nb);
            y[i] = label;
        }

        return Build("gaussian", classes == 2 ? TaskKind.Binary : TaskKind.Multiclass, classes, x, y);
    }

    /// <summary>
    /// A dataset by name (case-insensitive): "xor" (the four points of <see cref="Xor"/> when
    /// <paramref name="count"/> &lt;= 4, ignoring noise and seed, else the cloud), "xor-cloud", "circles"
    /// (factor 0.5), "moons", "spiral" (2 arms), "gaussian" (2 blobs, with <paramref name="noise"/> as their spread).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static Dataset Create(string name, int count, double noise, int seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "xor" => count <= 4 ? Xor() : XorCloud(count, noise, seed),
            "xor-cloud" => XorCloud(count, noise, seed),
            "circles" => Circles(count, noise, seed),
            "moons" => Moons(count, noise, seed),
            "spiral" => Spiral(count, noise, seed),
            "gaussian" => Gaussian(count, 2, noise, seed),
            _ => throw new ArgumentException($"Unknown dataset '{name}'; valid names: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    private static void Check(int count, int minimum, double noise, string noiseName = "noise")
    {
        if (count < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"At least {minimum} samples are needed (one per class).");
        }

        if (!(noise >= 0 && double.IsFinite(noise)))
        {
            throw new ArgumentOutOfRangeException(noiseName, noise, "The noise standard deviation must be finite and non-negative.");
        }
    }

    // Samples i with i mod K == label, for i in [0, count): the class's size under interleaving.
    private static int ClassSize(int count, int classes, int label) => count / classes + (label < count % classes ? 1 : 0);

    private static (double, double) NormalPair(Random rng)
    {
        // 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
        double u1 = 1 - rng.NextDouble();
        double u2 = rng.NextDouble();
        double r = Math.Sqrt(-2 * Math.Log(u1));
        double theta = 2 * Math.PI * u2;
        return (r * Math.Cos(theta), r * Math.Sin(theta));
    }

    private static Dataset Build(string name, TaskKind task, int classes, float[] features, float[] labels)
    {
        int n = labels.Length;
        var targets = task == TaskKind.Binary ? Tensor.FromArray(labels, n, 1) : Tensor.FromArray(labels, n);
        return new Dataset(name, Tensor.FromArray(features, n, 2), targets, task, classes);
    }
}
