using Nonlinear.Layers;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Tests.Activations;
using Xunit;

namespace Nonlinear.Tests.Optimizers;

/// <summary>
/// The optimizers' vector loops (<see cref="OptimizerKernels"/>) at every width this machine can run, 128 bits
/// included: the same bits as the scalar loops, for lengths around every vector size, extreme values and
/// unaligned spans.
/// </summary>
[Collection(KernelSettings.Name)]
public sealed class OptimizerWidthTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "sgd", "momentum", "nesterov", "adam", "adamw", "sgd-decay", "adam-decay" })
        {
            foreach (int width in KernelSettings.Widths)
            {
                data.Add(name, width);
            }
        }

        return data;
    }

    private static Optimizer Create(string name) => name switch
    {
        "sgd-decay" => new Sgd(0.05, momentum: 0.9, weightDecay: 1e-3),
        "adam-decay" => new Adam(0.01, weightDecay: 1e-3),
        _ => Optimizer.Create(name, 0.01),
    };

    private static float[] Values(int length, int seed)
    {
        // Ordinary values, with zeros, tiny, huge and subnormal ones mixed in (no NaN: a non-finite gradient
        // stops the step before any update).
        var random = new Random(seed);
        float[] specials = [0f, -0f, 1e-40f, -1e-38f, 3e5f, -1e-30f, 1e18f];
        return Enumerable.Range(0, length).Select(i => i % 7 == 3 ? specials[random.Next(specials.Length)] : (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Vector_steps_give_the_scalar_bits_at_every_length(string name, int width)
    {
        foreach (int length in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 49, 63, 64, 65, 257 })
        {
            var results = new List<float[]>();
            foreach (bool vector in new[] { false, true })
            {
                var p = new Parameter("p", Tensor.FromArray(Values(length, 1), length));
                var optimizer = Create(name);
                bool saved = OptimizerKernels.UseVector;
                try
                {
                    OptimizerKernels.UseVector = vector;
                    KernelSettings.WithWidth(width, () =>
                    {
                        for (int step = 0; step < 3; step++)
                        {
                            Values(length, 10 + step).AsSpan().CopyTo(p.Gradient.Span);
                            optimizer.Step([p]);
                        }

                        return 0;
                    });
                }
                finally
                {
                    OptimizerKernels.UseVector = saved;
                }

                results.Add(p.Value.Span.ToArray());
            }

            Assert.Equal(results[0], results[1]);
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void The_kernels_update_unaligned_spans_as_the_scalar_formula_does(int width)
    {
        if (!KernelSettings.Widths.Contains(width))
        {
            return;
        }

        // Offset 1 from an array start: no vector is aligned.
        var p = Values(80, 2);
        var g = Values(80, 3);
        var buffer = Values(80, 4);
        var m = Values(80, 5);
        var v = Values(80, 6).Select(MathF.Abs).ToArray();
        float lr = 0.03f, wd = 1e-3f, mu = 0.9f, scale = 0.75f;
        var expectP = p.ToArray();
        var expectB = buffer.ToArray();
        int done = KernelSettings.WithWidth(width, () => OptimizerKernels.SgdMomentum(p.AsSpan(1, 77), g.AsSpan(1, 77), buffer.AsSpan(1, 77), lr, wd, mu, scale, firstStep: false, nesterov: true));
        Assert.Equal(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? 77 / (width / 32) * (width / 32) : 0, done);
        for (int i = 1; i < 1 + done; i++)
        {
            float gi = (scale * g[i]) + (wd * expectP[i]);
            float b = (mu * expectB[i]) + gi;
            Assert.Equal(b, buffer[i]);
            Assert.Equal(expectP[i] - (lr * (gi + (mu * b))), p[i]);
        }

        Assert.Equal(expectP[0], p[0]);
        Assert.Equal(expectP[1 + done], p[1 + done]);

        var k = new AdamConstants(0.9f, 0.999f, 0.1f, 0.001f, wd, scale, 0.01f, 0.3f, 1e-8f);
        p = Values(80, 2);
        expectP = p.ToArray();
        var expectM = m.ToArray();
        var expectV = v.ToArray();
        done = KernelSettings.WithWidth(width, () => OptimizerKernels.Adam(p.AsSpan(1, 77), g.AsSpan(1, 77), m.AsSpan(1, 77), v.AsSpan(1, 77), k));
        for (int i = 1; i < 1 + done; i++)
        {
            float gi = (scale * g[i]) + (wd * expectP[i]);
            float mi = (k.Beta1 * expectM[i]) + (k.OneMinusBeta1 * gi);
            float vi = (k.Beta2 * expectV[i]) + (k.OneMinusBeta2 * gi * gi);
            Assert.Equal(mi, m[i]);
            Assert.Equal(vi, v[i]);
            Assert.Equal(expectP[i] - (k.StepSize * mi / ((MathF.Sqrt(vi) / k.Correction2) + k.Epsilon)), p[i]);
        }
    }
}
