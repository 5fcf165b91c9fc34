using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class ModelTests
{
    [Theory]
    [InlineData("dense:16,tanh,dense:16,relu,dense:1")]
    [InlineData("dense:8:he,leaky_relu:0.2,prelu:channel,dense:3,softmax")]
    [InlineData("dense:4,gelu:tanh,dense:2,softplus:beta=2")]
    public void A_spec_round_trips(string spec) => Assert.Equal(spec, Sequential.Parse(spec).Spec);

    [Theory]
    [InlineData("dense:0,relu", 1, "positive integer")]
    [InlineData("dense:16,relu7", 2, "did you mean")]
    [InlineData("dense:16,,dense:1", 2, "empty token")]
    [InlineData("dense:x", 1, "dense:<units>")]
    [InlineData("dense:4:magic", 1, "initializer")]
    [InlineData("prelu:all", 1, "prelu:channel")]
    [InlineData("", 1, "empty")]
    public void A_bad_token_is_named_with_its_position(string spec, int index, string expected)
    {
        var e = Assert.Throws<ModelSpecException>(() => Sequential.Parse(spec));
        Assert.Equal(index, e.TokenIndex);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_bit_for_bit()
    {
        var a = Sequential.Parse("dense:16,relu,dense:4");
        var b = Sequential.Parse("dense:16,relu,dense:4");
        var c = Sequential.Parse("dense:16,relu,dense:4");
        a.Build(new TensorShape(5), seed: 42);
        b.Build(new TensorShape(5), seed: 42);
        c.Build(new TensorShape(5), seed: 43);
        for (int p = 0; p < a.Parameters.Count; p++)
        {
            Assert.Equal(a.Parameters[p].Value.Span.ToArray(), b.Parameters[p].Value.Span.ToArray());
        }

        Assert.NotEqual(a.Parameters[0].Value.Span.ToArray(), c.Parameters[0].Value.Span.ToArray());
    }

    [Theory]
    [InlineData("dense:512,relu", 2.0)] // He: var = 2 / fan_in
    [InlineData("dense:512,tanh", 2.0 / (1 + 512.0 / 256))] // Glorot: var = 2 / (fan_in + fan_out), fan_in = 256
    [InlineData("dense:512,selu", 1.0)] // LeCun: var = 1 / fan_in
    public void Initialisation_fits_the_activation_that_follows(string spec, double varianceTimesFanIn)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(256), seed: 5);
        var w = model.Parameters[0].Value.Span.ToArray();
        double variance = w.Select(v => (double)v * v).Average();
        Assert.Equal(varianceTimesFanIn / 256, variance, 0.08 * varianceTimesFanIn / 256);
        Assert.All(model.Parameters[1].Value.Span.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void An_explicit_initializer_overrides_the_automatic_choice()
    {
        var model = Sequential.Parse("dense:512:lecun,relu");
        model.Build(new TensorShape(256), seed: 5);
        double variance = model.Parameters[0].Value.Span.ToArray().Select(v => (double)v * v).Average();
        Assert.Equal(1.0 / 256, variance, 0.08 / 256);
    }

    [Fact]
    public void Parameters_are_named_by_layer_index()
    {
        var model = Sequential.Parse("dense:4,prelu,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        Assert.Equal(["0.weight", "0.bias", "1.slope", "2.weight", "2.bias"], model.ParameterNames);
        Assert.Equal(4 * 2 + 4 + 1 + 4 + 1, model.ParameterCount);
    }

    [Fact]
    public void Impossible_shapes_are_reported_with_the_layer()
    {
        var model = Sequential.Parse("dense:4,dense:2");
        var e = Assert.Throws<ArgumentException>(() => model.Build(new TensorShape(2, 3, 4), seed: 1));
        Assert.Contains("Layer 1 ('dense:4')", e.Message, StringComparison.Ordinal);
        model.Build(new TensorShape(3), seed: 1);
        var bad = Assert.Throws<ArgumentException>(() => model.Forward(new Tensor(5, 4)));
        Assert.Contains("[N, 3]", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_buffers_are_reused_while_the_batch_size_is_unchanged()
    {
        var model = Sequential.Parse("dense:8,relu,dense:2");
        model.Build(new TensorShape(3), seed: 1);
        var x = FiniteDifferences.RandomInput(1, 4, 3);
        var first = model.Forward(x);
        Assert.Same(first, model.Forward(x));
        Assert.NotSame(first, model.Forward(FiniteDifferences.RandomInput(1, 5, 3)));
    }

    [Fact]
    public void A_stack_of_identity_layers_is_one_affine_map()
    {
        // The founding fact: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2).
        var model = Sequential.Parse("dense:5,identity,dense:4,dense:2");
        model.Build(new TensorShape(3), seed: 9);
        var layers = model.Layers.OfType<Dense>().ToArray();
        double[,] w = Identity(3);
        double[] b = new double[3];
        foreach (var d in layers)
        {
            int o = d.Units, i = d.InputShape[0];
            var nw = new double[o, 3];
            var nb = new double[o];
            for (int r = 0; r < o; r++)
            {
                nb[r] = d.Bias.Value.Span[r];
                for (int k = 0; k < i; k++)
                {
                    nb[r] += d.Weight.Value[r, k] * b[k];
                    for (int c = 0; c < 3; c++)
                    {
                        nw[r, c] += d.Weight.Value[r, k] * w[k, c];
                    }
                }
            }

            (w, b) = (nw, nb);
        }

        var x = FiniteDifferences.RandomInput(4, 6, 3);
        var y = model.Forward(x);
        for (int n = 0; n < 6; n++)
        {
            for (int r = 0; r < 2; r++)
            {
                double expected = b[r] + w[r, 0] * x[n, 0] + w[r, 1] * x[n, 1] + w[r, 2] * x[n, 2];
                Assert.Equal(expected, y[n, r], 4);
            }
        }

        static double[,] Identity(int n)
        {
            var m = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                m[i, i] = 1;
            }

            return m;
        }
    }
}
