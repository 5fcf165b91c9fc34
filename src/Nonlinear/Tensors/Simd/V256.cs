using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors.Simd;

/// <summary>8 float lanes (AVX2; software-emulated, but correct, where AVX2 is missing).</summary>
internal readonly struct V256(Vector256<float> value) : ISimd<V256>
{
    public readonly Vector256<float> Value = value;

    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(ref float source) => new(Vector256.LoadUnsafe(ref source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V256 value, ref float destination) => value.Value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(V256 value, ref float destination) => value.Value.StoreAlignedNonTemporal((float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 FromBits(uint bits) => new(Vector256.Create(bits).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator +(V256 a, V256 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator -(V256 a, V256 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator *(V256 a, V256 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator /(V256 a, V256 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator -(V256 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator &(V256 a, V256 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 operator |(V256 a, V256 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 MultiplyAdd(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    /// <summary>Fused, as <see cref="MultiplyAdd"/> (emulated where FMA3 is missing, so that results stay those of the other widths).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 MultiplyAddEstimate(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Abs(V256 x) => new(Vector256.Abs(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sqrt(V256 x) => new(Vector256.Sqrt(x.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 MinNative(V256 a, V256 b) => Avx.IsSupported ? new(Avx.Min(a.Value, b.Value)) : Select(LessThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 MaxNative(V256 a, V256 b) => Avx.IsSupported ? new(Avx.Max(a.Value, b.Value)) : Select(GreaterThan(a, b), a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Round(V256 x) => new(Vector256.Round(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Floor(V256 x) => new(Vector256.Floor(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Equal(V256 a, V256 b) => new(Vector256.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 LessThan(V256 a, V256 b) => new(Vector256.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 LessThanOrEqual(V256 a, V256 b) => new(Vector256.LessThanOrEqual(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 GreaterThan(V256 a, V256 b) => new(Vector256.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 IsNaN(V256 x) => new(~Vector256.Equals(x.Value, x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(V256 mask) => Vector256.ExtractMostSignificantBits(mask.Value) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Select(V256 mask, V256 ifTrue, V256 ifFalse) => new(Vector256.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Pow2(V256 n) => new(Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n.Value) + Vector256.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ScaleB(V256 x, V256 n)
    {
        if (Avx512F.VL.IsSupported)
        {
            return new(Avx512F.VL.Scale(x.Value, n.Value));
        }

        // Two steps keep every intermediate normal: n in [-300, 300] covers every float result. On raw vectors, not
        // on this type's operators: nested inlines of each would exhaust the JIT's inlining budget in the unrolled
        // exponential loops (see V128.ScaleBPortable).
        var nc = Avx.IsSupported ? Avx.Min(Vector256.Create(300f), Avx.Max(Vector256.Create(-300f), n.Value)) : MinNative(Create(300f), MaxNative(Create(-300f), n)).Value;
        var n1 = Vector256.Round(nc * Vector256.Create(0.25f));
        var p1 = Pow2Raw(n1);
        var r = x.Value * p1 * p1;
        var n2 = nc - n1 - n1;
        var n3 = Vector256.Round(n2 * Vector256.Create(0.5f));
        return new(r * Pow2Raw(n3) * Pow2Raw(n2 - n3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pow2Raw(Vector256<float> n) => Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Exponent(V256 x)
    {
        if (Avx512F.VL.IsSupported)
        {
            return new(Avx512F.VL.GetExponent(x.Value));
        }

        var bits = Vector256.ShiftRightLogical(x.Value.AsInt32() & Vector256.Create(0x7F80_0000), 23);
        return new(Vector256.ConvertToSingle(bits - Vector256.Create(127)));
    }

    /// <summary>A 16-entry lookup from two 8-entry permutes (the permute reads the index's low 3 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Lookup16(ReadOnlySpan<float> table, V256 index)
    {
        var i = Vector256.ConvertToInt32Native(index.Value);
        ref float row = ref MemoryMarshal.GetReference(table);
        var upper = Vector256.GreaterThan(i, Vector256.Create(7)).AsSingle();
        return new(Vector256.ConditionalSelect(upper, Lookup(Vector256.LoadUnsafe(ref row, 8), i), Lookup(Vector256.LoadUnsafe(ref row), i)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Lookup(Vector256<float> table, Vector256<int> index)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.PermuteVar8x32(table, index);
        }

        Span<float> lanes = stackalloc float[8];
        for (int k = 0; k < 8; k++)
        {
            lanes[k] = table.GetElement(index.GetElement(k) & 7);
        }

        return Vector256.Create<float>(lanes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V256 x) => Vector256.Sum(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(V256 x)
    {
        var m = Vector128.Max(x.Value.GetLower(), x.Value.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }
}
