using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nonlinear.Activations;
using Nonlinear.Tensors.Simd;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// <see cref="V128"/>'s operations against scalar references at the extremes (NaN, ±inf, ±0, subnormals, the
/// largest floats), each portable fallback called directly so that it is checked on any machine, and every
/// elementwise activation giving the same bits at 128 bits as at the other widths (where the hardware has an FMA;
/// without one, within twice the exactness tests' ulp bound).
/// </summary>
[Collection(KernelSettings.Name)]
public sealed class Vector128PrimitiveTests
{
    private static readonly float[] Specials =
    [
        float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, -float.Epsilon,
        1e-40f, -3e-39f, 1.17549435e-38f, -1.17549435e-38f, float.MaxValue, float.MinValue, 3e38f, 1f, -1f,
        MathF.BitIncrement(1f), MathF.BitDecrement(1f), 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 3f, 1e-20f, 1e20f, -7.25f,
        8388607.5f, 8388608f, -8388609f, 16777217f, 0.49999997f, 65536.5f, MathF.PI, -MathF.E,
    ];

    private static float[] Randoms(int count, int seed)
    {
        // Every magnitude: random bit patterns (NaNs included), plus ordinary values around 1.
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = i % 2 == 0 ? BitConverter.Int32BitsToSingle(random.Next() * (random.Next(2) == 0 ? 1 : -1)) : (float)((random.NextDouble() * 2 - 1) * 8);
        }

        return values;
    }

    private static void AssertSameBits(float expected, float actual, string what)
    {
        bool same = float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);
        Assert.True(same, $"{what}: expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");
    }

    /// <summary>Runs a 4-lane operation on (a, b, c) placed in every lane position and checks each lane against the scalar reference.</summary>
    private static void CheckLanes(float a, float b, float c, Func<Vector128<float>, Vector128<float>, Vector128<float>, Vector128<float>> vector, Func<float, float, float, float> scalar, string name)
    {
        for (int lane = 0; lane < 4; lane++)
        {
            var va = Vector128.Create(1f).WithElement(lane, a);
            var vb = Vector128.Create(2f).WithElement(lane, b);
            var vc = Vector128.Create(3f).WithElement(lane, c);
            AssertSameBits(scalar(a, b, c), vector(va, vb, vc).GetElement(lane), $"{name}({a:R}, {b:R}, {c:R}) lane {lane}");
        }
    }

    [Fact]
    public void The_emulated_multiply_add_rounds_once_like_an_FMA()
    {
        // Every triple of specials, then random triples, then products cancelled by c (where a multiply then add
        // would lose everything) and sums next to a float midpoint (where rounding twice goes wrong).
        foreach (float a in Specials)
        {
            foreach (float b in Specials)
            {
                foreach (float c in Specials)
                {
                    CheckLanes(a, b, c, V128.MultiplyAddEmulated, MathF.FusedMultiplyAdd, "fma");
                }
            }
        }

        var random = new Random(5);
        var xs = Randoms(40_000, 6);
        for (int i = 0; i + 2 < xs.Length; i += 3)
        {
            float a = xs[i], b = xs[i + 1];
            float product = a * b;
            float c = (i % 9) switch
            {
                0 => xs[i + 2],
                1 => -product,
                2 => -MathF.BitIncrement(product),
                3 => product * 1e-9f,
                4 => MathF.ScaleB(product, -25 - random.Next(8)),
                5 => -MathF.ScaleB(product, -24),
                _ => (float)((random.NextDouble() - 0.5) * 4),
            };
            var va = Vector128.Create(a, -a, b, xs[i + 2]);
            var vb = Vector128.Create(b, b, a, c);
            var vc = Vector128.Create(c, -c, c, a);
            var expected = Vector128.Create(MathF.FusedMultiplyAdd(a, b, c), MathF.FusedMultiplyAdd(-a, b, -c), MathF.FusedMultiplyAdd(b, a, c), MathF.FusedMultiplyAdd(xs[i + 2], c, a));
            var actual = V128.MultiplyAddEmulated(va, vb, vc);
            var dispatched = V128.MultiplyAdd(new V128(va), new V128(vb), new V128(vc)).Value;
            for (int k = 0; k < 4; k++)
            {
                AssertSameBits(expected.GetElement(k), actual.GetElement(k), $"fma emulated, case {i} lane {k}");
                AssertSameBits(expected.GetElement(k), dispatched.GetElement(k), $"fma, case {i} lane {k}");
            }
        }
    }

    [Fact]
    public void The_emulated_multiply_add_is_exact_where_rounding_twice_would_not_be()
    {
        // a b + c lands exactly halfway between two floats in float64 after rounding, though the exact sum is not:
        // a = 1 + 2^-12, b = 1 + 2^-12 give a b = 1 + 2^-11 + 2^-24 (the midpoint above 1 + 2^-11), and c = 2^-80
        // pushes the exact sum just above the midpoint: the FMA rounds up, float64-then-float32 would round to even.
        float a = 1f + MathF.ScaleB(1f, -12);
        float c = MathF.ScaleB(1f, -80);
        float expected = MathF.FusedMultiplyAdd(a, a, c);
        Assert.Equal(1f + MathF.ScaleB(1f, -11) + MathF.ScaleB(1f, -23), expected);
        CheckLanes(a, a, c, V128.MultiplyAddEmulated, MathF.FusedMultiplyAdd, "fma midpoint");
        CheckLanes(-a, a, -c, V128.MultiplyAddEmulated, MathF.FusedMultiplyAdd, "fma midpoint");
        CheckLanes(a, a, -c, V128.MultiplyAddEmulated, MathF.FusedMultiplyAdd, "fma midpoint");
    }

    [Fact]
    public void The_estimate_is_the_FMA_where_the_hardware_has_one_else_a_multiply_then_an_add()
    {
        var xs = Randoms(3000, 12);
        for (int i = 0; i + 2 < xs.Length; i += 3)
        {
            float a = xs[i], b = xs[i + 1], c = xs[i + 2];
            float expected = V128.HasFusedMultiplyAdd ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;
            CheckLanes(a, b, c, (x, y, z) => V128.MultiplyAddEstimate(new(x), new(y), new(z)).Value, (_, _, _) => expected, "fma estimate");
        }
    }

    [Fact]
    public void Min_and_max_return_the_second_operand_for_NaN_and_zeros_on_every_path()
    {
        var both = Specials.Concat(Randoms(200, 7)).ToArray();
        foreach (float a in both)
        {
            foreach (float b in Specials)
            {
                CheckLanes(a, b, 0, (x, y, _) => V128.MinPortable(x, y), (x, y, _) => x < y ? x : y, "min portable");
                CheckLanes(a, b, 0, (x, y, _) => V128.MaxPortable(x, y), (x, y, _) => x > y ? x : y, "max portable");
                CheckLanes(a, b, 0, (x, y, _) => V128.MinNative(new(x), new(y)).Value, (x, y, _) => x < y ? x : y, "min");
                CheckLanes(a, b, 0, (x, y, _) => V128.MaxNative(new(x), new(y)).Value, (x, y, _) => x > y ? x : y, "max");
            }
        }
    }

    [Fact]
    public void Round_is_ties_to_even_and_floor_keeps_signed_zeros_on_every_path()
    {
        var xs = Specials.Concat(Randoms(20_000, 8)).Concat(Enumerable.Range(-40, 81).Select(i => i * 0.25f)).ToArray();
        foreach (float x in xs)
        {
            CheckLanes(x, 0, 0, (v, _, _) => V128.RoundPortable(v), (s, _, _) => MathF.Round(s, MidpointRounding.ToEven), "round portable");
            CheckLanes(x, 0, 0, (v, _, _) => V128.FloorPortable(v), (s, _, _) => MathF.Floor(s), "floor portable");
            CheckLanes(x, 0, 0, (v, _, _) => V128.Round(new(v)).Value, (s, _, _) => MathF.Round(s, MidpointRounding.ToEven), "round");
            CheckLanes(x, 0, 0, (v, _, _) => V128.Floor(new(v)).Value, (s, _, _) => MathF.Floor(s), "floor");
        }
    }

    [Fact]
    public void ScaleB_rounds_once_including_subnormal_results_and_overflow_on_every_path()
    {
        // The portable form's documented domain (ISimd.ScaleB): |x| in [2^-24, 2^25) or 0, ±inf, NaN, and results
        // not below 2^-150 in magnitude (smaller ones are 0 or the smallest subnormal, possibly off by that one
        // step). VSCALEFPS (AVX-512VL) rounds once everywhere: the dispatched form is checked on all x.
        var xs = Specials.Concat(Randoms(300, 9)).ToArray();
        for (int n = -330; n <= 330; n++)
        {
            foreach (float x in xs)
            {
                // x 2^n is exact in float64 for |n| <= 330; one rounding to float32 is the reference. Beyond ±300
                // every x in the domain overflows or underflows anyway (the clamp of the portable form).
                double exact = Math.ScaleB(x, n);
                float expected = (float)exact;
                float a = MathF.Abs(x);
                bool inDomain = (a == 0 || !float.IsFinite(a) || (a >= MathF.ScaleB(1f, -24) && a < MathF.ScaleB(1f, 25)))
                    && (!double.IsFinite(exact) || exact == 0 || Math.Abs(exact) >= Math.ScaleB(1.0, -150));
                if (inDomain)
                {
                    CheckLanes(x, n, 0, (v, k, _) => V128.ScaleBPortable(v, k), (_, _, _) => expected, "scaleb portable");
                }

                if (inDomain || System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported)
                {
                    CheckLanes(x, n, 0, (v, k, _) => V128.ScaleB(new(v), new(k)).Value, (_, _, _) => expected, "scaleb");
                }
            }
        }
    }

    [Fact]
    public void Exponent_and_pow2_match_their_scalar_definitions()
    {
        foreach (float x in Specials.Concat(Randoms(20_000, 10)).Where(v => float.IsNormal(v)))
        {
            float expected = Math.ILogB(x);
            CheckLanes(x, 0, 0, (v, _, _) => V128.ExponentPortable(v), (_, _, _) => expected, "exponent portable");
            CheckLanes(x, 0, 0, (v, _, _) => V128.Exponent(new(v)).Value, (_, _, _) => expected, "exponent");
        }

        for (int n = -126; n <= 127; n++)
        {
            CheckLanes(n, 0, 0, (v, _, _) => V128.Pow2(new(v)).Value, (_, _, _) => MathF.ScaleB(1f, n), "pow2");
        }
    }

    [Fact]
    public void Lookup16_reads_every_entry_from_every_lane_and_entry_0_for_a_NaN_index()
    {
        float[] table = Enumerable.Range(0, 16).Select(i => 100f + i + (i * 0.125f)).ToArray();
        for (int index = 0; index < 16; index++)
        {
            for (int lane = 0; lane < 4; lane++)
            {
                var v = Vector128.Create((float)((index + 5) % 16)).WithElement(lane, index);
                float other = table[(index + 5) % 16];
                var portable = V128.Lookup16Portable(table, v);
                var dispatched = V128.Lookup16(table, new V128(v)).Value;
                for (int k = 0; k < 4; k++)
                {
                    float expected = k == lane ? table[index] : other;
                    AssertSameBits(expected, portable.GetElement(k), $"portable lookup {index} lane {k}");
                    AssertSameBits(expected, dispatched.GetElement(k), $"lookup {index} lane {k}");
                    if (Ssse3.IsSupported)
                    {
                        AssertSameBits(expected, V128.Lookup16Ssse3(table, v).GetElement(k), $"pshufb lookup {index} lane {k}");
                    }
                }
            }
        }

        var nan = Vector128.Create(float.NaN);
        AssertSameBits(table[0], V128.Lookup16Portable(table, nan).GetElement(2), "portable lookup NaN");
        AssertSameBits(table[0], V128.Lookup16(table, new V128(nan)).Value.GetElement(2), "lookup NaN");
    }

    [Fact]
    public void Reductions_sum_and_take_the_largest_lane()
    {
        var v = new V128(Vector128.Create(-3f, 7.5f, 1e-30f, -0f));
        Assert.Equal(4.5f, V128.Sum(v), 6);
        Assert.Equal(7.5f, V128.Max(v));
        Assert.Equal(-1f, V128.Max(new V128(Vector128.Create(-1f, -2f, float.NegativeInfinity, -1.5f))));
        Assert.Equal(4, V128.Count);
        Assert.True(V128.Any(V128.IsNaN(new V128(Vector128.Create(0f, 0f, float.NaN, 0f)))));
        Assert.False(V128.Any(V128.IsNaN(new V128(Vector128.Create(0f, float.PositiveInfinity, -0f, 1f)))));
    }

    [Fact]
    public void Sqrt_is_correctly_rounded_like_MathF_Sqrt_at_every_width()
    {
        foreach (float x in Specials.Concat(Randoms(20_000, 11)))
        {
            CheckLanes(x, 0, 0, (v, _, _) => V128.Sqrt(new(v)).Value, (s, _, _) => MathF.Sqrt(s), "sqrt");
            AssertSameBits(MathF.Sqrt(x), V256.Sqrt(V256.Create(x)).Value.GetElement(3), "sqrt 256");
        }
    }

    [Fact]
    public void The_default_width_is_the_widest_accelerated_one()
    {
        int expected = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 256;
        Assert.Equal(expected, Elementwise.DefaultWidth);
        Assert.Contains(128, KernelSettings.Widths);
        Assert.Contains(256, KernelSettings.Widths);
        Assert.Equal(Elementwise.DefaultWidth, KernelSettings.Widths.First());
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementwise.Width = 64);
    }

    public static TheoryData<string> Elementwise_specs()
    {
        var data = new TheoryData<string>();
        foreach (var r in References.All)
        {
            data.Add(r.Spec);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Elementwise_specs))]
    public void Every_elementwise_activation_gives_the_same_bits_at_every_width(string spec)
    {
        // Lengths that leave 0..15 elements past the last whole vector, and an unaligned start (offset 1).
        var activation = ActivationRegistry.Parse(spec);
        var all = Inputs.All();
        var xs = all.AsSpan(1, ((all.Length - 1) / 16 * 16) - 9).ToArray();
        var ones = Enumerable.Repeat(1f, xs.Length).ToArray();
        var results = KernelSettings.Widths.Select(w => KernelSettings.WithWidth(w, () =>
        {
            var y = new float[xs.Length];
            var dx = new float[xs.Length];
            activation.Forward(xs, y, xs.Length);
            activation.Backward(xs, y, ones, dx, xs.Length);
            return (Width: w, Y: y, Dx: dx);
        })).ToList();
        foreach (var r in results.Skip(1))
        {
            // Without a hardware FMA (x86 without AVX) the 128-bit path evaluates polynomials with a multiply then
            // an add (ISimd.MultiplyAddEstimate): the last bits may differ there, within the exactness bound.
            bool estimate = !V128.HasFusedMultiplyAdd && (r.Width == 128 || results[0].Width == 128);
            for (int i = 0; i < xs.Length; i++)
            {
                string what = $"{spec} at {r.Width} vs {results[0].Width} bits, x = {xs[i]:R}";
                if (estimate)
                {
                    Assert.True(Ulp.Close(r.Y[i], results[0].Y[i], 2 * Tolerances.Ulps(spec), Ulp.SubnormalFloor), $"f: {r.Y[i]:R} vs {results[0].Y[i]:R}, {what}");
                    Assert.True(Ulp.Close(r.Dx[i], results[0].Dx[i], 2 * Tolerances.Ulps(spec), Tolerances.DerivativeFloor(spec)), $"f': {r.Dx[i]:R} vs {results[0].Dx[i]:R}, {what}");
                }
                else
                {
                    AssertSameBits(results[0].Y[i], r.Y[i], $"f, {what}");
                    AssertSameBits(results[0].Dx[i], r.Dx[i], $"f', {what}");
                }
            }
        }
    }
}
