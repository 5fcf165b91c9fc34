using Nonlinear.Web.Playground;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class PlaygroundDataTests
{
    public static TheoryData<string> AllDatasets => [.. PlaygroundData.ClassificationNames, .. PlaygroundData.RegressionNames];

    [Theory]
    [MemberData(nameof(AllDatasets))]
    public void The_same_seed_gives_the_same_points_and_another_seed_other_points(string dataset)
    {
        var a = PlaygroundData.Generate(dataset, 2, 20, 42);
        var b = PlaygroundData.Generate(dataset, 2, 20, 42);
        var c = PlaygroundData.Generate(dataset, 2, 20, 43);
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.Y, b.Y);
        Assert.Equal(a.Label, b.Label);
        Assert.NotEqual(a.X, c.X);
    }

    [Theory]
    [MemberData(nameof(AllDatasets))]
    public void Sizes_are_TF_Playground_s_and_noiseless_points_stay_in_the_square(string dataset)
    {
        var points = PlaygroundData.Generate(dataset, 2, 0, 1);
        int expected = PlaygroundData.RegressionNames.Contains(dataset) ? 1200 : 500;
        Assert.Equal(expected, points.Count);
        Assert.All(points.X, x => Assert.InRange(x, -6f, 6f));
        Assert.All(points.Y, y => Assert.InRange(y, -6f, 6f));
    }

    [Theory]
    [InlineData("circle", 2)]
    [InlineData("gauss", 2)]
    [InlineData("gauss", 3)]
    [InlineData("gauss", 5)]
    [InlineData("spiral", 2)]
    [InlineData("spiral", 4)]
    public void Classes_are_balanced(string dataset, int classes)
    {
        var points = PlaygroundData.Generate(dataset, classes, 0, 3);
        int each = 500 / classes;
        Assert.Equal(each * classes, points.Count);
        for (int k = 0; k < classes; k++)
        {
            Assert.Equal(each, points.Label.Count(l => l == k));
        }
    }

    [Theory]
    [InlineData("circle")]
    [InlineData("xor")]
    [InlineData("sine")]
    [InlineData("cubic")]
    [InlineData("abs")]
    public void Without_noise_every_label_follows_the_dataset_s_rule(string dataset)
    {
        var points = PlaygroundData.Generate(dataset, 2, 0, 5);
        Assert.Equal(points.Count, Enumerable.Range(0, points.Count).Count(i => points.Label[i] == Rule(dataset, points.X[i], points.Y[i])));
        Assert.Contains(0f, points.Label);
        Assert.Contains(1f, points.Label);
    }

    [Theory]
    [InlineData("circle")]
    [InlineData("xor")]
    [InlineData("sine")]
    [InlineData("cubic")]
    [InlineData("abs")]
    public void Noise_flips_some_labels_but_not_most(string dataset)
    {
        var points = PlaygroundData.Generate(dataset, 2, 50, 5);
        int wrong = Enumerable.Range(0, points.Count).Count(i => points.Label[i] != Rule(dataset, points.X[i], points.Y[i]));
        Assert.InRange(wrong, 10, points.Count / 2 - 1);
    }

    [Fact]
    public void Circle_points_inside_radius_2_5_are_class_1_and_the_outer_ring_starts_at_3_5()
    {
        var points = PlaygroundData.Generate("circle", 2, 0, 9);
        for (int i = 0; i < points.Count; i++)
        {
            double r = Math.Sqrt(points.X[i] * points.X[i] + points.Y[i] * points.Y[i]);
            Assert.True(r < 2.5 || r >= 3.5 - 1e-5, $"r = {r}");
            Assert.Equal(r < 2.5 ? 1f : 0f, points.Label[i]);
        }
    }

    [Fact]
    public void Gauss_classes_sit_around_TF_Playground_s_centres_and_noise_widens_them()
    {
        var clean = PlaygroundData.Generate("gauss", 2, 0, 11);
        var wide = PlaygroundData.Generate("gauss", 2, 50, 11);
        foreach (var (label, centre) in new[] { (1f, 2.0), (0f, -2.0) })
        {
            var xs = Enumerable.Range(0, clean.Count).Where(i => clean.Label[i] == label).Select(i => (double)clean.X[i]).ToArray();
            Assert.InRange(xs.Average(), centre - 0.2, centre + 0.2);
            // Variance 0.5 without noise (TF Playground), 4 at 50 % noise.
            Assert.InRange(Variance(xs), 0.35, 0.65);
            var wx = Enumerable.Range(0, wide.Count).Where(i => wide.Label[i] == label).Select(i => (double)wide.X[i]).ToArray();
            Assert.InRange(Variance(wx), 3, 5);
        }
    }

    [Fact]
    public void Spiral_arms_grow_from_the_centre_to_radius_5()
    {
        var points = PlaygroundData.Generate("spiral", 3, 0, 2);
        var radii = Enumerable.Range(0, points.Count).Select(i => Math.Sqrt(points.X[i] * points.X[i] + points.Y[i] * points.Y[i])).ToArray();
        Assert.All(radii, r => Assert.InRange(r, 0, 5));
        Assert.True(radii.Min() < 0.1);
        Assert.True(radii.Max() > 4.9);
    }

    [Fact]
    public void Reg_plane_is_x_plus_y_over_10_without_clamping_as_in_TF_Playground()
    {
        var points = PlaygroundData.Generate("reg-plane", 2, 0, 4);
        for (int i = 0; i < points.Count; i++)
        {
            Assert.Equal((points.X[i] + points.Y[i]) / 10.0, points.Label[i], 1e-5);
        }

        Assert.True(points.Label.Max() > 1, "the corners of the square reach past 1");
    }

    [Fact]
    public void Reg_gauss_labels_are_in_minus_1_to_1_with_TF_Playground_s_signs()
    {
        var points = PlaygroundData.Generate("reg-gauss", 2, 0, 4);
        Assert.All(points.Label, l => Assert.InRange(l, -1f, 1f));
        for (int i = 0; i < points.Count; i++)
        {
            // Near (-4, 2.5) the bump is +1, near (0, 2.5) it is -1.
            if (Dist(points.X[i], points.Y[i], -4, 2.5) < 0.5)
            {
                Assert.True(points.Label[i] > 0.7);
            }

            if (Dist(points.X[i], points.Y[i], 0, 2.5) < 0.5)
            {
                Assert.True(points.Label[i] < -0.7);
            }
        }
    }

    [Theory]
    [InlineData(500, 50, 250)]
    [InlineData(500, 70, 350)]
    [InlineData(1200, 10, 120)]
    [InlineData(7, 50, 3)]
    [InlineData(2, 10, 1)]
    [InlineData(3, 90, 2)]
    public void The_split_takes_the_percentage_rounded_down_and_keeps_every_point_once(int count, int percent, int train)
    {
        var (a, b) = PlaygroundData.SplitIndices(count, percent, 8);
        Assert.Equal(train, a.Length);
        Assert.Equal(count - train, b.Length);
        Assert.Equal(Enumerable.Range(0, count), a.Concat(b).Order());
    }

    [Fact]
    public void The_split_of_points_matches_its_indices_and_depends_on_the_seed()
    {
        var points = PlaygroundData.Generate("xor", 2, 0, 1);
        var (train, test) = PlaygroundData.Split(points, 60, 3);
        Assert.Equal(300, train.Count);
        Assert.Equal(200, test.Count);
        Assert.Equal(points.X.Order(), train.X.Concat(test.X).Order());
        var (other, _) = PlaygroundData.Split(points, 60, 4);
        Assert.NotEqual(train.X, other.X);
    }

    [Fact]
    public void An_unknown_dataset_is_refused_with_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => PlaygroundData.Generate("moons", 2, 0, 1));
        Assert.Contains("spiral", e.Message, StringComparison.Ordinal);
    }

    private static float Rule(string dataset, double x, double y) => dataset switch
    {
        "circle" => Math.Sqrt(x * x + y * y) < 2.5 ? 1 : 0,
        "xor" => x * y >= 0 ? 1 : 0,
        "sine" => y > 2 * Math.Sin(x / 2) ? 1 : 0,
        "cubic" => y > 2 * (Math.Pow(x / 2, 3) - x / 2) ? 1 : 0,
        "abs" => y > 2 * Math.Abs(x / 2) ? 1 : 0,
        _ => throw new ArgumentException(dataset),
    };

    private static double Dist(double x, double y, double cx, double cy) => Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));

    private static double Variance(double[] values)
    {
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
