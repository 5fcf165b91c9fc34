using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Serialization;

/// <summary>A fitted <see cref="Normalization"/> saved with a model applies the same way after loading.</summary>
public sealed class NormalizationRoundTripTests
{
    private static SavedModel RoundTrip(Sequential model, ModelMetadata metadata)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        stream.Position = 0;
        return ModelFile.Load(stream, "model.nlm");
    }

    private static Tensor Activate(string spec, Tensor logits)
    {
        var output = new Tensor(logits.Shape);
        ActivationRegistry.Parse(spec).Forward(logits, output);
        return output;
    }

    [Fact]
    public void A_per_feature_normalisation_round_trips_and_predict_applies_it()
    {
        var train = SyntheticData.Moons(60, noise: 0.1, seed: 1);
        var norm = Normalization.FitStandardization(train);
        var model = Sequential.Parse("dense:4,tanh,dense:1");
        model.Build(new TensorShape(2), seed: 3);
        var metadata = new ModelMetadata { Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits", NormalizationMean = norm.Mean, NormalizationStd = norm.Std };

        var loaded = RoundTrip(model, metadata);
        Assert.Equal(norm.Mean, loaded.Metadata.NormalizationMean!);
        Assert.Equal(norm.Std, loaded.Metadata.NormalizationStd!);
        var expected = Activate("sigmoid", model.Forward(norm.Apply(train.Features)));
        Assert.Equal(expected.Span.ToArray(), loaded.Predict(train.Features).Span.ToArray());
    }

    [Fact]
    public void A_per_channel_normalisation_of_a_rank_3_input_round_trips_and_predict_applies_it()
    {
        var x = new float[5 * 2 * 2 * 2];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 8 < 4 ? 10f : -3f) + 0.25f * (i % 5);
        }

        var images = new Dataset("img", Tensor.FromArray(x, 5, 2, 2, 2), new Tensor(5, 8), TaskKind.Regression);
        var norm = Normalization.FitStandardization(images, perChannel: true);
        Assert.Equal(2, norm.Count);

        // Activation layers accept any input shape, so this model takes [2, 2, 2] inputs.
        var model = Sequential.Parse("tanh");
        model.Build(new TensorShape(2, 2, 2), seed: 0);
        var metadata = new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse", NormalizationMean = norm.Mean, NormalizationStd = norm.Std };

        var loaded = RoundTrip(model, metadata);
        Assert.Equal(2, loaded.Metadata.NormalizationMean!.Count);
        var p = loaded.Predict(images.Features).Span;
        for (int i = 0; i < x.Length; i++)
        {
            int c = (i / 4) % 2; // element i uses channel (i / (H*W)) % C
            Assert.Equal(MathF.Tanh((x[i] - norm.Mean[c]) / norm.Std[c]), p[i], 1e-6f);
        }

        // Per pixel (8 constants) is accepted too; 3 fit neither reading.
        var perPixel = Normalization.FitStandardization(images);
        Assert.Equal(8, RoundTrip(model, metadata with { NormalizationMean = perPixel.Mean, NormalizationStd = perPixel.Std }).Metadata.NormalizationMean!.Count);
        var e = Assert.Throws<ArgumentException>(() => RoundTrip(model, metadata with { NormalizationMean = [0f, 0f, 0f], NormalizationStd = [1f, 1f, 1f] }));
        Assert.Contains("8 input features in 2 channels", e.Message, StringComparison.Ordinal);
    }
}
