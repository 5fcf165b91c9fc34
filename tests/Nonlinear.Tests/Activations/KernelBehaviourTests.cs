using Nonlinear.Activations;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>The span API: in place, any length, any position, multi-threaded, tensors, and the famous overflows.</summary>
[Collection(KernelSettings.Name)]
public sealed class KernelBehaviourTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var d in ActivationRegistry.All)
        {
            data.Add(d.Name);
        }

        return data;
    }

    private static float[] RandomInputs(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 40 - 20)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void In_place_equals_out_of_place_forward_and_backward(string name)
    {
        var a = ActivationRegistry.Parse(name);
        var x = RandomInputs(1000, 3);
        var y = new float[x.Length];
        a.Forward(x, y, 10);
        var inPlace = (float[])x.Clone();
        a.ForwardInPlace(inPlace, 10);
        Assert.Equal(y, inPlace);

        var dy = RandomInputs(1000, 4);
        var dx = new float[x.Length];
        a.Backward(x, y, dy, dx, 10);
        var dxInPlace = (float[])dy.Clone();
        a.Backward(x, y, dxInPlace, dxInPlace, 10);
        Assert.Equal(dx, dxInPlace);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Results_do_not_depend_on_length_or_position(string name)
    {
        // Every length from 1 to 70 exercises the vector body, the unrolled body and the padded remainder.
        var a = ActivationRegistry.Parse(name);
        if (a.IsRowWise)
        {
            return;
        }

        var x = RandomInputs(70, 5);
        var full = new float[x.Length];
        a.Forward(x, full);
        for (int len = 1; len <= x.Length; len++)
        {
            for (int start = 0; start + len <= x.Length; start += 17)
            {
                var part = new float[len];
                a.Forward(x.AsSpan(start, len), part);
                Assert.Equal(full.AsSpan(start, len).ToArray(), part);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Multi_threaded_results_equal_single_threaded_results(string name)
    {
        var a = ActivationRegistry.Parse(name);
        var x = RandomInputs(1000 * 1024, 6);
        var dy = RandomInputs(1000 * 1024, 7);
        var (y1, dx1) = Run(1);
        var (y2, dx2) = Run(Math.Max(2, Environment.ProcessorCount));
        Assert.Equal(y1, y2);
        Assert.Equal(dx1, dx2);

        (float[] Y, float[] Dx) Run(int threads)
        {
            int before = Engine.MaxThreads;
            try
            {
                Engine.MaxThreads = threads;
                var y = new float[x.Length];
                var dx = new float[x.Length];
                a.Forward(x, y, 1000);
                a.Backward(x, y, dy, dx, 1000);
                return (y, dx);
            }
            finally
            {
                Engine.MaxThreads = before;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Row_kernels_agree_across_vector_widths_for_short_and_long_rows(string name)
    {
        // Short rows (3, 10) and long rows (1000) take different paths; both widths must give the same
        // answers up to the order of float additions (row sums).
        var a = ActivationRegistry.Parse(name);
        foreach (int n in new[] { 3, 10, 1000 })
        {
            var x = RandomInputs(n * 37, n);
            var dy = RandomInputs(n * 37, n + 1);
            var results = KernelSettings.Widths.Select(w => KernelSettings.WithWidth(w, () =>
            {
                var y = new float[x.Length];
                var dx = new float[x.Length];
                a.Forward(x, y, n);
                a.Backward(x, y, dy, dx, n);
                return (y, dx);
            })).ToList();
            for (int i = 0; i < x.Length; i++)
            {
                Assert.Equal(results[0].y[i], results[^1].y[i], 5e-6f * (1 + MathF.Abs(results[0].y[i])));
                Assert.Equal(results[0].dx[i], results[^1].dx[i], 5e-5f * (1 + MathF.Abs(results[0].dx[i])));
            }
        }
    }

    [Theory]
    [InlineData("relu", 1)]
    [InlineData("relu", 2)]
    [InlineData("gelu", 1)]
    public void Outputs_larger_than_cache_are_streamed_with_identical_results(string name, int threads)
    {
        // 2^23 + 5 floats (32 MB) per thread takes the non-temporal path; an odd offset misaligns the output.
        var a = (ElementwiseActivation)ActivationRegistry.Parse(name);
        int n = (1 << 23) * threads + 5;
        var x = RandomInputs(n + 3, 9);
        var y = new float[n + 3];
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = threads;
            a.Forward(x.AsSpan(3, n), y.AsSpan(1, n));
        }
        finally
        {
            Engine.MaxThreads = before;
        }

        for (int i = 0; i < n; i += 997)
        {
            Assert.Equal(a.Value(x[3 + i]), y[1 + i]);
        }

        Assert.Equal(a.Value(x[3 + n - 1]), y[n]);
    }

    [Fact]
    public void Sigmoid_never_overflows_for_large_negative_inputs()
    {
        var s = new Sigmoid();
        Assert.Equal(0f, s.Value(-1000f));
        Assert.Equal(1f, s.Value(1000f));
        Assert.Equal(0f, s.Derivative(-1000f));
        Assert.True(s.Value(-88.7f) > 0);
    }

    [Fact]
    public void Softplus_of_a_thousand_is_a_thousand()
    {
        Assert.Equal(1000f, new Softplus().Value(1000f));
        Assert.Equal(0f, new Softplus().Value(-1000f));
        Assert.Equal(1000f, new Softplus(beta: 0.5).Value(1000f));
    }

    [Fact]
    public void Softmax_of_large_logits_is_finite_and_correct()
    {
        var y = new float[3];
        new Softmax().Forward([1000f, 1001f, 1002f], y);
        double z = 1 + Math.Exp(-1) + Math.Exp(-2);
        Assert.Equal(Math.Exp(-2) / z, y[0], 6);
        Assert.Equal(Math.Exp(-1) / z, y[1], 6);
        Assert.Equal(1 / z, y[2], 6);
    }

    [Fact]
    public void Log_softmax_of_far_apart_logits_is_finite()
    {
        var y = new float[2];
        new LogSoftmax().Forward([-1e4f, 0f], y);
        Assert.Equal(-1e4f, y[0]);
        Assert.Equal(0f, y[1]);
    }

    [Fact]
    public void Naive_softmax_would_overflow_where_ours_does_not()
    {
        // The textbook e^x / sum e^x: e^1000 is inf in float32, inf/inf is NaN.
        float[] x = [1000f, 1001f, 1002f];
        var naive = x.Select(v => MathF.Exp(v) / x.Sum(MathF.Exp)).ToArray();
        Assert.All(naive, v => Assert.True(float.IsNaN(v)));
        var y = new float[3];
        new Softmax().Forward(x, y);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, y.Sum(), 6);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void NaN_in_gives_NaN_out(string name)
    {
        var a = ActivationRegistry.Parse(name);
        var y = new float[3];
        a.Forward([0.5f, float.NaN, -0.5f], y);
        Assert.True(float.IsNaN(y[1]));
    }

    [Fact]
    public void Softmax_rows_are_independent_and_sum_to_one()
    {
        var x = RandomInputs(12 * 1000, 8);
        var y = new float[x.Length];
        new Softmax().Forward(x, y, 1000);
        for (int r = 0; r < 12; r++)
        {
            Assert.Equal(1.0, y.AsSpan(r * 1000, 1000).ToArray().Sum(v => (double)v), 5);
        }

        var first = new float[1000];
        new Softmax().Forward(x.AsSpan(0, 1000), first);
        Assert.Equal(first, y.AsSpan(0, 1000).ToArray());
    }

    [Fact]
    public void The_jacobian_of_softmax_is_diag_y_minus_y_y_transposed()
    {
        float[] x = [0.5f, -1f, 2f];
        var y = new float[3];
        new Softmax().Forward(x, y);
        var j = new float[9];
        new Softmax().Jacobian(x, j);
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 3; b++)
            {
                Assert.Equal(y[a] * ((a == b ? 1 : 0) - y[b]), j[a * 3 + b], 6);
            }
        }
    }

    [Fact]
    public void Tensor_forward_uses_the_last_dimension_as_rows()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 1f, 1f, 1f], 2, 3);
        var y = new Tensor(2, 3);
        new Softmax().Forward(x, y);
        Assert.Equal(1f / 3, y[1, 0], 6);
        Assert.Equal(1.0, y.Row(0).ToArray().Sum(), 6);
    }

    [Fact]
    public void Mismatched_lengths_and_partial_overlaps_are_rejected()
    {
        var a = new Relu();
        Assert.Throws<ArgumentException>(() => a.Forward(new float[3], new float[4]));
        var buffer = new float[10];
        Assert.Throws<ArgumentException>(() => a.Forward(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8)));
        Assert.Throws<ArgumentException>(() => new Softmax().Forward(new float[10], new float[10], 3));
        Assert.Throws<ArgumentException>(() => new Sigmoid().Backward(ReadOnlySpan<float>.Empty, new float[3], new float[3], new float[3]));
    }
}
