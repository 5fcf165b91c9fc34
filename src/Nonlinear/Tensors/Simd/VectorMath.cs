using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors.Simd;

/// <summary>
/// Float32 transcendental functions, written once for every vector width.
/// </summary>
/// <remarks>
/// Polynomials and other sums use <see cref="ISimd{TSelf}.MultiplyAddEstimate"/>: fused wherever the hardware has
/// an FMA (so every width gives the same bits), a multiply then an add on x86 without FMA (128-bit SSE), where the
/// last bit may then differ from the other widths (still within the exactness tests' ulp bounds). Error-free
/// products (sine's reduction, GELU's and the Gaussian's x^2) use <see cref="ProductError"/>: the exact
/// <see cref="ISimd{TSelf}.MultiplyAdd"/> where the hardware has an FMA, Dekker's product elsewhere (the same bits).
/// Why our own and not TensorPrimitives: measured on this project's machine (System.Numerics.Tensors 10/11),
/// <c>TensorPrimitives.Exp</c> costs about 1.9 ns per float (13x a memory copy, slower than PyTorch) and
/// <c>TensorPrimitives.Tanh</c> is badly wrong for tiny inputs (e.g. 1.39e-38). These kernels are within a few
/// ULP of the float64 result over the whole float range (see the generic exactness tests), handle NaN, ±inf,
/// subnormal inputs and results, and avoid every cancellation the textbook formulas have.
/// </remarks>
internal static class VectorMath
{
    /// <summary>
    /// a b − p exactly, for p = a * b rounded (the rounding error of a product, so that a b = p + error): one fused
    /// multiply-add where the hardware has one (FMA3, ARM64), else Dekker's TwoProduct (Veltkamp's split of a and b
    /// into 12-bit halves, whose four partial products are exact), which gives the same value without the ~20
    /// instructions per pair of lanes an exactly rounded FMA costs in emulation (x86 without AVX).
    /// </summary>
    /// <remarks>
    /// Dekker's form is exact while no partial product underflows and the split does not overflow: |a|, |b| below
    /// 2^115 and |a b| at least 2^-100 or so (products of normal floats whose error is itself a normal float).
    /// The kernels pass clamped arguments (|x| ≤ 200, quadrant counts below 2^16 times π/2 pieces); where a product
    /// is that tiny, its error is far below anything the result can show (checked by the exactness tests). NaN and
    /// ±inf operands give NaN, as the FMA does (inf − inf).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ProductError<T>(T a, T b, T p) where T : struct, ISimd<T>
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            return T.MultiplyAdd(a, b, -p);
        }

        return ProductErrorDekker(a, b, p);
    }

    /// <summary>Dekker's TwoProduct error a b − p (see <see cref="ProductError{T}"/>), on any hardware (tests call it directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T ProductErrorDekker<T>(T a, T b, T p) where T : struct, ISimd<T>
    {
        var split = T.Create(4097f);
        var ca = split * a;
        var aHi = ca - (ca - a);
        var aLo = a - aHi;
        var cb = split * b;
        var bHi = cb - (cb - b);
        var bLo = b - bHi;
        // + 0: an exact product's error is +0 by FMA (x + (-x) = +0), but may come out -0 here.
        return ((aLo * bLo) - (((p - (aHi * bHi)) - (aLo * bHi)) - (aHi * bLo))) + T.Create(0f);
    }

    /// <summary>
    /// <see cref="ProductError{T}"/> of x · x, splitting x once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SquareError<T>(T x, T p) where T : struct, ISimd<T>
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            return T.MultiplyAdd(x, x, -p);
        }

        return SquareErrorDekker(x, p);
    }

    /// <summary>Dekker's error of x · x (see <see cref="SquareError{T}"/>), on any hardware (tests call it directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T SquareErrorDekker<T>(T x, T p) where T : struct, ISimd<T>
    {
        var cx = T.Create(4097f) * x;
        var hi = cx - (cx - x);
        var lo = x - hi;
        var cross = hi * lo;
        return ((lo * lo) - (((p - (hi * hi)) - cross) - cross)) + T.Create(0f);
    }

    private const float Log2E = 1.44269504088896341f;

    // ln 2 split so that n * Ln2Hi is exact for |n| <= 2^15 (Cody and Waite).
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>
    /// e^r - 1 for |r| &lt;= ln2/2 + 2^-4: r + r^2 (1/2! + r/3! + ... + r^5/7!), a Taylor polynomial whose
    /// truncation error (r^8/8! &lt; 2e-8 relative) is below float32 resolution.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Expm1Reduced<T>(T r) where T : struct, ISimd<T>
    {
        var p = T.MultiplyAddEstimate(T.Create(1f / 5040f), r, T.Create(1f / 720f));
        p = T.MultiplyAddEstimate(p, r, T.Create(1f / 120f));
        p = T.MultiplyAddEstimate(p, r, T.Create(1f / 24f));
        p = T.MultiplyAddEstimate(p, r, T.Create(1f / 6f));
        p = T.MultiplyAddEstimate(p, r, T.Create(0.5f));
        return T.MultiplyAddEstimate(r * r, p, r);
    }

    /// <summary>Splits x = n ln2 + r with n integral and |r| &lt;= ln2/2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Reduce<T>(T x, out T n) where T : struct, ISimd<T>
    {
        n = T.Round(x * T.Create(Log2E));
        var r = T.MultiplyAddEstimate(n, T.Create(-Ln2Hi), x);
        return T.MultiplyAddEstimate(n, T.Create(-Ln2Lo), r);
    }

    /// <summary>e^x; +inf above 88.72, 0 below -103.97, subnormal results rounded once, NaN kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x) where T : struct, ISimd<T> => Exp(x, T.Create(0f));

    /// <summary>
    /// e^(x + lo) for a small correction |lo| &lt; 2^-4 that x cannot hold (a double-float argument): lo joins
    /// the reduced argument, where it is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x, T lo) where T : struct, ISimd<T>
    {
        var xc = T.MinNative(T.Create(88.75f), T.MaxNative(T.Create(-104f), x));
        var r = Reduce(xc, out var n) + lo;

        // ScaleB (VSCALEFPS) rounds once, also for subnormal results and for n = 128 next to overflow.
        return T.ScaleB(T.Create(1f) + Expm1Reduced(r), n);
    }

    /// <summary>
    /// factor e^(x + lo), with the product formed before the final scaling by 2^n: where e^x alone would be
    /// subnormal (and keep only a few bits) but factor e^x is not, the result keeps full precision. For
    /// x &gt;= -150 and finite factor; as <see cref="Exp{T}(T, T)"/> for lo.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ExpTimes<T>(T x, T lo, T factor) where T : struct, ISimd<T>
    {
        var xc = T.MinNative(T.Create(88.75f), T.MaxNative(T.Create(-150f), x));
        var r = Reduce(xc, out var n) + lo;
        return T.ScaleB(factor * (T.Create(1f) + Expm1Reduced(r)), n);
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
        return T.MultiplyAddEstimate(s, em1, s - T.Create(1f));
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

        // log(1 + f) = 2 atanh(s), s = f / (2 + f), |s| <= 0.2.
        var logf = AtanhSeries(f / (T.Create(2f) + f));
        return T.MultiplyAddEstimate(k, T.Create(Ln2Hi), T.MultiplyAddEstimate(k, T.Create(Ln2Lo), logf));
    }

    /// <summary>log(1 + t) for any t &gt;= 0 (NaN kept, +inf gives +inf).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1p<T>(T t) where T : struct, ISimd<T>
    {
        // u = 1 + t rounds; c/u restores what the rounding lost: log(1 + t) = log(u) + (t - (u - 1))/u.
        var u = T.Create(1f) + t;
        var c = (t - (u - T.Create(1f))) / u;

        // u = 2^k m with m in [sqrt(1/2), sqrt(2)), then log(m) = 2 atanh(f / (2 + f)), f = m - 1 exactly.
        var k = T.Exponent(u);
        var m = T.ScaleB(u, -k);
        var high = T.LessThan(T.Create(1.41421356f), m);
        m = T.Select(high, m * T.Create(0.5f), m);
        k = T.Select(high, k + T.Create(1f), k);
        var f = m - T.Create(1f);
        var logm = AtanhSeries(f / (T.Create(2f) + f));
        var result = T.MultiplyAddEstimate(k, T.Create(Ln2Hi), T.MultiplyAddEstimate(k, T.Create(Ln2Lo), logm + c));
        return T.Select(T.Equal(t, T.Create(float.PositiveInfinity)), t, result);
    }

    /// <summary>2 atanh(s) = 2s (1 + s^2/3 + ... + s^12/13) for |s| &lt;= 0.2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T AtanhSeries<T>(T s) where T : struct, ISimd<T>
    {
        var z = s * s;
        var q = T.MultiplyAddEstimate(T.Create(1f / 13f), z, T.Create(1f / 11f));
        q = T.MultiplyAddEstimate(q, z, T.Create(1f / 9f));
        q = T.MultiplyAddEstimate(q, z, T.Create(1f / 7f));
        q = T.MultiplyAddEstimate(q, z, T.Create(1f / 5f));
        q = T.MultiplyAddEstimate(q, z, T.Create(1f / 3f));
        var twoS = s + s;
        return T.MultiplyAddEstimate(twoS * z, q, twoS);
    }

    /// <summary>
    /// The logistic function and its mirror from one exponential: sigma(x) and sigma(-x) = 1 - sigma(x),
    /// both without cancellation or overflow for any x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T>(T x, out T mirror) where T : struct, ISimd<T>
    {
        var e = Exp(-T.Abs(x));
        var big = T.Create(1f) / (T.Create(1f) + e);
        var small = e * big;
        var positive = T.LessThanOrEqual(T.Create(0f), x);
        mirror = T.Select(positive, small, big);
        return T.Select(positive, big, small);
    }

    /// <summary>sigmoid'(x) = sigmoid(x) sigmoid(-x) = e / (1 + e)^2 with e = e^(-|x|): symmetric, no cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T SigmoidDerivative<T>(T x) where T : struct, ISimd<T>
    {
        var e = Exp(-T.Abs(x));
        var d = T.Create(1f) + e;
        return e / (d * d);
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

    // pi/2 as an unevaluated sum of three floats (C1 = float(pi/2), then what is left, twice): pi/2 - C1 - C2 - C3
    // = 1.06e-23, so the reduction's own error q (pi/2 - C1 - C2 - C3) stays below 2^-60 for every quadrant
    // |q| < 2^16 the vector path sees.
    private const float PiOver2A = 1.57079637f;
    private const float PiOver2B = -4.37113883e-8f;
    private const float PiOver2C = -1.71512451e-15f;
    private const float TwoOverPi = 0.636619747f;

    /// <summary>
    /// Beyond this |x| (and for ±inf), sin and cos are computed per element in float64 by the C runtime
    /// (Math.Sin, Math.Cos: full Payne-Hanek reduction, under 1 ulp), then rounded. The vector path below was
    /// checked against Math.Sin and Math.Cos on every float from 1e-4 to here (worst 1.17 ulp, both functions);
    /// below 1e-4 it is x - x^3/6 and 1 - x^2/2 with nothing to cancel. Pre-activations this large are rare
    /// enough that the slow path costs nothing in practice.
    /// </summary>
    internal const float TrigVectorLimit = 65536f;

    /// <summary>sin(x) for every float: within ~1 ulp, sin(-0) = -0, NaN and ±inf give NaN.</summary>
    /// <remarks>
    /// Why not TensorPrimitives.Sin and Cos: measured (System.Numerics.Tensors 10.0.0) they are accurate
    /// (0.56 ulp worst on the exactness tests' 254,860 inputs), but they work on whole spans only. Our kernels
    /// run inside the shared loop (<see cref="Elementwise"/>), which needs a per-vector body: backward
    /// dx = dy cos(x) in one pass and in place, the vector width the tests switch, and results that do not
    /// depend on the span's length (TensorPrimitives takes a scalar path for spans shorter than a vector: sin of
    /// a one-element span differed in the last bit from the same input in a long span on 2,575 of those inputs).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sin<T>(T x) where T : struct, ISimd<T>
    {
        // x - q C1 turns -0 into +0; sin(-0) = -0 as in PyTorch.
        var y = T.Select(T.Equal(x, T.Create(0f)), x, SinQuadrant(x, T.Create(0f)));
        var beyond = T.LessThan(T.Create(TrigVectorLimit), T.Abs(x));
        return T.Any(beyond) ? TrigPerElement(x, y, beyond, cosine: false) : y;
    }

    /// <summary>cos(x) for every float: within ~1 ulp (also near its zeros), NaN and ±inf give NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Cos<T>(T x) where T : struct, ISimd<T>
    {
        var y = SinQuadrant(x, T.Create(1f));
        var beyond = T.LessThan(T.Create(TrigVectorLimit), T.Abs(x));
        return T.Any(beyond) ? TrigPerElement(x, y, beyond, cosine: true) : y;
    }

    /// <summary>
    /// sin(x + shift pi/2) (shift 0: sin, 1: cos) for |x| &lt;= <see cref="TrigVectorLimit"/>: x = q pi/2 + r with
    /// |r| &lt;= pi/4 (a hair more where x 2/pi rounds across a half), then sin or cos of r by its quadrant.
    /// </summary>
    /// <remarks>
    /// Near a zero of the result (x close to a multiple of pi/2) r is tiny and x - q pi/2 cancels: the float
    /// below 65536 closest to a multiple of pi/2, 252.89821, is 4.2e-9 (2^-27.8) from it, so r must be right to
    /// ~2^-52 and pi/2 known to ~70 bits. So q pi/2 is subtracted
    /// piece by piece, each product q Ck split exactly into p + e (FMA or Dekker's product), and r carried as hi + lo (TwoSum):
    /// x - p1 is exact (Sterbenz: x and q C1 are within a factor 2), the rest is error-free or below 2^-60.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T SinQuadrant<T>(T x, T shift) where T : struct, ISimd<T>
    {
        var q = T.Round(x * T.Create(TwoOverPi));
        var p1 = q * T.Create(PiOver2A);
        var e1 = ProductError(q, T.Create(PiOver2A), p1);
        var p2 = q * T.Create(PiOver2B);
        var e2 = ProductError(q, T.Create(PiOver2B), p2);
        var hi = TwoSum(x - p1, -p2, out var lo);
        hi = TwoSum(hi, -e1, out var lo2);
        lo = T.MultiplyAddEstimate(q, T.Create(-PiOver2C), (lo + lo2) - e2);

        // Taylor polynomials on |r| <= 0.79: truncation below 2e-9 (sin, r^11/11!) and 2e-10 (cos, r^12/12!)
        // relative. sin(hi + lo) = sin hi + lo cos hi and cos(hi + lo) = cos hi - lo sin hi to first order in lo.
        var r2 = hi * hi;
        var ps = T.MultiplyAddEstimate(T.Create(1f / 362880f), r2, T.Create(-1f / 5040f));
        ps = T.MultiplyAddEstimate(ps, r2, T.Create(1f / 120f));
        ps = T.MultiplyAddEstimate(ps, r2, T.Create(-1f / 6f));
        var sin = hi + T.MultiplyAddEstimate(hi * r2, ps, T.MultiplyAddEstimate(lo * r2, T.Create(-0.5f), lo));
        var pc = T.MultiplyAddEstimate(T.Create(-1f / 3628800f), r2, T.Create(1f / 40320f));
        pc = T.MultiplyAddEstimate(pc, r2, T.Create(-1f / 720f));
        pc = T.MultiplyAddEstimate(pc, r2, T.Create(1f / 24f));
        pc = T.MultiplyAddEstimate(pc, r2, T.Create(-0.5f));
        var cos = T.Create(1f) + T.MultiplyAddEstimate(r2, pc, -(hi * lo));

        // Quadrant n = (q + shift) mod 4: sin, cos, -sin, -cos of r.
        var m = q + shift;
        var n = m - (T.Create(4f) * T.Floor(m * T.Create(0.25f)));
        var odd = T.Equal(n - (T.Create(2f) * T.Floor(n * T.Create(0.5f))), T.Create(1f));
        var v = T.Select(odd, cos, sin);
        return T.Select(T.LessThanOrEqual(T.Create(2f), n), -v, v);
    }

    /// <summary>a + b = s + error exactly (Knuth's TwoSum; no ordering of |a| and |b| needed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T TwoSum<T>(T a, T b, out T error) where T : struct, ISimd<T>
    {
        var s = a + b;
        var bb = s - a;
        error = (a - (s - bb)) + (b - bb);
        return s;
    }

    /// <summary>The lanes flagged in <paramref name="beyond"/> recomputed in float64, the others kept from <paramref name="vector"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T TrigPerElement<T>(T x, T vector, T beyond, bool cosine) where T : struct, ISimd<T>
    {
        // Out of line: the stack buffers live only for this call, not for the caller's whole loop.
        Span<float> xs = stackalloc float[16];
        Span<float> ys = stackalloc float[16];
        Span<float> flags = stackalloc float[16];
        T.Store(x, ref xs[0]);
        T.Store(vector, ref ys[0]);
        T.Store(beyond, ref flags[0]);
        for (int i = 0; i < T.Count; i++)
        {
            if (BitConverter.SingleToInt32Bits(flags[i]) != 0)
            {
                ys[i] = (float)(cosine ? Math.Cos(xs[i]) : Math.Sin(xs[i]));
            }
        }

        return T.Load(ref ys[0]);
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

        // M on [k, k+1] is a degree-7 polynomial in s = t - (k + 1/2), fitted by tools/fit_normal_cdf.py
        // (worst float32 evaluation error 2.2 ulp); Horner written out, one table row per power.
        var k = T.Floor(t);
        var s = t - (k + T.Create(0.5f));
        var c = MillsCoefficients;
        var m = T.Lookup16(c[..16], k);
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[16..32], k));
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[32..48], k));
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[48..64], k));
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[64..80], k));
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[80..96], k));
        m = T.MultiplyAddEstimate(m, s, T.Lookup16(c[96..112], k));
        mills = T.MultiplyAddEstimate(m, s, T.Lookup16(c[112..128], k));

        // phi(t) = e^(-t^2/2)/sqrt(2 pi) with t^2 split: th keeps 12 significant bits, so -th^2/2 is exact, and
        // the rest -(t - th)(t + th)/2 (below 2^-4) enters the exponential's reduced argument. The error of
        // e^(-t^2/2) stays at a couple of ulp even where t^2/2 ~ 100.
        var th = t & T.FromBits(0xFFFF_F000u);
        var lo = (th - t) * (t + th) * T.Create(0.5f);
        return T.Create(0.398942280401432678f) * Exp(th * th * T.Create(-0.5f), lo);
    }

    private static ReadOnlySpan<float> MillsCoefficients =>
    [
        -2.703145379e-03f, -2.653742558e-04f, -3.738762098e-05f, -7.029550034e-06f, -1.662820750e-06f, -4.724684857e-07f, -1.555884808e-07f, -5.777148004e-08f, -2.367911378e-08f, -1.053786924e-08f, -5.026415284e-09f, -2.543419919e-09f, -1.353552714e-09f, -7.531972268e-10f, -4.356480454e-10f, -2.604798044e-10f,
        8.134979755e-03f, 9.581745253e-04f, 1.604113786e-04f, 3.539829413e-05f, 9.698770555e-06f, 3.151425290e-06f, 1.172914040e-06f, 4.870650514e-07f, 2.212021855e-07f, 1.081929639e-07f, 5.631454769e-08f, 3.089984446e-08f, 1.773936376e-08f, 1.059050359e-08f, 6.542304032e-09f, 4.164742773e-09f,
        -2.178134397e-02f, -3.172266763e-03f, -6.450788351e-04f, -1.697297557e-04f, -5.447854710e-05f, -2.040954860e-05f, -8.636740858e-06f, -4.028944204e-06f, -2.034279987e-06f, -1.096384722e-06f, -6.239964705e-07f, -3.718897403e-07f, -2.305461351e-07f, -1.478689455e-07f, -9.769453868e-08f, -6.624787829e-08f,
        5.716009066e-02f, 1.029767934e-02f, 2.550094854e-03f, 8.024011622e-04f, 3.025161277e-04f, 1.309540239e-04f, 6.311578909e-05f, 3.311932960e-05f, 1.861112833e-05f, 1.106178570e-05f, 6.888525604e-06f, 4.461513527e-06f, 2.987955213e-06f, 2.059615554e-06f, 1.455740744e-06f, 1.051783329e-06f,
        -1.376531273e-01f, -3.132543713e-02f, -9.603230283e-03f, -3.657557070e-03f, -1.633837237e-03f, -8.223300101e-04f, -4.534480104e-04f, -2.685440704e-04f, -1.683677983e-04f, -1.105696938e-04f, -7.544989057e-05f, -5.316705210e-05f, -3.850227586e-05f, -2.854421473e-05f, -2.159674659e-05f, -1.663390140e-05f,
        2.977310717e-01f, 8.820068836e-02f, 3.421106189e-02f, 1.601147465e-02f, 8.562418632e-03f, 5.046652630e-03f, 3.199881408e-03f, 2.146560000e-03f, 1.505571534e-03f, 1.094659558e-03f, 8.197780699e-04f, 6.292671897e-04f, 4.932302982e-04f, 3.935853601e-04f, 3.189757990e-04f, 2.620326122e-04f,
        -5.618177652e-01f, -2.262765467e-01f, -1.143372208e-01f, -6.701280922e-02f, -4.343238845e-02f, -3.022357821e-02f, -2.215957269e-02f, -1.690483093e-02f, -1.330246124e-02f, -1.073097531e-02f, -8.834019303e-03f, -7.396074012e-03f, -6.280885544e-03f, -5.399035290e-03f, -4.689939320e-03f, -4.111407325e-03f,
        8.763644099e-01f, 5.158156157e-01f, 3.542651236e-01f, 2.665677667e-01f, 2.125705779e-01f, 1.763229817e-01f, 1.504369825e-01f, 1.310793608e-01f, 1.160820648e-01f, 1.041335836e-01f, 9.439676255e-02f, 8.631338179e-02f, 7.949753106e-02f, 7.367414236e-02f, 6.864207238e-02f, 6.425087899e-02f,
    ];
}
