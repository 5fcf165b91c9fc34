using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class NormalizationTests
{
    // Tabular data whose columns have very different scales and offsets.
    private static Dataset Tabular(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * 3];
        var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[3 * i] = (float)(1000 + 50 * rng.NextDouble());
            x[3 * i + 1] = (float)(rng.NextDouble() - 0.5) * 0.01f;
            x[3 * i + 2] = 7f; // constant
            y[i] = i % 2;
        }

        return new Dataset("tab", Tensor.FromArray(x, n, 3), Tensor.FromArray(y, n, 1), TaskKind.Binary, classNames: ["a", "b"]);
    }

    // Images [N, 2, 3, 3]: channel 0 around 0.2, channel 1 around 0.8.
    private static Dataset Images(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * 18];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((i / 9 % 2 == 0 ? 0.2 : 0.8) + 0.1 * rng.NextDouble());
        }

        return new Dataset("img", Tensor.FromArray(x, n, 2, 3, 3), new Tensor(n), TaskKind.Multiclass, 3);
    }

    private static (double Mean, double Std) Stats(IEnumerable<float> values)
    {
        var v = values.Select(f => (double)f).ToArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(a => (a - mean) * (a - mean)) / v.Length));
    }

    private static IEnumerable<float> Column(Tensor x, int j) => Enumerable.Range(0, x.Shape[0]).Select(i => x[i, j]);

    private static IEnumerable<float> Channel(Tensor x, int c)
    {
        int length = x.SampleLength, inner = length / x.Shape[1];
        var span = x.Span.ToArray();
        return Enumerable.Range(0, x.Shape[0]).SelectMany(i => span.Skip(i * length + c * inner).Take(inner));
    }

    [Fact]
    public void Standardisation_fitted_on_the_training_split_centres_and_scales_it_but_not_the_test_split()
    {
        var (train, test) = (Tabular(200, seed: 1), Tabular(50, seed: 2));
        var norm = Normalization.FitStandardization(train);
        Assert.Equal(3, norm.Count);
        for (int j = 0; j < 2; j++)
        {
            var (mean, std) = Stats(Column(train.Features, j));
            Assert.Equal(mean, norm.Mean[j], (float)Math.Abs(mean) * 1e-6 + 1e-9);
            Assert.Equal(std, norm.Std[j], std * 1e-5);
        }

        var trainN = norm.Apply(train);
        var testN = norm.Apply(test);
        for (int j = 0; j < 2; j++)
        {
            var (mean, std) = Stats(Column(trainN.Features, j));
            Assert.Equal(0, mean, 1e-4);
            Assert.Equal(1, std, 1e-4);

            // The test split is transformed with the training statistics, so its own are not exactly 0 and 1.
            var (testMean, testStd) = Stats(Column(testN.Features, j));
            Assert.NotEqual(0, testMean, 1e-4);
            Assert.NotEqual(1, testStd, 1e-4);
        }
    }

    [Fact]
    public void A_constant_feature_gets_std_1_and_is_only_centred()
    {
        var train = Tabular(20, seed: 3);
        var norm = Normalization.FitStandardization(train);
        Assert.Equal(7f, norm.Mean[2]);
        Assert.Equal(1f, norm.Std[2]);
        Assert.All(Column(norm.Apply(train).Features, 2), v => Assert.Equal(0f, v));
        Assert.Equal(1f, Normalization.FitMinMax(train).Std[2]);
    }

    [Fact]
    public void Per_channel_statistics_pool_every_pixel_of_a_channel_and_apply_per_channel()
    {
        var train = Images(30, seed: 4);
        var norm = Normalization.FitStandardization(train, perChannel: true);
        Assert.Equal(2, norm.Count);
        for (int c = 0; c < 2; c++)
        {
            var (mean, std) = Stats(Channel(train.Features, c));
            Assert.Equal(mean, norm.Mean[c], 1e-6);
            Assert.Equal(std, norm.Std[c], 1e-6);
        }

        Assert.True(norm.Mean[1] > norm.Mean[0] + 0.5f);
        var x = train.Features.Span;
        var z = norm.Apply(train.Features).Span;
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / 9 % 2;
            Assert.Equal((x[i] - norm.Mean[c]) / norm.Std[c], z[i]); // bit for bit the scalar expression
        }

        // The per-feature fit of images has one constant per pixel instead.
        Assert.Equal(18, Normalization.FitStandardization(train).Count);
    }

    [Fact]
    public void Min_max_scaling_maps_the_training_features_onto_0_to_1()
    {
        var train = Images(25, seed: 5);
        foreach (bool perChannel in new[] { false, true })
        {
            var z = Normalization.FitMinMax(train, perChannel).Apply(train.Features);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.Min(z.Span) >= 0f);
            Assert.True(System.Numerics.Tensors.TensorPrimitives.Max(z.Span) <= 1f);
            for (int c = 0; c < 2; c++)
            {
                Assert.Equal(0f, Channel(z, c).Min());
                Assert.Equal(1f, Channel(z, c).Max(), 1e-6f);
            }
        }
    }

    [Fact]
    public void The_constants_must_fit_the_samples_per_feature_or_per_channel()
    {
        Assert.True(Normalization.Fits(18, new TensorShape(2, 3, 3)));
        Assert.True(Normalization.Fits(2, new TensorShape(2, 3, 3)));
        Assert.False(Normalization.Fits(3, new TensorShape(2, 3, 3)));
        Assert.False(Normalization.Fits(2, new TensorShape(3)));
        Assert.True(Normalization.Fits(3, new TensorShape(3)));

        var norm = new Normalization([0f, 0f, 0f], [1f, 1f, 1f]);
        var e = Assert.Throws<ArgumentException>(() => norm.Apply(new Tensor(4, 2, 3, 3)));
        Assert.Contains("3 constants", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 channels", e.Message, StringComparison.Ordinal);

        var channelsOfTabular = Assert.Throws<ArgumentException>(() => Normalization.FitStandardization(Tabular(4, 1), perChannel: true));
        Assert.Contains("rank 2 or more", channelsOfTabular.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_constants_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Normalization([0f], [0f]));
        Assert.Throws<ArgumentException>(() => new Normalization([float.NaN], [1f]));
        Assert.Throws<ArgumentException>(() => new Normalization([0f, 1f], [1f]));
        Assert.Throws<ArgumentException>(() => new Normalization([], []));
    }

    [Fact]
    public void Applying_to_a_dataset_leaves_the_original_and_keeps_targets_and_classes()
    {
        var train = Tabular(10, seed: 6);
        var before = train.Features.Span.ToArray();
        var normalised = Normalization.FitStandardization(train).Apply(train);
        Assert.Equal(before, train.Features.Span.ToArray());
        Assert.NotEqual(before, normalised.Features.Span.ToArray());
        Assert.Equal(train.Targets.Span.ToArray(), normalised.Targets.Span.ToArray());
        Assert.Equal(train.ClassNames, normalised.ClassNames);
        Assert.Equal(TaskKind.Binary, normalised.Task);
    }
}
