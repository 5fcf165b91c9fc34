using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Models;

/// <summary>
/// The convolutional fusions: <see cref="Sequential.Infer"/> runs conv (+ relu) (+ max pooling) as one pass per sample,
/// and <see cref="Sequential.Backward"/> takes a relu's backward inside the max pooling's after it. Both must give
/// exactly the values of the layers run one by one, bit for bit, NaN, infinities and signed zeros included, on the
/// packed and the general convolution path, every pooling width and 1-3 threads (serial collection: these tests
/// change Engine.MaxThreads and the kernel settings).
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class ConvInferTests
{
    public static TheoryData<string, int> Models => new()
    {
        // conv, relu, pool fused; batch 1-2 split the pixels over the threads, larger batches the samples.
        { "conv:8x3,relu,pool:2,flatten,dense:10", 1 },
        { "conv:8x3,relu,pool:2,flatten,dense:10", 2 },
        { "conv:8x3,relu,pool:2,flatten,dense:10", 7 },
        // Overlapping windows, a 1x1 convolution (its input multiplied in place), conv + relu without pooling.
        { "conv:6x3,relu,pool:3:s2,conv:5x1,relu,flatten,dense:4", 3 },
        { "conv:6x3,relu,pool:3:s1,conv:5x1,relu,flatten,dense:4", 5 },
        // Stride and padding; a patch of 72 (the general path adds the bias in the product's epilogue).
        { "conv:16x3:s2:p1,relu,conv:8x3,relu,pool:2,flatten,dense:3", 1 },
        { "conv:8x3,relu,conv:16x3,relu,pool:2,flatten,dense:3", 4 },
        // conv then pooling with no relu, relu after the pooling; batch norm between conv and relu (not fused).
        { "conv:4x3,pool:2,relu,flatten,dense:3", 6 },
        { "conv:8x3:same,batchnorm,relu,pool:2,flatten,dense:5", 1 },
        { "conv:8x3:same,batchnorm,relu,pool:2,flatten,dense:5", 9 },
        // relu then pooling after batch norm or first (pooled through the ReLU plane by plane), overlapping windows.
        { "conv:4x3,batchnorm,relu,pool:3:s2,flatten,dense:3", 2 },
        { "relu,pool:2,conv:4x3,relu,pool:2,flatten,dense:3", 3 },
        { "relu,pool:3:s1,flatten,dense:3", 5 },
        { "conv:8x3,batchnorm,relu,pool:3:s1,flatten,dense:3", 100 },
        // A conv last.
        { "conv:4x3,relu,pool:2,conv:3x3", 2 },
    };

    /// <summary>Runs <paramref name="body"/> on the packed and general convolution paths, pooling widths (default, scalar) and 1-3 threads.</summary>
    private static void EverySetting(Action<string> body)
    {
        var saved = (Conv2D.UsePackedProducts, Pooling.Width, Engine.MaxThreads);
        try
        {
            foreach (bool packed in new[] { true, false })
            {
                foreach (int width in new[] { Pooling.DefaultWidth, 0 })
                {
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        (Conv2D.UsePackedProducts, Pooling.Width, Engine.MaxThreads) = (packed, width, threads);
                        body($"packed {packed}, pooling width {width}, threads {threads}");
                    }
                }
            }
        }
        finally
        {
            (Conv2D.UsePackedProducts, Pooling.Width, Engine.MaxThreads) = saved;
        }
    }

    /// <summary>Values in [-1, 1) with the extremes planted: NaN, ±inf, ±0, huge and tiny values.</summary>
    private static Tensor Random(int seed, bool extremes, params int[] shape)
    {
        var x = new Tensor(shape);
        var random = new Random(seed);
        var span = x.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)(random.NextDouble() * 2 - 1);
        }

        if (extremes)
        {
            float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 3e38f, -3e38f, 1e-40f, -1e-40f];
            int sample = span.Length / shape[0];
            for (int i = 0; i < special.Length; i++)
            {
                // One special value per sample (the first samples), at a different place each time.
                span[(i % shape[0] * sample) + (i * 37 % sample)] = special[i];
            }
        }

        return x;
    }

    private static Sequential Build(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(1, 12, 12), seed: 3);
        if (model.State.Count > 0)
        {
            // Running statistics away from (0, 1), so that batch norm's evaluation pass does something.
            for (int i = 0; i < 3; i++)
            {
                model.Forward(Random(40 + i, extremes: false, 8, 1, 12, 12), training: true);
            }
        }

        return model;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Infer_equals_the_evaluation_forward_pass_bit_for_bit(string spec, int batch)
    {
        var model = Build(spec);
        foreach (bool extremes in new[] { false, true })
        {
            var x = Random(batch, extremes, batch, 1, 12, 12);
            EverySetting(setting =>
            {
                float[] expected = model.Forward(x, training: false).Span.ToArray();
                InferTests.AssertSameBits(expected, model.Infer(x).Span, $"{spec}, batch {batch}, extremes {extremes}, {setting}");
            });
        }
    }

    [Fact]
    public void Infer_follows_weight_changes_and_alternating_batch_sizes()
    {
        var model = Build("conv:8x3,relu,pool:2,flatten,dense:10");
        var one = Random(1, extremes: false, 1, 1, 12, 12);
        var many = Random(2, extremes: true, 6, 1, 12, 12);
        EverySetting(setting =>
        {
            foreach (var x in new[] { one, many, one, many })
            {
                InferTests.AssertSameBits(model.Forward(x, training: false).Span.ToArray(), model.Infer(x).Span, setting);
            }

            // The packed weights are kept only while the weights are the same bytes: a change shows at once, and so
            // does a change back (the training forward in between packs the changed weights into its own panels).
            var w = model.Parameters[0].Value.Span;
            float before = w[5];
            w[5] += 0.25f;
            InferTests.AssertSameBits(model.Forward(many, training: false).Span.ToArray(), model.Infer(many).Span, $"{setting}, after a weight change");
            model.Forward(many, training: true);
            w[5] = before;
            InferTests.AssertSameBits(model.Forward(one, training: false).Span.ToArray(), model.Infer(one).Span, $"{setting}, after the change back");
            w[0] = -0f;
            InferTests.AssertSameBits(model.Forward(one, training: false).Span.ToArray(), model.Infer(one).Span, $"{setting}, a weight set to -0");
            w[0] = 0f;
            InferTests.AssertSameBits(model.Forward(one, training: false).Span.ToArray(), model.Infer(one).Span, $"{setting}, the weight set to +0");
            w[5] += 0.125f;
        });
    }

    /// <summary>dLoss/dInput and every parameter gradient of the whole backward pass, and of the layers run one by one.</summary>
    [Theory]
    [InlineData("conv:8x3,relu,pool:2,flatten,dense:10", 3)]
    [InlineData("conv:6x3,relu,pool:3:s1,conv:5x1,relu,pool:3:s2,flatten,dense:4", 4)]
    [InlineData("relu,pool:2,conv:4x3,relu,pool:2,flatten,dense:3", 2)]
    [InlineData("conv:8x3:same,batchnorm,relu,pool:2,flatten,dense:5", 5)]
    public void Backward_through_relu_and_pooling_equals_the_layers_one_by_one(string spec, int batch)
    {
        var model = Build(spec);
        foreach (bool extremes in new[] { false, true })
        {
            var x = Random(batch + 10, extremes, batch, 1, 12, 12);
            EverySetting(setting =>
            {
                var y = model.Forward(x, training: true);
                var dy = Random(batch + 20, extremes, y.Shape.ToArray());

                model.ZeroGradients();
                var g = dy;
                for (int i = model.Layers.Count - 1; i >= 0; i--)
                {
                    g = model.Layers[i].Backward(g);
                }

                float[] expectedInput = g.Span.ToArray();
                var expected = model.Parameters.Select(p => p.Gradient.Span.ToArray()).ToList();

                model.ZeroGradients();
                var actualInput = model.Backward(dy);
                InferTests.AssertSameBits(expectedInput, actualInput.Span, $"{spec}: dx, {setting}");
                for (int p = 0; p < expected.Count; p++)
                {
                    InferTests.AssertSameBits(expected[p], model.Parameters[p].Gradient.Span, $"{spec}: gradient of {model.ParameterNames[p]}, {setting}");
                }

                model.ZeroGradients();
                model.BackwardParameters(dy);
                for (int p = 0; p < expected.Count; p++)
                {
                    InferTests.AssertSameBits(expected[p], model.Parameters[p].Gradient.Span, $"{spec}: BackwardParameters, gradient of {model.ParameterNames[p]}, {setting}");
                }
            });
        }
    }

    [Fact]
    public void The_fused_pooling_backward_masks_each_contribution_by_the_pooled_relu_output()
    {
        // One 3x3 plane pooled 2x2 stride 1 (overlapping windows): the relu output r, the pooled y = r[argmax].
        float[] r = [0f, -0f, 2f, 1f, float.NaN, 0f, 3f, 0f, 0f];
        float[] y = new float[4], dy = [1f, 2f, 4f, float.NaN];
        int[] argmax = new int[4];
        Pooling.MaxForward(r, y, argmax, 1, 3, 3, 2, 1, 2, 2);
        var plain = new float[9];
        var fused = new float[9];
        Pooling.MaxBackward(dy, argmax, plain, 1, 3, 3, 2, 2);
        Pooling.MaxBackward(dy, argmax, y, fused, 1, 3, 3, 2, 2);
        for (int i = 0; i < 9; i++)
        {
            // The relu activation's backward: 0 where r <= 0, dy elsewhere (NaN included).
            float expected = r[i] <= 0f ? 0f : plain[i];
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(fused[i]));
        }

        Assert.True(float.IsNaN(fused[4])); // the NaN wins every window it is in, and NaN passes relu'
        Assert.Throws<ArgumentException>(() => Pooling.MaxBackward(dy, argmax, new float[3], fused, 1, 3, 3, 2, 2));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(16, 1)]
    [InlineData(16, 2)]
    public void Infer_and_the_fused_backward_allocate_nothing_in_steady_state(int batch, int threads)
    {
        var model = Build("conv:8x3,relu,pool:2,conv:8x3,relu,pool:2,flatten,dense:10");
        var x = Random(7, extremes: false, batch, 1, 12, 12);
        var dy = Random(8, extremes: false, batch, 10);
        int saved = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = threads;
            void Step()
            {
                model.Infer(x);
                model.Forward(x, training: true);
                model.Backward(dy);
            }

            for (int i = 0; i < 5; i++)
            {
                Step();
            }

            // A one-off allocation (the tiered JIT) can land in one try; one per call would show in every try.
            long best = long.MaxValue;
            for (int attempt = 0; attempt < 3 && best != 0; attempt++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++)
                {
                    Step();
                }

                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - start);
            }

            Assert.True(best == 0, $"{best} bytes allocated in 20 steps");
        }
        finally
        {
            Engine.MaxThreads = saved;
        }
    }
}
