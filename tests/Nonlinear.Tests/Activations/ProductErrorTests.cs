using System.Runtime.Intrinsics;
using Nonlinear.Activations;
using Nonlinear.Tensors.Simd;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// The FMA-free forms the kernels use on x86 without FMA (SSE only), checked on any machine against the exactly
/// rounded FMA: Dekker's product error (sine's reduction, GELU's and the Gaussian's error-free products) must give
/// the same bits as a b − p by FMA over the kernels' argument ranges, and a plain division by 6 the same bits as
/// hard sigmoid's FMA-corrected quotient.
/// </summary>
public sealed class ProductErrorTests
{
    private static float Fused(float a, float b, float p) => MathF.FusedMultiplyAdd(a, b, -p);

    private static void AssertSameBits(float expected, float actual, string what)
    {
        bool same = float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
        Assert.True(same, $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
    }

    /// <summary>a and b in every lane position of a 128-bit and a 256-bit vector (the generic code at two widths).</summary>
    private static void CheckProduct(float a, float b)
    {
        float p = a * b;
        float expected = Fused(a, b, p);
        for (int lane = 0; lane < 4; lane++)
        {
            var r = VectorMath.ProductErrorDekker(
                new V128(Vector128.Create(1.5f).WithElement(lane, a)),
                new V128(Vector128.Create(-3f).WithElement(lane, b)),
                new V128(Vector128.Create(-4.5f).WithElement(lane, p)));
            AssertSameBits(expected, r.Value.GetElement(lane), $"Dekker({a:R}, {b:R}) lane {lane}");
            AssertSameBits(0f, r.Value.GetElement((lane + 1) % 4), "the other lanes (1.5 · -3 is exact)");
        }

        var r256 = VectorMath.ProductErrorDekker(new V256(Vector256.Create(a)), new V256(Vector256.Create(b)), new V256(Vector256.Create(p)));
        AssertSameBits(expected, r256.Value.GetElement(7), $"Dekker256({a:R}, {b:R})");
        if (a == b)
        {
            var s = VectorMath.SquareErrorDekker(new V128(Vector128.Create(a)), new V128(Vector128.Create(p)));
            AssertSameBits(expected, s.Value.GetElement(2), $"SquareDekker({a:R})");
        }
    }

    [Fact]
    public void Dekkers_product_error_is_the_fused_one_over_the_kernels_ranges()
    {
        var random = new Random(13);
        float[] constants = [1.5707963705062866f, -4.371139e-8f, 0.044715f, 1.5957692f, 4097f, 1f / 6f, MathF.PI, 1f, -1f, 0f, -0f];
        for (int i = 0; i < 200_000; i++)
        {
            // Arguments as the kernels pass them: |x| up to 200 (GELU), its square and cube, quadrant counts up to
            // 2^16 times the π/2 pieces (sine), and random magnitudes 2^-40 … 2^40 with random significands.
            float x = (float)((random.NextDouble() * 2 - 1) * 200);
            float x2 = x * x;
            CheckProduct(x, x);
            CheckProduct(x2, x);
            CheckProduct(0.044715f, x2 * x);
            CheckProduct(1.5957692f, x + (0.044715f * x2 * x));
            float q = MathF.Round((float)(random.NextDouble() * 131072 - 65536));
            CheckProduct(q, constants[i % constants.Length]);
            float a = (float)((random.NextDouble() + 0.5) * Math.Pow(2, random.Next(-40, 41))) * (random.Next(2) == 0 ? 1 : -1);
            float b = (float)((random.NextDouble() + 0.5) * Math.Pow(2, random.Next(-40, 41))) * (random.Next(2) == 0 ? 1 : -1);
            CheckProduct(a, b);
        }
    }

    [Fact]
    public void Dekkers_product_error_is_exact_at_the_extremes_of_its_domain_and_NaN_for_non_finite_operands()
    {
        // Full 24-bit significands (the worst case for the split), exact products, powers of two, signed zeros.
        float[] values = [16777215f, -16777215f, 16777213f, 8388609f, 0.99999994f, 1.0000001f, 4096f, 4097f, 4095f, 0.5f, 2f, 1e-10f, 1e10f, 1e15f, 0f, -0f];
        foreach (float a in values)
        {
            foreach (float b in values)
            {
                CheckProduct(a, b);
            }
        }

        foreach (float a in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            foreach (float b in new[] { 2.5f, -1f, a })
            {
                float p = a * b;
                var r = VectorMath.ProductErrorDekker(new V128(Vector128.Create(a)), new V128(Vector128.Create(b)), new V128(Vector128.Create(p)));
                Assert.True(float.IsNaN(Fused(a, b, p)));
                Assert.True(float.IsNaN(r.Value.GetElement(0)), $"Dekker({a}, {b}) = {r.Value.GetElement(0)}");
            }
        }
    }

    [Fact]
    public void Division_by_6_gives_the_fused_quotients_bits()
    {
        // Every float in [-6, 9] in steps of 1021 bit patterns (hard sigmoid's [0, 6], hard swish's 2x + 3 in [-3, 9]),
        // each boundary exactly, and NaN / signed zeros.
        var values = new List<float> { 0f, -0f, 6f, 9f, -3f, 3f, 1.5f, float.Epsilon, float.NaN };
        for (int bits = 0; bits <= BitConverter.SingleToInt32Bits(9f); bits += 1021)
        {
            float v = BitConverter.Int32BitsToSingle(bits);
            values.Add(v);
            if (v <= 6f)
            {
                values.Add(-v);
            }
        }

        for (int i = 0; i + 4 <= values.Count; i += 4)
        {
            var v = new V128(Vector128.Create(values[i], values[i + 1], values[i + 2], values[i + 3]));
            var divided = ((v / V128.Create(6f)) + V128.Create(0f)).Value;
            var fused = HardSigmoid.DivideBy6Fused(v).Value;
            for (int lane = 0; lane < 4; lane++)
            {
                // Subnormal quotients (never reached: x + 3 and 2x + 3 are 0 or at least 2^-23 in magnitude): the FMA
                // form's correction is rounded there; the division is correctly rounded (float64 check below) either way.
                if (float.IsNormal(values[i + lane] / 6f) || values[i + lane] == 0 || float.IsNaN(values[i + lane]))
                {
                    AssertSameBits(fused.GetElement(lane), divided.GetElement(lane), $"{values[i + lane]:R} / 6");
                }

                if (!float.IsNaN(values[i + lane]))
                {
                    AssertSameBits((float)(values[i + lane] / 6.0) + 0f, divided.GetElement(lane), $"{values[i + lane]:R} / 6 (float64)");
                }
            }
        }
    }
}
