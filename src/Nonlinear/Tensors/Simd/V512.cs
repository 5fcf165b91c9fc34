using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nonlinear.Tensors.Simd;

/// <summary>16 float lanes (AVX-512).</summary>
internal readonly struct V512(Vector512<float> value) : ISimd<V512>
{
    public readonly Vector512<float> Value = value;

    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(ref float source) => new(Vector512.LoadUnsafe(ref source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V512 value, ref float destination) => value.Value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreAlignedNonTemporal(V512 value, ref float destination) => value.Value.StoreAlignedNonTemporal((float*)Unsafe.AsPointer(ref destination));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Create(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 FromBits(uint bits) => new(Vector512.Create(bits).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator +(V512 a, V512 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator -(V512 a, V512 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator *(V512 a, V512 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator /(V512 a, V512 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator -(V512 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator &(V512 a, V512 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 operator |(V512 a, V512 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MultiplyAdd(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));

    /// <summary>Fused, as <see cref="MultiplyAdd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MultiplyAddEstimate(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Abs(V512 x) => new(Vector512.Abs(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sqrt(V512 x) => new(Vector512.Sqrt(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MinNative(V512 a, V512 b) => new(Avx512F.Min(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 MaxNative(V512 a, V512 b) => new(Avx512F.Max(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Round(V512 x) => new(Vector512.Round(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Floor(V512 x) => new(Vector512.Floor(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Equal(V512 a, V512 b) => new(Vector512.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 LessThan(V512 a, V512 b) => new(Vector512.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 LessThanOrEqual(V512 a, V512 b) => new(Vector512.LessThanOrEqual(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 GreaterThan(V512 a, V512 b) => new(Vector512.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 IsNaN(V512 x) => new(~Vector512.Equals(x.Value, x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Any(V512 mask) => Vector512.ExtractMostSignificantBits(mask.Value) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Select(V512 mask, V512 ifTrue, V512 ifFalse) => new(Vector512.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Pow2(V512 n) => new(Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n.Value) + Vector512.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ScaleB(V512 x, V512 n) => new(Avx512F.Scale(x.Value, n.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Exponent(V512 x) => new(Avx512F.GetExponent(x.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Lookup16(ReadOnlySpan<float> table, V512 index)
        => new(Avx512F.PermuteVar16x32(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(table)), Vector512.ConvertToInt32Native(index.Value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(V512 x) => Vector512.Sum(x.Value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(V512 x)
    {
        var m = Avx.Max(x.Value.GetLower(), x.Value.GetUpper());
        return V256.Max(new V256(m));
    }
}
