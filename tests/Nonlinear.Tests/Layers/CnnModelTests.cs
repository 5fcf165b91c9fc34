using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>Convolutional models end to end: gradients through the loss, saving and reloading, steady-state allocation.</summary>
public sealed class CnnModelTests
{
    /// <summary>The shape of the Fashion-MNIST reference CNN, shrunk for speed (12x12 images: 10 → 5 → 3 → 1).</summary>
    private const string SmallCnn = "conv:4x3,relu,pool:2,conv:6x3,relu,pool:2,flatten,dense:8,relu,dense:3";

    internal static Dataset RandomImages(int count, int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var features = new Tensor([count, .. shape]);
        var labels = new Tensor(count);
        for (int i = 0; i < features.Length; i++)
        {
            features.Span[i] = (float)rng.NextDouble();
        }

        for (int i = 0; i < count; i++)
        {
            labels.Span[i] = rng.Next(3);
        }

        return new Dataset("random images", features, labels, TaskKind.Multiclass, classCount: 3);
    }

    [Theory]
    [InlineData(SmallCnn)]
    [InlineData("conv:4x3:p1,batchnorm,relu,pool:2,conv:6x3:s2,batchnorm,tanh,flatten,dropout:0,dense:8,batchnorm,relu,dense:3")]
    public void The_whole_cnn_with_its_loss_matches_finite_differences(string spec)
    {
        var loss = new SoftmaxCrossEntropy();
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(1, 12, 12), seed: 2);
        var data = RandomImages(4, 3, 1, 12, 12);
        var x = data.Features;
        var y = data.Targets;
        var gradient = new Tensor(4, 3);
        model.ZeroGradients();
        loss.Compute(model.Forward(x, training: true), y, gradient);
        var dx = model.Backward(gradient).Clone();
        var analytic = model.Parameters.Select(p => p.Gradient.Clone()).ToList();

        double Evaluate() => loss.Compute(model.Forward(x, training: true), y, new Tensor(4, 3));

        // A small step, and elements with a ReLU kink or a pooling tie within it skipped: there the central
        // differences at h and h/2 disagree (see FiniteDifferences.Check).
        const double h = 1e-3;
        int checkedCount = 0, skipped = 0;
        double Central(Span<float> values, int i, double step)
        {
            float saved = values[i];
            values[i] = saved + (float)step;
            double plus = Evaluate();
            values[i] = saved - (float)step;
            double minus = Evaluate();
            values[i] = saved;
            return (plus - minus) / (2 * step);
        }

        void Compare(Span<float> values, Span<float> grad, string what)
        {
            int stride = Math.Max(1, values.Length / 60);
            for (int i = 0; i < values.Length; i += stride)
            {
                double numeric = Central(values, i, h);
                checkedCount++;
                // The float loss carries noise of about 1e-7 · |L| / step into each difference: 5e-4 covers it at h/2.
                if (Math.Abs(numeric - Central(values, i, h / 2)) > 1e-2 * Math.Max(0.05, Math.Abs(numeric)) + 5e-4)
                {
                    skipped++;
                    continue;
                }

                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-2 * Math.Max(0.05, Math.Abs(numeric)) + 1e-4,
                    $"{what}[{i}]: backward {grad[i]}, finite differences {numeric}");
            }
        }

        Compare(x.Span, dx.Span, "dL/dx");
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Compare(model.Parameters[p].Value.Span, analytic[p].Span, model.ParameterNames[p]);
        }

        Assert.True(skipped <= checkedCount / 20, $"{skipped} of {checkedCount} elements sit on a kink");
    }

    [Fact]
    public void A_saved_and_reloaded_cnn_with_batchnorm_predicts_bit_for_bit_the_same()
    {
        const string Spec = "conv:6x3:same,batchnorm,relu,pool:2,conv:8x3,batchnorm,relu,flatten,dropout:0.25,dense:16,batchnorm,relu,dense:3";
        var data = RandomImages(64, 1, 2, 10, 10);
        var model = Sequential.Parse(Spec);
        model.Build(data.FeatureShape, seed: 1);
        new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01)).Fit(data, epochs: 2, batchSize: 16, seed: 1);

        // Training moved the running statistics away from their initial 0 and 1.
        Assert.Contains(model.State[0].Value.Span.ToArray(), v => v != 0);
        Assert.Contains(model.State[1].Value.Span.ToArray(), v => v != 1);

        using var stream = new MemoryStream();
        var metadata = new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" };
        ModelFile.Save(stream, model, metadata);
        stream.Position = 0;
        var loaded = ModelFile.Load(stream).Model;
        Assert.Equal(Spec, loaded.Spec);
        Assert.Equal(model.StateNames, loaded.StateNames);
        for (int i = 0; i < model.State.Count; i++)
        {
            Assert.Equal(model.State[i].Value.Span.ToArray(), loaded.State[i].Value.Span.ToArray());
        }

        var expected = model.Forward(data.Features, training: false).Span.ToArray();
        Assert.Equal(expected, loaded.Forward(data.Features, training: false).Span.ToArray());
    }

    [Fact]
    public void A_file_without_the_running_statistics_is_rejected()
    {
        var model = Sequential.Parse("conv:2x3,batchnorm,flatten,dense:2");
        model.Build(new TensorShape(1, 5, 5), seed: 1);
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var header = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Contains("\"1.running_mean\":{\"dtype\":\"F32\",\"shape\":[2]", header, StringComparison.Ordinal);
        Assert.Contains("\"1.running_var\"", header, StringComparison.Ordinal);

        // A file whose state tensor is renamed (same length, so every offset stays valid) lacks the running variance.
        var bytes = stream.ToArray();
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        var renamed = text.Replace("\"1.running_var\"", "\"1.running_vax\"", StringComparison.Ordinal);
        using var corrupted = new MemoryStream(System.Text.Encoding.Latin1.GetBytes(renamed));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(corrupted));
        Assert.Contains("tensor '1.running_var' is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_running_variance_is_rejected_on_load()
    {
        var model = Sequential.Parse("batchnorm,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        ((Nonlinear.Layers.BatchNorm)model.Layers[0]).RunningVariance.Span[1] = -0.5f;
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        stream.Position = 0;
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(stream));
        Assert.Contains("tensor '0.running_var' element 1 is -0.5", e.Message, StringComparison.Ordinal);
    }
}
