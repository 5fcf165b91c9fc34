using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nonlinear.Tensors.Simd;

/// <summary>
/// Float32 transcendental functions, written once for every vector width.
/// </summary>
/// <remarks>
/// Why our own and not TensorPrimitives: measured on this project's machine (System.Numerics.Tensors 10/11),
/// <c>TensorPrimitives.Exp</c> costs about 1.9 ns per float (13x a memory copy, slower than PyTorch) and
/// <c>TensorPrimitives.Tanh</c> is badly wrong for tiny inputs (e.g. 1.39e-38). These kernels are within a few
/// ULP of the float64 result over the whole float range (see the generic exactness tests), handle NaN, ±inf,
/// subnormal inputs and results, and avoid every cancellation the textbook formulas have.
/// </remarks>
internal static class VectorMath
{
    private const float Log2E = 1.44269504088896341f;

    // ln 2 split so that n * Ln2Hi is exact for |n| <= 2^15 (Cody and Waite).
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>
    /// e^r - 1 for |r| &lt;= ln2/2 + tiny: r + r^2 (1/2! + r/3! + ... + r^5/7!), a Taylor polynomial whose
    /// truncation error (r^8/8! &lt; 6e-9) is far below float32 resolution.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Expm1Reduced<T>(T r) where T : struct, ISimd<T>
    {
        var p = T.MultiplyAdd(T.Create(1f / 5040f), r, T.Create(1f / 720f));
        p = T.MultiplyAdd(p, r, T.Create(1f / 120f));
        p = T.MultiplyAdd(p, r, T.Create(1f / 24f));
        p = T.MultiplyAdd(p, r, T.Create(1f / 6f));
        p = T.MultiplyAdd(p, r, T.Create(0.5f));
        return T.MultiplyAdd(r * r, p, r);
    }

    /// <summary>Splits x = n ln2 + r with n integral and |r| &lt;= ln2/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Reduce<T>(T x, out T n) where T : struct, ISimd<T>
    {
        n = T.Round(x * T.Create(Log2E));
        var r = T.MultiplyAdd(n, T.Create(-Ln2Hi), x);
        return T.MultiplyAdd(n, T.Create(-Ln2Lo), r);
    }

    /// <summary>e^x; +inf above 88.72, 0 below -103.97, subnormal results rounded once, NaN kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : struct, ISimd<T>
    {
        var xc = T.MinNative(T.Create(88.75f), T.MaxNative(T.Create(-104f), x));
        var r = Reduce(xc, out var n);
        var m = T.Create(1f) + Expm1Reduced(r);

        // Scale by 2^n in two steps so that n = 128 (finite-adjacent overflow) and n < -126 (subnormal
        // results) are both exact up to the single final rounding.
        var n1 = T.Round(n * T.Create(0.5f));
        return m * T.Pow2(n1) * T.Pow2(n - n1);
    }

    /// <summary>e^x - 1 without cancellation near 0. Valid for x &lt;= 20 (larger inputs are clamped to 20).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Expm1<T>(T x) where T : struct, ISimd<T>
    {
        var xc = T.MinNative(T.Create(20f), T.MaxNative(T.Create(-30f), x));
        var r = Reduce(xc, out var n);
        var em1 = Expm1Reduced(r);
        var s = T.Pow2(n);

        // 2^n (e^r - 1) + (2^n - 1): exact 2^n - 1 for |n| <= 24 and one rounding in the FMA.
        return T.MultiplyAdd(s, em1, s - T.Create(1f));
    }

    /// <summary>log(1 + t) for t in [0, 1] (NaN kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1pUnit<T>(T t) where T : struct, ISimd<T>
    {
        // For t < 1/2, log(1 + f) with f = t exactly. For t >= 1/2, 1 + t = 2 (1 + f) with f = (t - 1)/2,
        // exact by Sterbenz, so no bit of t is lost to the rounding of 1 + t.
        var high = T.LessThanOrEqual(T.Create(0.5f), t);
        var f = T.Select(high, (t - T.Create(1f)) * T.Create(0.5f), t);
        var k = T.Select(high, T.Create(1f), T.Create(0f));

        // log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.2: 2s (1 + s^2/3 + s^4/5 + ... + s^12/13).
        var s = f / (T.Create(2f) + f);
        var z = s * s;
        var q = T.MultiplyAdd(T.Create(1f / 13f), z, T.Create(1f / 11f));
        q = T.MultiplyAdd(q, z, T.Create(1f / 9f));
        q = T.MultiplyAdd(q, z, T.Create(1f / 7f));
        q = T.MultiplyAdd(q, z, T.Create(1f / 5f));
        q = T.MultiplyAdd(q, z, T.Create(1f / 3f));
        var twoS = s + s;
        var logf = T.MultiplyAdd(twoS * z, q, twoS);
        return T.MultiplyAdd(k, T.Create(Ln2Hi), T.MultiplyAdd(k, T.Create(Ln2Lo), logf));
    }

    /// <summary>
    /// The logistic function and its mirror from one exponential: sigma(x) and sigma(-x) = 1 - sigma(x),
    /// both without cancellation or overflow for any x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x, out T mirror) where T : struct, ISimd<T>
    {
        var e = Exp(-T.Abs(x));
        var d = T.Create(1f) + e;
        var big = T.Create(1f) / d;
        var small = e / d;
        var positive = T.LessThanOrEqual(T.Create(0f), x);
        mirror = T.Select(positive, small, big);
        return T.Select(positive, big, small);
    }

    /// <summary>tanh(x) = -sign(x) e/(e+2), e = expm1(-2|x|): accurate near 0 and never overflowing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Tanh<T>(T x) where T : struct, ISimd<T>
    {
        var a = T.Abs(x);
        var e = Expm1(-(a + a));
        var t = -(e / (e + T.Create(2f)));
        return SignOf(x) | t;
    }

    /// <summary>1 - tanh(x)^2 = 4q/(1+q)^2 with q = e^(-2|x|), without the cancellation of 1 - t^2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T TanhDerivative<T>(T x) where T : struct, ISimd<T>
    {
        var a = T.Abs(x);
        var q = Exp(-(a + a));
        var d = T.Create(1f) + q;
        return T.Create(4f) * q / (d * d);
    }

    /// <summary>The sign bit of x (as a float mask), to OR into a non-negative value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SignOf<T>(T x) where T : struct, ISimd<T> => x & T.FromBits(0x8000_0000u);

    /// <summary>
    /// The standard normal density phi(x) and the Mills ratio M(|x|) = Phi(-|x|)/phi(x), for the exact GELU.
    /// Phi(x) = phi M for x &lt;= 0 and 1 - phi M for x &gt; 0: no cancellation, unlike 0.5 (1 + erf(x/sqrt 2)),
    /// which loses every digit below x = -5 in float32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T NormalDensityAndMills<T>(T x, out T mills) where T : struct, ISimd<T>
    {
        var t = T.MinNative(T.Create(15.999f), T.Abs(x));

        // M on [2k, 2k+2] is a degree-11 polynomial in s = t - (2k+1), fitted by tools/fit_normal_cdf.py
        // (worst float32 evaluation error 2.3 ulp).
        var k = T.Floor(t * T.Create(0.5f));
        var s = t - (k + k + T.Create(1f));
        var m = T.Lookup8(MillsCoefficients[0], k);
        for (int i = 1; i < MillsCoefficients.Length; i++)
        {
            m = T.MultiplyAdd(m, s, T.Lookup8(MillsCoefficients[i], k));
        }

        mills = m;

        // phi(t) = e^(-t^2/2)/sqrt(2 pi) with t^2 split: th keeps 12 significant bits, so th^2 is exact and
        // t^2 = th^2 + (t - th)(t + th); the error of e^(-t^2/2) stays at a couple of ulp even where t^2/2 ~ 100.
        var th = t & T.FromBits(0xFFFF_F000u);
        var tl = t - th;
        var e1 = Exp(th * th * T.Create(-0.5f));
        var e2 = Exp(tl * (t + th) * T.Create(-0.5f));
        return e2 * T.Create(0.398942280401432678f) * e1;
    }

    private static readonly Vector256<float>[] MillsCoefficients =
    [
        Vector256.Create(-4.936346159e-06f, -2.686500267e-08f, -4.935102882e-10f, -2.090031620e-11f, -1.584055370e-12f, -1.784246985e-13f, -5.401994126e-15f, -1.318722133e-14f),
        Vector256.Create(1.940813308e-05f, 1.401806031e-07f, 3.319974295e-09f, 1.752712003e-10f, 1.605981147e-11f, 2.172237216e-12f, 4.162713197e-13f, 8.420755683e-14f),
        Vector256.Create(-5.984806558e-05f, -6.384688049e-07f, -2.058169279e-08f, -1.395014770e-09f, -1.572181274e-10f, -2.541006815e-11f, -5.408508277e-12f, -1.353080408e-12f),
        Vector256.Create(2.178256545e-04f, 3.168562216e-06f, 1.339816436e-07f, 1.144563466e-08f, 1.571057839e-09f, 3.007034344e-10f, 7.328240098e-11f, 2.148856787e-11f),
        Vector256.Create(-7.709827623e-04f, -1.533581053e-05f, -8.567331520e-07f, -9.274303636e-08f, -1.555980766e-08f, -3.536790860e-09f, -1.001520644e-09f, -3.346156130e-10f),
        Vector256.Create(2.545997966e-03f, 7.148936857e-05f, 5.357427654e-06f, 7.408310125e-07f, 1.526107667e-07f, 4.131082676e-08f, 1.360746449e-08f, 5.190783803e-09f),
        Vector256.Create(-7.935900241e-03f, -3.217770136e-04f, -3.278346776e-05f, -5.834983767e-06f, -1.482412813e-06f, -4.791765491e-07f, -1.839075026e-07f, -8.020394660e-08f),
        Vector256.Create(2.319932543e-02f, 1.394215506e-03f, 1.960611553e-04f, 4.528984573e-05f, 1.425737810e-05f, 5.518807029e-06f, 2.472441565e-06f, 1.234204092e-06f),
        Vector256.Create(-6.288032979e-02f, -5.791541189e-03f, -1.144223264e-03f, -3.462038585e-04f, -1.357284636e-04f, -6.310275785e-05f, -3.306127837e-05f, -1.891408101e-05f),
        Vector256.Create(1.556795835e-01f, 2.295149304e-02f, 6.505361293e-03f, 2.604586305e-03f, 1.278585754e-03f, 7.162055699e-04f, 4.396863806e-04f, 2.886480361e-04f),
        Vector256.Create(-3.443204463e-01f, -8.622910082e-02f, -3.595947474e-02f, -1.927071624e-02f, -1.191445719e-02f, -8.067569695e-03f, -5.815106910e-03f, -4.386462737e-03f),
        Vector256.Create(6.556795239e-01f, 3.045902848e-01f, 1.928081065e-01f, 1.401041895e-01f, 1.097872853e-01f, 9.017567337e-02f, 7.647576183e-02f, 6.637423486e-02f),
    ];
}
