using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class LayerGradientTests
{
    [Theory]
    [InlineData("dense:3")]
    [InlineData("dense:5,tanh")]
    [InlineData("dense:4,relu,dense:2")]
    [InlineData("dense:4,sigmoid,dense:3,softmax")]
    [InlineData("dense:4,gelu,dense:3,log_softmax")]
    [InlineData("dense:6,prelu,dense:2")]
    [InlineData("dense:6,prelu:channel,dense:2")]
    [InlineData("dense:8,selu,dense:8,silu,dense:1")]
    [InlineData("dense:8,leaky_relu:0.1,dense:8,elu,dense:8,mish,dense:2")]
    public void Backward_matches_finite_differences_for_inputs_and_parameters(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(3), seed: 7);
        var x = FiniteDifferences.RandomInput(11, 5, 3);

        // With kinked activations (ReLU, PReLU) a smaller step makes crossing a kink between x - h and x + h
        // unlikely for these fixed random inputs.
        FiniteDifferences.Check(model, x, seed: 3, h: spec.Contains("relu", StringComparison.Ordinal) || spec.Contains("prelu", StringComparison.Ordinal) ? 1e-3 : 1e-2, tolerance: 5e-3);
    }

    [Fact]
    public void Dense_computes_x_times_W_transposed_plus_b()
    {
        var model = Sequential.Parse("dense:2");
        model.Build(new TensorShape(3), seed: 1);
        var dense = (Nonlinear.Layers.Dense)model.Layers[0];
        float[] w = [1, 2, 3, -1, 0, 1];
        w.CopyTo(dense.Weight.Value.Span);
        dense.Bias.Value.Span[0] = 0.5f;
        dense.Bias.Value.Span[1] = -1f;
        var y = model.Forward(Tensor.FromArray([1f, 1f, 1f, 2f, 0f, -1f], 2, 3));
        Assert.Equal([6.5f, -1f, -0.5f, -4f], y.Span.ToArray());
    }

    [Theory]
    [InlineData("dense:8,relu,dense:2", new[] { 3 })]
    [InlineData("prelu:channel,dense:4,tanh,dense:1", new[] { 3 })]
    [InlineData("relu,dense:3", new[] { 3 })]
    [InlineData("conv:4x3:p1,relu,conv:2x3:s2", new[] { 2, 7, 7 })]
    [InlineData("lstm:4:seq,gru:3,dense:2", new[] { 5, 3 })]
    [InlineData("rnn:4:seq,rnn:3:relu", new[] { 5, 3 })]
    public void Backward_for_parameters_only_gives_the_same_parameter_gradients(string spec, int[] sample)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(sample), seed: 1);
        var x = FiniteDifferences.RandomInput(2, [3, .. sample]);
        var y = model.Forward(x, training: true);
        var dy = FiniteDifferences.RandomInput(3, y.Shape.ToArray());
        model.ZeroGradients();
        model.Backward(dy);
        var full = model.Parameters.Select(p => p.Gradient.Span.ToArray()).ToList();
        model.ZeroGradients();
        model.Forward(x, training: true);
        model.BackwardParameters(dy);
        for (int p = 0; p < full.Count; p++)
        {
            Assert.Equal(full[p], model.Parameters[p].Gradient.Span.ToArray());
        }
    }

    [Fact]
    public void Gradients_accumulate_until_zeroed()
    {
        var model = Sequential.Parse("dense:2");
        model.Build(new TensorShape(3), seed: 1);
        var x = FiniteDifferences.RandomInput(2, 4, 3);
        var dy = Tensor.FromArray(Enumerable.Repeat(1f, 8).ToArray(), 4, 2);
        model.Forward(x, training: true);
        model.Backward(dy);
        var once = model.Parameters[0].Gradient.Span.ToArray();
        model.Forward(x, training: true);
        model.Backward(dy);
        Assert.Equal(once.Select(v => 2 * v), model.Parameters[0].Gradient.Span.ToArray());
        model.ZeroGradients();
        Assert.All(model.Parameters[0].Gradient.Span.ToArray(), v => Assert.Equal(0f, v));
    }
}
