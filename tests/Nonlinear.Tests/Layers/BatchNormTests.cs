using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class BatchNormTests
{
    [Theory]
    [InlineData("batchnorm", new[] { 4 })]
    [InlineData("dense:4,batchnorm,tanh,dense:2", new[] { 3 })]
    [InlineData("batchnorm", new[] { 3, 2, 2 })]
    [InlineData("batchnorm", new[] { 2, 5 })]
    [InlineData("conv:3x3,batchnorm,sigmoid,conv:2x2", new[] { 2, 5, 5 })]
    public void Training_mode_backward_matches_finite_differences(string spec, int[] inputShape)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(inputShape), seed: 3);

        // Non-trivial γ and β, so that their gradients and their effect on dx are both exercised.
        var norm = model.Layers.OfType<BatchNorm>().Single();
        for (int c = 0; c < norm.Gamma.Length; c++)
        {
            norm.Gamma.Value.Span[c] = 0.5f + 0.3f * c;
            norm.Beta.Value.Span[c] = 0.2f - 0.1f * c;
        }

        var x = FiniteDifferences.RandomInput(9, [5, .. inputShape]);
        FiniteDifferences.Check(model, x, seed: 4, h: 1e-2, tolerance: 5e-3);
    }

    [Fact]
    public void Training_normalises_with_batch_statistics_and_updates_the_running_ones_like_pytorch()
    {
        var layer = new BatchNorm();
        layer.Build(new TensorShape(2), Initializer.Auto, new Random(1));
        // Feature 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3). Feature 1: constant 5 (var 0).
        var x = Tensor.FromArray([1f, 5f, 2f, 5f, 3f, 5f, 6f, 5f], 4, 2);
        var y = layer.Forward(x, training: true);
        double inv = 1 / Math.Sqrt(3.5 + 1e-5);
        Assert.Equal((1 - 3) * inv, y[0, 0], 5);
        Assert.Equal((6 - 3) * inv, y[3, 0], 5);
        Assert.Equal(0f, y[2, 1]);
        Assert.Equal(0.1 * 3, layer.RunningMean.Span[0], 6);
        Assert.Equal(0.1 * 5, layer.RunningMean.Span[1], 6);
        Assert.Equal(0.9 + 0.1 * (14.0 / 3), layer.RunningVariance.Span[0], 6);
        Assert.Equal(0.9, layer.RunningVariance.Span[1], 6);
    }

    [Fact]
    public void Evaluation_uses_the_running_statistics_with_pytorchs_formula()
    {
        // Hand-computed: running mean m, running var v, γ, β; y = (x − m) / sqrt(v + 1e-5) · γ + β.
        var layer = new BatchNorm();
        layer.Build(new TensorShape(2, 1, 2), Initializer.Auto, new Random(1));
        layer.RunningMean.Span[0] = 0.5f;
        layer.RunningMean.Span[1] = -2f;
        layer.RunningVariance.Span[0] = 4f;
        layer.RunningVariance.Span[1] = 0.25f;
        layer.Gamma.Value.Span[0] = 2f;
        layer.Gamma.Value.Span[1] = -1f;
        layer.Beta.Value.Span[0] = 0.1f;
        layer.Beta.Value.Span[1] = 3f;
        var x = Tensor.FromArray([2.5f, -1.5f, 0f, -1f], 1, 2, 1, 2);
        var y = layer.Forward(x, training: false);
        double[] expected =
        [
            ((2.5 - 0.5) / Math.Sqrt(4 + 1e-5) * 2) + 0.1,   // 2.09999...
            ((-1.5 - 0.5) / Math.Sqrt(4 + 1e-5) * 2) + 0.1,  // -1.89999...
            ((0 + 2) / Math.Sqrt(0.25 + 1e-5) * -1) + 3,     // -0.99992...
            ((-1 + 2) / Math.Sqrt(0.25 + 1e-5) * -1) + 3,    // 1.00004...
        ];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], y.Span[i], 5);
        }

        // Evaluation leaves the running statistics alone, and its gradient treats them as constants.
        Assert.Equal(0.5f, layer.RunningMean.Span[0]);
        var dx = layer.Backward(Tensor.FromArray([1f, 1f, 1f, 1f], 1, 2, 1, 2));
        Assert.Equal(2 / Math.Sqrt(4 + 1e-5), dx.Span[0], 5);
        Assert.Equal(-1 / Math.Sqrt(0.25 + 1e-5), dx.Span[3], 5);
        Assert.Equal((2.5 - 0.5) / Math.Sqrt(4 + 1e-5) + (-1.5 - 0.5) / Math.Sqrt(4 + 1e-5), layer.Gamma.Gradient.Span[0], 5);
        Assert.Equal(2f, layer.Beta.Gradient.Span[1]);
    }

    [Fact]
    public void Running_statistics_are_state_not_parameters()
    {
        var model = Sequential.Parse("dense:4,batchnorm,relu,conv:1x1");
        Assert.Throws<ArgumentException>(() => model.Build(new TensorShape(3), seed: 1)); // conv needs an image
        model = Sequential.Parse("conv:4x3,batchnorm,relu,flatten,dense:2,bn");
        model.Build(new TensorShape(1, 5, 5), seed: 1);
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias"], model.ParameterNames);
        Assert.Equal(["1.running_mean", "1.running_var", "5.running_mean", "5.running_var"], model.StateNames);
        Assert.All(model.Parameters.Where((_, i) => model.ParameterNames[i].StartsWith('1') || model.ParameterNames[i].StartsWith('5')), p => Assert.False(p.Decays));
        Assert.Equal(new TensorShape(4), model.State[0].Value.Shape);
        Assert.Equal([1f, 1f, 1f, 1f], model.State[1].Value.Span.ToArray());
        Assert.DoesNotContain(model.Parameters, p => model.State.Any(s => ReferenceEquals(s.Value, p.Value)));
    }

    [Fact]
    public void A_single_value_per_channel_cannot_be_normalised_in_training()
    {
        var layer = new BatchNorm();
        layer.Build(new TensorShape(3), Initializer.Auto, new Random(1));
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(1, 3), training: true));
        Assert.Contains("more than one value per channel", e.Message, StringComparison.Ordinal);
        Assert.Equal(new TensorShape(1, 3), layer.Forward(new Tensor(1, 3), training: false).Shape);
    }
}
