using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class ConvolutionTests
{
    [Theory]
    [InlineData("conv:3x3", new[] { 2, 5, 5 })]
    [InlineData("conv:2x3:s2", new[] { 2, 7, 7 })]
    [InlineData("conv:2x3:p1", new[] { 1, 5, 5 })]
    [InlineData("conv:2x3:s2:p1", new[] { 2, 6, 6 })]
    [InlineData("conv:2x2:s3:p2", new[] { 2, 5, 4 })]
    [InlineData("conv:3x1", new[] { 2, 4, 4 })]
    [InlineData("conv:2x3:p2", new[] { 1, 3, 3 })]
    [InlineData("conv:2x2:s2,tanh,conv:3x3:same", new[] { 2, 6, 6 })]
    [InlineData("conv:4x3,tanh,pool:2,flatten,dense:3", new[] { 2, 8, 8 })]
    [InlineData("conv:3x3,sigmoid,pool:3:s2,conv:2x1,flatten", new[] { 1, 9, 7 })]
    [InlineData("conv:3x3:s2:p1", new[] { 8, 6, 6 })] // C·k·k = 72: the bias is added in the product's epilogue
    [InlineData("conv:8x3:same,tanh,conv:3x3:s2", new[] { 2, 6, 6 })]
    public void Backward_matches_finite_differences(string spec, int[] inputShape)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(inputShape), seed: 4);
        var x = FiniteDifferences.RandomInput(8, [3, .. inputShape]);
        bool kinked = spec.Contains("pool", StringComparison.Ordinal);
        FiniteDifferences.Check(model, x, seed: 5, h: kinked ? 1e-3 : 1e-2, tolerance: 5e-3, kinked: kinked);
    }

    [Theory]
    [InlineData(3, 1, 0, 6, 7)]
    [InlineData(3, 2, 1, 6, 7)]
    [InlineData(2, 3, 2, 5, 5)]
    [InlineData(1, 1, 0, 3, 4)]
    [InlineData(5, 1, 2, 5, 5)]
    [InlineData(3, 1, 0, 6, 7, 8)] // C·k·k = 72 and more: the bias is added in the product's epilogue
    [InlineData(3, 2, 1, 6, 7, 8)]
    [InlineData(2, 3, 2, 5, 5, 16)]
    [InlineData(5, 2, 2, 9, 8, 3)]
    public void Forward_matches_a_direct_convolution(int k, int stride, int padding, int h, int w, int channels = 3)
    {
        int C = channels;
        const int F = 4, N = 2;
        var layer = new Conv2D(F, k, stride, padding);
        layer.Build(new TensorShape(C, h, w), Initializer.Glorot, new Random(1));
        var bias = layer.Bias.Value.Span;
        for (int f = 0; f < F; f++)
        {
            bias[f] = 0.1f * (f + 1);
        }

        var x = FiniteDifferences.RandomInput(2, N, C, h, w);
        var y = layer.Forward(x, training: false);
        int oh = (h + 2 * padding - k) / stride + 1, ow = (w + 2 * padding - k) / stride + 1;
        Assert.Equal(new TensorShape(N, F, oh, ow), y.Shape);
        var weight = layer.Weight.Value;
        for (int n = 0; n < N; n++)
        {
            for (int f = 0; f < F; f++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias[f];
                        for (int c = 0; c < C; c++)
                        {
                            for (int u = 0; u < k; u++)
                            {
                                for (int v = 0; v < k; v++)
                                {
                                    int r = i * stride - padding + u, s = j * stride - padding + v;
                                    if (r >= 0 && r < h && s >= 0 && s < w)
                                    {
                                        sum += (double)weight[f, c, u, v] * x[n, c, r, s];
                                    }
                                }
                            }
                        }

                        Assert.Equal(sum, y[n, f, i, j], 4);
                    }
                }
            }
        }
    }

    [Fact]
    public void Max_pooling_takes_window_maxima_floors_odd_sizes_and_routes_gradients_to_them()
    {
        // One 5x5 plane pooled by 2: the last row and column are dropped (PyTorch's floor).
        float[] plane =
        [
            1, 2, 0, 7, 9,
            3, 4, 5, 1, 9,
            0, 0, 6, 6, 9,
            0, 8, 6, 6, 9,
            9, 9, 9, 9, 9,
        ];
        var layer = new MaxPool2D(2);
        layer.Build(new TensorShape(1, 5, 5), Initializer.Auto, new Random(1));
        Assert.Equal(new TensorShape(1, 2, 2), layer.OutputShape);
        var y = layer.Forward(Tensor.FromArray(plane, 1, 1, 5, 5), training: true);
        Assert.Equal([4f, 7f, 8f, 6f], y.Span.ToArray());
        var dx = layer.Backward(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2));

        // The tie among the four 6s goes to the first in row-major order (row 2, column 2).
        float[] expected = new float[25];
        expected[1 * 5 + 1] = 1;
        expected[0 * 5 + 3] = 2;
        expected[3 * 5 + 1] = 3;
        expected[2 * 5 + 2] = 4;
        Assert.Equal(expected, dx.Span.ToArray());
    }

    [Fact]
    public void Overlapping_pooling_windows_add_their_gradients()
    {
        var layer = new MaxPool2D(3, 2);
        layer.Build(new TensorShape(1, 5, 5), Initializer.Auto, new Random(1));
        Assert.Equal(new TensorShape(1, 2, 2), layer.OutputShape);
        var x = new Tensor(1, 1, 5, 5);
        x[0, 0, 2, 2] = 5; // the centre belongs to all four windows
        var y = layer.Forward(x, training: true);
        Assert.Equal([5f, 5f, 5f, 5f], y.Span.ToArray());
        var dx = layer.Backward(Tensor.FromArray([1f, 2f, 3f, 4f], 1, 1, 2, 2));
        Assert.Equal(10f, dx[0, 0, 2, 2]);
        Assert.Equal(10f, dx.Span.ToArray().Sum());
    }

    [Fact]
    public void Max_pooling_gradient_matches_finite_differences_on_distinct_inputs()
    {
        // Inputs spaced 0.01 apart, so a step of 1e-3 never changes which element is the maximum.
        var model = Sequential.Parse("pool:2,conv:2x2,pool:2:s1");
        model.Build(new TensorShape(2, 8, 6), seed: 1);
        var rng = new Random(4);
        var values = Enumerable.Range(0, 3 * 2 * 8 * 6).Select(i => i * 0.01f - 1.4f).OrderBy(_ => rng.Next()).ToArray();
        FiniteDifferences.Check(model, Tensor.FromArray(values, 3, 2, 8, 6), seed: 2, h: 1e-3, tolerance: 5e-3);
    }

    [Fact]
    public void Flatten_keeps_row_major_order_and_its_gradient_is_a_reshape()
    {
        var layer = new Flatten();
        layer.Build(new TensorShape(2, 2, 3), Initializer.Auto, new Random(1));
        Assert.Equal(new TensorShape(12), layer.OutputShape);
        var x = FiniteDifferences.RandomInput(1, 2, 2, 2, 3);
        var y = layer.Forward(x, training: false);
        Assert.Equal(x.Span.ToArray(), y.Span.ToArray());
        Assert.Equal(x[1, 1, 0, 2], y[1, 1 * 6 + 0 * 3 + 2]);
        var dy = FiniteDifferences.RandomInput(2, 2, 12);
        Assert.Equal(dy.Span.ToArray(), layer.Backward(dy).Span.ToArray());
    }

    [Fact]
    public void The_reference_cnn_has_pytorchs_shapes_and_parameter_count()
    {
        var model = Sequential.Parse("conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10");
        model.Build(new TensorShape(1, 28, 28), seed: 1);
        Assert.Equal(
            ["[32, 26, 26]", "[32, 26, 26]", "[32, 13, 13]", "[64, 11, 11]", "[64, 11, 11]", "[64, 5, 5]", "[1600]", "[128]", "[128]", "[10]"],
            model.Layers.Select(l => l.OutputShape.ToString()));
        Assert.Equal(225_034, model.ParameterCount);
        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"], model.ParameterNames);
        Assert.Equal(new TensorShape(32, 1, 3, 3), model.Parameters[0].Value.Shape);
        var y = model.Forward(FiniteDifferences.RandomInput(1, 2, 1, 28, 28));
        Assert.Equal(new TensorShape(2, 10), y.Shape);
    }

    [Theory]
    [InlineData("conv:64x5,relu", 2.0)] // He
    [InlineData("conv:64x5,batchnorm,relu", 2.0)] // He, looking past batchnorm
    [InlineData("conv:64x5,dropout:0.5,pool:2,relu", 2.0)]
    [InlineData("conv:64x5,selu", 1.0)] // LeCun
    [InlineData("conv:64x5,tanh", 2.0 / (1 + 64.0 / 16))] // Glorot: 2 / (fan_in + fan_out), fan_in = 16·25, fan_out = 64·25
    [InlineData("conv:64x5:lecun,relu", 1.0)]
    public void Convolution_initialisation_uses_fan_in_C_k_k(string spec, double varianceTimesFanIn)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(16, 12, 12), seed: 5);
        const double FanIn = 16 * 25;
        double variance = model.Parameters[0].Value.Span.ToArray().Select(v => (double)v * v).Average();
        Assert.Equal(varianceTimesFanIn / FanIn, variance, 0.05 * varianceTimesFanIn / FanIn);
        Assert.All(model.Parameters[1].Value.Span.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void A_dense_layer_after_flatten_and_batchnorm_gets_he_when_relu_follows()
    {
        var model = Sequential.Parse("flatten,dense:512,batchnorm,dropout:0.1,relu");
        model.Build(new TensorShape(4, 8, 8), seed: 5);
        double variance = model.Parameters[0].Value.Span.ToArray().Select(v => (double)v * v).Average();
        Assert.Equal(2.0 / 256, variance, 0.08 * 2.0 / 256);
    }

    [Theory]
    [InlineData("conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10")]
    [InlineData("conv:32x3:s2,conv:8x5:p2,conv:4x3:same,conv:4x3:s2:p1:he,conv:2x1:glorot,conv:2x3:same:lecun")]
    [InlineData("pool:2,pool:3:s2,flatten,dropout:0.25,batchnorm,dropout:0,dropout:0.5")]
    [InlineData("conv:8x3,batchnorm,prelu:channel,dropout:0.125,flatten,dense:4:he")]
    public void Convolution_specs_round_trip(string spec) => Assert.Equal(spec, Sequential.Parse(spec).Spec);

    [Theory]
    [InlineData("conv2d:8x3:P1:S2:HE", "conv:8x3:s2:p1:he")]
    [InlineData("maxpool:2", "pool:2")]
    [InlineData("pool:2:s2", "pool:2")]
    [InlineData("bn,dropout:.5", "batchnorm,dropout:0.5")]
    [InlineData("conv:8X3:s1:p0", "conv:8x3")]
    public void Aliases_and_defaults_format_canonically(string spec, string canonical) => Assert.Equal(canonical, Sequential.Parse(spec).Spec);

    [Theory]
    [InlineData("conv:32", 1, "filters and kernel size")]
    [InlineData("dense:4,conv:0x3", 2, "positive integers")]
    [InlineData("conv:8x3x3", 1, "filters and kernel size")]
    [InlineData("conv:8x3:q1", 1, "unknown option 'q1'")]
    [InlineData("conv:8x3:s0", 1, "stride must be a positive integer")]
    [InlineData("conv:8x3:s2:s1", 1, "repeats or contradicts")]
    [InlineData("conv:8x3:p1:same", 1, "repeats or contradicts")]
    [InlineData("conv:8x4:same", 1, "odd kernel")]
    [InlineData("conv:8x3:same:s2", 1, "stride 1")]
    [InlineData("relu,pool", 2, "pool:<size>")]
    [InlineData("pool:2:x2", 1, "pool:<size>:s<stride>")]
    [InlineData("flatten:1", 1, "no arguments")]
    [InlineData("bn:2", 1, "no arguments")]
    [InlineData("dropout", 1, "dropout:<rate>")]
    [InlineData("dropout:1", 1, "[0, 1)")]
    [InlineData("dropout:-0.1", 1, "[0, 1)")]
    [InlineData("dropout:nan", 1, "[0, 1)")]
    [InlineData("conv:8x3,relu,maxpol:2", 3, "conv:<filters>x<k>")]
    public void A_bad_convolution_token_is_named_with_its_position(string spec, int index, string expected)
    {
        var e = Assert.Throws<ModelSpecException>(() => Sequential.Parse(spec));
        Assert.Equal(index, e.TokenIndex);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("conv:8x3,relu,dense:10", new[] { 1, 28, 28 }, "Layer 3 ('dense:10')", "add 'flatten'")]
    [InlineData("conv:8x5", new[] { 1, 4, 4 }, "Layer 1 ('conv:8x5')", "larger than the 4x4 input")]
    [InlineData("conv:8x3,pool:2,pool:2,conv:4x5", new[] { 1, 16, 16 }, "Layer 4 ('conv:4x5')", "larger than the 3x3 input")]
    [InlineData("conv:8x3", new[] { 784 }, "Layer 1 ('conv:8x3')", "images [C, H, W]")]
    [InlineData("dense:8,pool:2", new[] { 4 }, "Layer 2 ('pool:2')", "images [C, H, W]")]
    [InlineData("pool:3", new[] { 2, 2, 5 }, "Layer 1 ('pool:3')", "larger than the 2x5 input")]
    public void Impossible_shapes_name_the_layer_and_the_reason(string spec, int[] input, string layer, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => Sequential.Parse(spec).Build(new TensorShape(input), seed: 1));
        Assert.Contains(layer, e.Message, StringComparison.Ordinal);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
