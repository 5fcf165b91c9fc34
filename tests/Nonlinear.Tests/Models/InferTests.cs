using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Models;

/// <summary>
/// <see cref="Sequential.Infer"/> (dense + relu fused into one product, flatten as a view) and the dense layer's
/// split of one- and two-row products by output units: both must give exactly the values of the plain evaluation
/// forward pass, bit for bit, NaN, infinities and signed zeros included, on every GEMM path and thread count
/// (serial collection: these tests change Engine.MaxThreads and the GEMM settings).
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class InferTests
{
    private const string Mlp = "flatten,dense:256,relu,dense:128,relu,dense:10";
    private const string Cnn = "conv:8x3,relu,pool:2,flatten,dense:40,relu,dense:10";

    public static TheoryData<string, int> Models => new()
    {
        { Mlp, 1 }, { Mlp, 2 }, { Mlp, 3 }, { Mlp, 37 },
        { Cnn, 1 }, { Cnn, 5 },
        // Not fused: relu after something else, leaky relu, a dense layer last or followed by another activation.
        { "flatten,dense:33,leaky_relu:0.1,dense:17,tanh,dense:9,relu", 1 },
        { "flatten,dense:33,leaky_relu:0.1,dense:17,tanh,dense:9,relu", 4 },
        { "flatten,dense:48,relu,relu,dropout:0.5,dense:7,sigmoid", 2 },
        { "flatten,dense:48,relu,relu,dropout:0.5,dense:7,sigmoid", 9 },
    };

    /// <summary>The GEMM paths: (blocked kernel, 512-bit kernel, rows read in place).</summary>
    private static IEnumerable<(bool Kernel, bool Wide, int SmallRows)> Paths()
    {
        yield return (false, false, 2);
        if (Gemm.UseKernel)
        {
            yield return (true, false, 2);
            yield return (true, false, 0);
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                yield return (true, true, 2);
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> under every GEMM path, thread count (1, 2, 3) and split threshold (never, always).</summary>
    private static void EverySetting(Action<string> body)
    {
        var saved = (Gemm.UseKernel, Gemm.Width, Gemm.SmallRows, Engine.MaxThreads, Dense.SplitWork);
        try
        {
            foreach (var (kernel, wide, smallRows) in Paths())
            {
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    foreach (long split in new[] { long.MaxValue, 0 })
                    {
                        (Gemm.UseKernel, Gemm.Width, Gemm.SmallRows, Engine.MaxThreads, Dense.SplitWork) = (kernel, wide ? 512 : Math.Max(128, Math.Min(256, Gemm.WidestAccelerated)), smallRows, threads, split);
                        body($"kernel {kernel}, 512 {wide}, small rows {smallRows}, threads {threads}, split at {split}");
                    }
                }
            }
        }
        finally
        {
            (Gemm.UseKernel, Gemm.Width, Gemm.SmallRows, Engine.MaxThreads, Dense.SplitWork) = saved;
        }
    }

    /// <summary>Inputs in [-1, 1) with the extremes planted: NaN, ±inf, ±0, huge and tiny values.</summary>
    private static Tensor Input(int batch, int seed, bool extremes)
    {
        var x = new Tensor(batch, 1, 12, 12);
        var random = new Random(seed);
        var span = x.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)(random.NextDouble() * 2 - 1);
        }

        if (extremes)
        {
            float[] special = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 3e38f, -3e38f, 1e-40f, -1e-40f];
            for (int i = 0; i < special.Length && batch > 0; i++)
            {
                // One special value per sample (the first samples), at a different feature each time.
                int sample = i % batch;
                span[(sample * 144) + (i * 37 % 144)] = special[i];
            }
        }

        return x;
    }

    private static Sequential Build(string spec, int seed = 1)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(1, 12, 12), seed);
        return model;
    }

    /// <summary>Asserts the two spans hold the same floats bit for bit, naming the first element that differs.</summary>
    internal static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(e == a, $"{what}: element {i} is {actual[i]:R} (0x{a:x8}), expected {expected[i]:R} (0x{e:x8})");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Infer_equals_the_evaluation_forward_pass_bit_for_bit(string spec, int batch)
    {
        var model = Build(spec);
        foreach (bool extremes in new[] { false, true })
        {
            var x = Input(batch, seed: batch, extremes);
            EverySetting(setting =>
            {
                var expected = model.Forward(x, training: false).Span.ToArray();
                var actual = model.Infer(x).Span.ToArray();
                AssertSameBits(expected, actual, $"{spec}, batch {batch}, extremes {extremes}, {setting}");
                if (extremes)
                {
                    Assert.Contains(actual, float.IsNaN); // the planted NaN reaches the output
                }
            });
        }
    }

    [Fact]
    public void A_fused_relu_propagates_nan_and_clamps_exactly_as_the_relu_layer()
    {
        // Row i of the input is [v_i, 1]; unit j has weights [1, 0] and bias 0, so every unit of row i computes
        // v_i + 0 (NaN, ±inf, huge and subnormal values; a product's sum starts at +0, so -0 cannot reach the
        // epilogue). The fused output must be the relu layer's max(0, x) of the plain dense output.
        float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 2.5f, -2.5f, 3e38f, -3e38f, 1e-40f, -1e-40f];
        var model = Sequential.Parse($"dense:{values.Length},relu");
        model.Build(new TensorShape(2), seed: 1);
        var dense = (Dense)model.Layers[0];
        var w = dense.Weight.Value.Span;
        w.Clear();
        dense.Bias.Value.Span.Clear();
        for (int j = 0; j < values.Length; j++)
        {
            w[j * 2] = 1;
        }

        var x = new Tensor(values.Length, 2);
        for (int i = 0; i < values.Length; i++)
        {
            x[i, 0] = values[i];
            x[i, 1] = 1;
        }

        EverySetting(setting =>
        {
            var pre = dense.Forward(x, training: false).Span.ToArray();
            var expected = model.Forward(x, training: false).Span.ToArray();
            var actual = model.Infer(x).Span.ToArray();
            AssertSameBits(expected, actual, setting);
            for (int i = 0; i < actual.Length; i++)
            {
                float want = pre[i] < 0 ? 0f : pre[i]; // NaN and zeros pass through unchanged
                Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(actual[i]), $"{setting}: relu({pre[i]:R}) gave {actual[i]:R}");
            }

            Assert.True(float.IsNaN(actual[0]), setting);
            Assert.Equal(float.PositiveInfinity, actual[values.Length + 1]);
            Assert.Equal(0f, actual[(2 * values.Length) + 2]);
        });
    }

    [Theory]
    [InlineData(784, 256, 1)]
    [InlineData(784, 256, 2)]
    [InlineData(100, 257, 1)] // units not a multiple of the split grain: the last part takes the rest
    [InlineData(100, 40, 2)]
    [InlineData(9, 33, 1)]
    [InlineData(5, 16, 1)]   // too few units to split
    public void A_product_split_by_units_equals_the_whole_product_bit_for_bit(int inputs, int units, int rows)
    {
        var layer = new Dense(units);
        layer.Build(new TensorShape(inputs), Initializer.Glorot, new Random(units));
        var x = new Tensor(rows, inputs);
        var random = new Random(inputs);
        foreach (ref float v in x.Span)
        {
            v = (float)(random.NextDouble() * 4 - 2);
        }

        x.Span[inputs / 2] = float.NaN;
        x.Span[^1] = float.NegativeInfinity;
        var saved = (Engine.MaxThreads, Dense.SplitWork);
        try
        {
            (Engine.MaxThreads, Dense.SplitWork) = (1, long.MaxValue);
            var whole = layer.Forward(x, training: false).Span.ToArray();
            var wholeRelu = layer.Infer(x, relu: true).Span.ToArray();
            foreach (int threads in new[] { 2, 3, 4 })
            {
                (Engine.MaxThreads, Dense.SplitWork) = (threads, 0);
                AssertSameBits(whole, layer.Forward(x, training: true).Span, $"forward, {threads} threads");
                AssertSameBits(whole, layer.Infer(x, relu: false).Span, $"infer, {threads} threads");
                AssertSameBits(wholeRelu, layer.Infer(x, relu: true).Span, $"infer + relu, {threads} threads");
            }
        }
        finally
        {
            (Engine.MaxThreads, Dense.SplitWork) = saved;
        }
    }

    [Fact]
    public void A_flatten_view_follows_the_contents_of_a_reused_input()
    {
        var model = Build(Mlp);
        var x = Input(3, seed: 5, extremes: false);
        AssertSameBits(model.Forward(x).Span.ToArray(), model.Infer(x).Span, "first call");
        x.Span.Reverse(); // same tensor, new contents: the cached view must not hold stale values
        AssertSameBits(model.Forward(x).Span.ToArray(), model.Infer(x).Span, "after changing the input");
        var other = Input(4, seed: 6, extremes: false); // another tensor (and batch size)
        AssertSameBits(model.Forward(other).Span.ToArray(), model.Infer(other).Span, "another input");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(64, 1)]
    [InlineData(64, 2)]
    public void Infer_allocates_nothing_in_steady_state(int batch, int threads)
    {
        var model = Build(Mlp);
        var x = Input(batch, seed: 7, extremes: false);
        var saved = (Engine.MaxThreads, Dense.SplitWork);
        try
        {
            (Engine.MaxThreads, Dense.SplitWork) = (threads, 0); // split every small product: the job must be reused
            for (int i = 0; i < 5; i++)
            {
                model.Infer(x);
            }

            // A one-off allocation (the tiered JIT) can land in one try; one per call would show in every try.
            long best = long.MaxValue;
            for (int attempt = 0; attempt < 3 && best != 0; attempt++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 50; i++)
                {
                    model.Infer(x);
                }

                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - start);
            }

            Assert.True(best == 0, $"{best} bytes allocated in 50 calls");
        }
        finally
        {
            (Engine.MaxThreads, Dense.SplitWork) = saved;
        }
    }

    [Fact]
    public void Infer_refuses_a_wrong_input_shape_and_an_unbuilt_model()
    {
        var model = Build(Mlp);
        Assert.Throws<ArgumentException>(() => model.Infer(new Tensor(2, 1, 12, 11)));
        var flat = Sequential.Parse("dense:4,relu");
        flat.Build(new TensorShape(5), seed: 1);
        Assert.Throws<ArgumentException>(() => flat.Infer(new Tensor(2, 6)));
        Assert.Throws<InvalidOperationException>(() => Sequential.Parse("flatten,dense:4").Infer(new Tensor(1, 3)));
        Assert.Throws<InvalidOperationException>(() => Sequential.Parse("dense:4,relu").Infer(new Tensor(1, 3)));
    }
}
