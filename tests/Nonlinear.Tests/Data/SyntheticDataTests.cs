using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class SyntheticDataTests
{
    public static TheoryData<string> Names => [.. SyntheticData.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_seed_gives_the_same_data_bit_for_bit_and_another_seed_different_data(string name)
    {
        var a = SyntheticData.Create(name, 200, 0.1, seed: 7);
        var b = SyntheticData.Create(name, 200, 0.1, seed: 7);
        var c = SyntheticData.Create(name, 200, 0.1, seed: 8);
        Assert.Equal(Bits(a.Features), Bits(b.Features));
        Assert.Equal(Bits(a.Targets), Bits(b.Targets));
        Assert.NotEqual(Bits(a.Features), Bits(c.Features));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_set_is_two_dimensional_binary_and_balanced(string name)
    {
        var d = SyntheticData.Create(name, 201, 0.1, seed: 1);
        Assert.Equal(name == "xor" ? "xor-cloud" : name, d.Name);   // "xor" beyond 4 points is the cloud
        Assert.Equal(201, d.Count);
        Assert.Equal(new TensorShape(201, 2), d.Features.Shape);
        Assert.Equal(new TensorShape(201, 1), d.Targets.Shape);
        Assert.Equal(TaskKind.Binary, d.Task);
        Assert.Equal([101, 100], ClassCounts(d));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Spirals_and_blobs_with_more_than_two_classes_are_multiclass_and_balanced(int classes)
    {
        foreach (var d in new[] { SyntheticData.Spiral(100, 0.1, 1, classes), SyntheticData.Gaussian(100, classes, 0.3, 1) })
        {
            Assert.Equal(TaskKind.Multiclass, d.Task);
            Assert.Equal(classes, d.ClassCount);
            Assert.Equal(new TensorShape(100), d.Targets.Shape);
            var counts = ClassCounts(d);
            Assert.Equal(100, counts.Sum());
            Assert.True(counts.Max() - counts.Min() <= 1, string.Join(", ", counts));
        }
    }

    [Fact]
    public void Xor_is_exactly_the_four_corner_points()
    {
        var d = SyntheticData.Xor();
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], d.Features.Span.ToArray());
        Assert.Equal([0f, 1f, 1f, 0f], d.Targets.Span.ToArray());
        Assert.Equal(d.Features.Span.ToArray(), SyntheticData.Create("XOR", 4, 0.5, 99).Features.Span.ToArray());
        Assert.Equal(100, SyntheticData.Create("xor", 100, 0.1, 1).Count);
    }

    [Fact]
    public void No_line_separates_the_four_xor_points()
    {
        // For every affine f, f(0,1) + f(1,0) = f(0,0) + f(1,1): the class-1 sum equals the class-0 sum, so f
        // cannot be positive on both class-1 points and negative on both class-0 points.
        var d = SyntheticData.Xor();
        var rng = new Random(1);
        for (int trial = 0; trial < 1000; trial++)
        {
            double w1 = rng.NextDouble() * 2 - 1, w2 = rng.NextDouble() * 2 - 1, b = rng.NextDouble() * 2 - 1;
            double ones = 0, zeros = 0;
            for (int i = 0; i < 4; i++)
            {
                double f = w1 * d.Features[i, 0] + w2 * d.Features[i, 1] + b;
                if (d.Targets[i, 0] == 1)
                {
                    ones += f;
                }
                else
                {
                    zeros += f;
                }
            }

            Assert.Equal(zeros, ones, 12);
        }

        Assert.True(LinearAccuracy(d) <= 0.75);
    }

    [Fact]
    public void Xor_cloud_labels_follow_the_quadrant_signs_when_noise_is_zero()
    {
        var d = SyntheticData.XorCloud(400, 0, seed: 3);
        for (int i = 0; i < d.Count; i++)
        {
            float x1 = d.Features[i, 0], x2 = d.Features[i, 1];
            Assert.InRange(x1, -1, 1);
            Assert.InRange(x2, -1, 1);
            Assert.Equal((x1 > 0) ^ (x2 > 0) ? 1f : 0f, d.Targets[i, 0]);
        }

        Assert.True(LinearAccuracy(d) < 0.7, $"linear accuracy {LinearAccuracy(d)}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)]
    public void Circles_without_noise_lie_on_the_unit_circle_and_on_the_factor_circle(double factor)
    {
        var d = SyntheticData.Circles(300, 0, seed: 1, factor);
        for (int i = 0; i < d.Count; i++)
        {
            double radius = Math.Sqrt(Math.Pow(d.Features[i, 0], 2) + Math.Pow(d.Features[i, 1], 2));
            Assert.Equal(d.Targets[i, 0] == 0 ? 1 : factor, radius, 1e-6);
        }

        Assert.True(LinearAccuracy(d) < 0.7, $"linear accuracy {LinearAccuracy(d)}");
    }

    [Fact]
    public void Moons_without_noise_follow_scikit_learns_half_circles_and_are_not_linearly_separable()
    {
        var d = SyntheticData.Moons(200, 0, seed: 1);
        for (int i = 0; i < d.Count; i++)
        {
            double x = d.Features[i, 0], y = d.Features[i, 1];
            bool upper = d.Targets[i, 0] == 0;
            double cx = upper ? 0 : 1, cy = upper ? 0 : 0.5;
            Assert.Equal(1, Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)), 1e-6);
            Assert.True(upper ? y >= -1e-7 : y <= 0.5 + 1e-7);
        }

        double accuracy = LinearAccuracy(d);
        Assert.InRange(accuracy, 0.6, 0.92);
    }

    [Fact]
    public void Two_armed_spirals_are_far_from_linearly_separable()
    {
        var d = SyntheticData.Spiral(400, 0, seed: 1);
        Assert.True(LinearAccuracy(d) < 0.75, $"linear accuracy {LinearAccuracy(d)}");
        for (int i = 0; i < d.Count; i++)
        {
            Assert.InRange(Math.Sqrt(Math.Pow(d.Features[i, 0], 2) + Math.Pow(d.Features[i, 1], 2)), 0, 1 + 1e-6);
        }
    }

    [Fact]
    public void Gaussian_blobs_with_small_spread_are_linearly_separable_and_centred_two_apart()
    {
        var d = SyntheticData.Gaussian(400, 2, 0.2, seed: 1);
        Assert.Equal(1.0, LinearAccuracy(d));

        var four = SyntheticData.Gaussian(4000, 4, 0.01, seed: 1);
        var centres = new double[4, 2];
        for (int i = 0; i < four.Count; i++)
        {
            int k = (int)four.Targets.Span[i];
            centres[k, 0] += four.Features[i, 0] / 1000.0;
            centres[k, 1] += four.Features[i, 1] / 1000.0;
        }

        for (int k = 0; k < 4; k++)
        {
            int next = (k + 1) % 4;
            double dx = centres[k, 0] - centres[next, 0], dy = centres[k, 1] - centres[next, 1];
            Assert.Equal(2, Math.Sqrt(dx * dx + dy * dy), 2);
        }
    }

    [Fact]
    public void An_unknown_name_is_rejected_listing_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => SyntheticData.Create("swiss-roll", 100, 0.1, 1));
        Assert.Contains("swiss-roll", e.Message, StringComparison.Ordinal);
        foreach (var name in SyntheticData.Names)
        {
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bad_counts_noise_and_factors_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Moons(1, 0.1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Moons(10, -0.1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Moons(10, double.NaN, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Circles(10, 0.1, 1, factor: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Spiral(10, 0.1, 1, classes: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticData.Gaussian(3, 4, 0.1, 1));
    }

    // Least-squares fit of w . (x1, x2, 1) to targets of -1/+1 (normal equations), classified by sign: the
    // best a linear model can be expected to do, cheaply.
    private static double LinearAccuracy(Dataset d)
    {
        var a = new double[3, 4];
        for (int i = 0; i < d.Count; i++)
        {
            double[] row = [d.Features[i, 0], d.Features[i, 1], 1];
            double t = d.Targets.Span[i] == 1 ? 1 : -1;
            for (int r = 0; r < 3; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    a[r, c] += row[r] * row[c];
                }

                a[r, 3] += row[r] * t;
            }
        }

        var w = Solve(a);
        int correct = 0;
        for (int i = 0; i < d.Count; i++)
        {
            double f = w[0] * d.Features[i, 0] + w[1] * d.Features[i, 1] + w[2];
            correct += (f > 0) == (d.Targets.Span[i] == 1) ? 1 : 0;
        }

        return (double)correct / d.Count;
    }

    // Gauss-Jordan with partial pivoting on an augmented 3x4 system; a tiny ridge keeps symmetric data solvable.
    private static double[] Solve(double[,] a)
    {
        for (int i = 0; i < 3; i++)
        {
            a[i, i] += 1e-9;
        }

        for (int col = 0; col < 3; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < 3; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (int c = 0; c < 4; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            for (int r = 0; r < 3; r++)
            {
                if (r != col)
                {
                    double f = a[r, col] / a[col, col];
                    for (int c = 0; c < 4; c++)
                    {
                        a[r, c] -= f * a[col, c];
                    }
                }
            }
        }

        return [a[0, 3] / a[0, 0], a[1, 3] / a[1, 1], a[2, 3] / a[2, 2]];
    }

    private static int[] ClassCounts(Dataset d)
    {
        var counts = new int[d.ClassCount];
        foreach (float v in d.Targets.Span)
        {
            counts[(int)v]++;
        }

        return counts;
    }

    private static int[] Bits(Tensor t) => t.Span.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
