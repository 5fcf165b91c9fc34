using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors.Simd;

/// <summary>
/// 4 float lanes: SSE on x86 without AVX, NEON (AdvSimd) on ARM64, and whatever else accelerates Vector128
/// (WebAssembly SIMD). Every operation gives the same bits as <see cref="V256"/> and <see cref="V512"/> lane for
/// lane, so a kernel's results do not depend on the width it runs at.
/// </summary>
/// <remarks>
/// Where the hardware lacks an instruction with the interface's semantics, a portable equivalent is used (each is
/// also callable directly, so tests check it on any machine):
/// <list type="bullet">
/// <item><see cref="MultiplyAdd"/>: FMA on x86 with FMA3 and on ARM64; on SSE-only x86 an exact emulation in
/// float64 (<see cref="MultiplyAddEmulated"/>), since the kernels rely on the single rounding (error-free
/// products in GELU, the Gaussian, sine's argument reduction).</item>
/// <item><see cref="MinNative"/>/<see cref="MaxNative"/>: MINPS/MAXPS on x86; elsewhere a compare and select with
/// the same rule (NaN in either operand, or two zeros, give the second operand). ARM's FMIN/FMAX would return
/// NaN for a NaN in either operand, which is not the rule.</item>
/// <item><see cref="Round"/>/<see cref="Floor"/>: ROUNDPS (SSE4.1) or FRINTN/FRINTM; else the 2^23 trick.</item>
/// <item><see cref="Lookup16"/>: four 4-entry byte shuffles (PSHUFB, SSSE3) and a select tree on the index's bits
/// 2 and 3; else four <c>Vector128.Shuffle</c> (TBL on ARM64).</item>
/// <item><see cref="ScaleB"/>/<see cref="Exponent"/>: VSCALEFPS/VGETEXPPS where AVX-512VL exists, else the
/// two-step power-of-two scaling and the exponent bits, as <see cref="V256"/> does.</item>
/// </list>
/// </remarks>
internal readonly struct V128(Vector128<float> value) : ISimd<V128>
{
    public readonly Vector128<float> Value = value;

    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Load(ref float source) => new(Vector128.LoadUnsafe(ref source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V128 value, ref float destination) => value.Value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(V128 value, ref float destination) => value.Value.StoreAlignedNonTemporal((float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Create(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 FromBits(uint bits) => new(Vector128.Create(bits).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator +(V128 a, V128 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator -(V128 a, V128 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator *(V128 a, V128 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator /(V128 a, V128 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator -(V128 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator &(V128 a, V128 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 operator |(V128 a, V128 b) => new(a.Value | b.Value);

    /// <summary>
    /// Whether <see cref="MultiplyAdd"/> is one hardware instruction here (FMA3 or ARM64's FMLA). The methods below
    /// test the IsSupported flags themselves: the JIT folds those while importing, but not a call to this
    /// property, and the dead branch's software Vector128.FusedMultiplyAdd then exhausted the inlining budget of
    /// the unrolled kernel loops (measured under DOTNET_EnableAVX=0: every operation became a call, 10x slower).
    /// </summary>
    public static bool HasFusedMultiplyAdd => Fma.IsSupported || AdvSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 MultiplyAdd(V128 a, V128 b, V128 c)
        => Fma.IsSupported || AdvSimd.IsSupported || !Sse2.IsSupported
            ? new(Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value))
            : new(MultiplyAddEmulated(a.Value, b.Value, c.Value));

    /// <summary>Fused where the hardware has FMA (the same bits as the other widths), else a multiply then an add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 MultiplyAddEstimate(V128 a, V128 b, V128 c)
        => Fma.IsSupported || AdvSimd.IsSupported ? new(Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value)) : new((a.Value * b.Value) + c.Value);

    /// <summary>
    /// a b + c rounded once, without an FMA instruction: the product is exact in float64 (48 significant bits),
    /// the sum is rounded to float64 and then made round-to-odd (its last bit set toward the exact sum when the
    /// float64 addition was inexact, the error found by TwoSum), and round-to-odd at 53 bits followed by rounding
    /// to 24 bits is the correctly rounded result (Boldo and Melquiond), subnormal results and overflow included.
    /// </summary>
    /// <remarks>
    /// About 20 SSE2 instructions per pair of lanes against one FMA: only used where the hardware has no FMA (x86
    /// without AVX). NaN and ±inf operands give what the IEEE FMA gives (no rounding is involved).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MultiplyAddEmulated(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        var low = MultiplyAddToOdd(Vector128.WidenLower(a), Vector128.WidenLower(b), Vector128.WidenLower(c));
        var high = MultiplyAddToOdd(Vector128.WidenUpper(a), Vector128.WidenUpper(b), Vector128.WidenUpper(c));
        return Vector128.Narrow(low, high);
    }

    /// <summary>a b + c for floats widened to float64, rounded to odd.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> MultiplyAddToOdd(Vector128<double> a, Vector128<double> b, Vector128<double> c)
    {
        // |a b| <= 2^256 and |c| < 2^128: the float64 sum never overflows, so a NaN error means a NaN or inf operand.
        var p = a * b;
        var s = p + c;
        var bb = s - p;
        var e = (p - (s - bb)) + (c - bb);
        var inexact = (~Vector128.Equals(e, Vector128<double>.Zero) & Vector128.Equals(e, e)).AsUInt64();
        var bits = s.AsUInt64();

        // Only an even s moves, by one unit in its last place toward the exact sum: up in magnitude when e has
        // s's sign, down otherwise (bits - 1 below a power of two is the next float64 down, as it should be).
        var step = inexact & ~bits & Vector128<ulong>.One;
        var down = Vector128<ulong>.Zero - Vector128.ShiftRightLogical((e.AsUInt64() ^ bits), 63);
        return (bits + ((step ^ down) - down)).AsDouble();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Abs(V128 x) => new(Vector128.Abs(x.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 MinNative(V128 a, V128 b) => new(MinRaw(a.Value, b.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 MaxNative(V128 a, V128 b) => new(MaxRaw(a.Value, b.Value));

    /// <summary>MINPS's rule without MINPS: a &lt; b ? a : b (NaN or two zeros: b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MinPortable(Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(Vector128.LessThan(a, b), a, b);

    /// <summary>MAXPS's rule without MAXPS: a &gt; b ? a : b (NaN or two zeros: b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MaxPortable(Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(Vector128.GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Round(V128 x) => new(RoundRaw(x.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Floor(V128 x) => Sse41.IsSupported || AdvSimd.IsSupported ? new(Vector128.Floor(x.Value)) : new(FloorPortable(x.Value));

    /// <summary>
    /// Ties-to-even rounding by the 2^23 trick: for |x| &lt; 2^23, (|x| + 2^23) - 2^23 rounds |x| to an integer in the
    /// current (nearest-even) mode; larger floats, ±inf and NaN are integers or themselves already. The sign is put
    /// back, so -0.3 gives -0 as ROUNDPS does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> RoundPortable(Vector128<float> x)
    {
        var magic = Vector128.Create(8388608f);
        var a = Vector128.Abs(x);
        var r = (a + magic) - magic;
        var sign = x & Vector128.Create(-0f);
        return Vector128.ConditionalSelect(Vector128.LessThan(a, magic), r | sign, x);
    }

    /// <summary>floor(x) from <see cref="RoundPortable"/>: one less where rounding went up (floor(-0) = -0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> FloorPortable(Vector128<float> x)
    {
        var r = RoundPortable(x);
        return r - (Vector128.GreaterThan(r, x) & Vector128.Create(1f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Equal(V128 a, V128 b) => new(Vector128.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 LessThan(V128 a, V128 b) => new(Vector128.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 LessThanOrEqual(V128 a, V128 b) => new(Vector128.LessThanOrEqual(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 GreaterThan(V128 a, V128 b) => new(Vector128.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 IsNaN(V128 x) => new(~Vector128.Equals(x.Value, x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(V128 mask) => Vector128.ExtractMostSignificantBits(mask.Value) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Select(V128 mask, V128 ifTrue, V128 ifFalse) => new(Vector128.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sqrt(V128 x) => new(Vector128.Sqrt(x.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Pow2(V128 n) => new(Pow2Raw(n.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ScaleB(V128 x, V128 n) => Avx512F.VL.IsSupported ? new(Avx512F.VL.Scale(x.Value, n.Value)) : new(ScaleBPortable(x.Value, n.Value));

    /// <summary>
    /// x 2^n without VSCALEFPS, as <see cref="V256"/>'s fallback: n clamped to [-300, 300] and applied in steps of
    /// at most 2^75, so that only the last multiplication rounds (in the domain <see cref="ISimd{TSelf}.ScaleB"/>
    /// states). Written on raw vectors, not on this type's operators: the exponentials inline it four times per
    /// unrolled loop, and two dozen nested inlines each would exhaust the JIT's inlining budget (measured: the
    /// kernels then fell back to calls, 10x slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ScaleBPortable(Vector128<float> x, Vector128<float> n)
    {
        var nc = MinRaw(Vector128.Create(300f), MaxRaw(Vector128.Create(-300f), n));
        var n1 = RoundRaw(nc * Vector128.Create(0.25f));
        var p1 = Pow2Raw(n1);
        var r = x * p1 * p1;
        var n2 = nc - n1 - n1;
        var n3 = RoundRaw(n2 * Vector128.Create(0.5f));
        return r * Pow2Raw(n3) * Pow2Raw(n2 - n3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MinRaw(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Min(a, b) : MinPortable(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> MaxRaw(Vector128<float> a, Vector128<float> b) => Sse.IsSupported ? Sse.Max(a, b) : MaxPortable(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> RoundRaw(Vector128<float> x) => Sse41.IsSupported || AdvSimd.IsSupported ? Vector128.Round(x) : RoundPortable(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Pow2Raw(Vector128<float> n) => Vector128.ShiftLeft(Vector128.ConvertToInt32Native(n) + Vector128.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Exponent(V128 x) => Avx512F.VL.IsSupported ? new(Avx512F.VL.GetExponent(x.Value)) : new(ExponentPortable(x.Value));

    /// <summary>floor(log2 |x|) from the exponent bits (finite non-zero normal x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ExponentPortable(Vector128<float> x)
        => Vector128.ConvertToSingle(Vector128.ShiftRightLogical(x.AsInt32() & Vector128.Create(0x7F80_0000), 23) - Vector128.Create(127));

    /// <summary>
    /// A 16-entry lookup as four 4-entry ones (index bits 0-1) and a select on index bits 2 and 3. A NaN index
    /// (converted to int.MinValue on x86, 0 on ARM64) reads entry 0, as on the other widths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Lookup16(ReadOnlySpan<float> table, V128 index)
        => Ssse3.IsSupported ? new(Lookup16Ssse3(table, index.Value)) : new(Lookup16Portable(table, index.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Lookup16Ssse3(ReadOnlySpan<float> table, Vector128<float> index)
    {
        var i = Vector128.ConvertToInt32Native(index);

        // Byte indices 4k, 4k+1, 4k+2, 4k+3 for lane entry k = i & 3: broadcast 4k to the lane's bytes, add 0..3.
        var k4 = Vector128.ShiftLeft(i & Vector128.Create(3), 2).AsByte();
        var bytes = Ssse3.Shuffle(k4, Vector128.Create((byte)0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12)) + Vector128.Create(0x03020100).AsByte();
        ref float row = ref MemoryMarshal.GetReference(table);
        var q0 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref row).AsByte(), bytes).AsSingle();
        var q1 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref row, 4).AsByte(), bytes).AsSingle();
        var q2 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref row, 8).AsByte(), bytes).AsSingle();
        var q3 = Ssse3.Shuffle(Vector128.LoadUnsafe(ref row, 12).AsByte(), bytes).AsSingle();
        return SelectQuarter(i, q0, q1, q2, q3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Lookup16Portable(ReadOnlySpan<float> table, Vector128<float> index)
    {
        var i = Vector128.ConvertToInt32Native(index);
        var k = i & Vector128.Create(3);
        ref float row = ref MemoryMarshal.GetReference(table);
        var q0 = Vector128.Shuffle(Vector128.LoadUnsafe(ref row), k);
        var q1 = Vector128.Shuffle(Vector128.LoadUnsafe(ref row, 4), k);
        var q2 = Vector128.Shuffle(Vector128.LoadUnsafe(ref row, 8), k);
        var q3 = Vector128.Shuffle(Vector128.LoadUnsafe(ref row, 12), k);
        return SelectQuarter(i, q0, q1, q2, q3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SelectQuarter(Vector128<int> i, Vector128<float> q0, Vector128<float> q1, Vector128<float> q2, Vector128<float> q3)
    {
        var bit2 = Vector128.Equals(i & Vector128.Create(4), Vector128.Create(4)).AsSingle();
        var bit3 = Vector128.Equals(i & Vector128.Create(8), Vector128.Create(8)).AsSingle();
        return Vector128.ConditionalSelect(bit3, Vector128.ConditionalSelect(bit2, q3, q2), Vector128.ConditionalSelect(bit2, q1, q0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V128 x) => Vector128.Sum(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(V128 x)
    {
        var m = MaxNative(x, new(Vector128.Shuffle(x.Value, Vector128.Create(2, 3, 0, 1)))).Value;
        m = MaxNative(new(m), new(Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)))).Value;
        return m.ToScalar();
    }
}
