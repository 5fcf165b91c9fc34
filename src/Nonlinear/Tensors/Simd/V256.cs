using System.Runtime.CompilerServices;
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Abs(V256 x) => new(Vector256.Abs(x.Value));

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Select(V256 mask, V256 ifTrue, V256 ifFalse) => new(Vector256.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Pow2(V256 n) => new(Vector256.ShiftLeft(Vector256.ConvertToInt32(n.Value) + Vector256.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Lookup8(Vector256<float> table, V256 index)
    {
        var i = Vector256.ConvertToInt32(index.Value);
        if (Avx2.IsSupported)
        {
            return new(Avx2.PermuteVar8x32(table, i));
        }

        Span<float> lanes = stackalloc float[8];
        for (int k = 0; k < 8; k++)
        {
            lanes[k] = table.GetElement(i.GetElement(k) & 7);
        }

        return new(Vector256.Create<float>(lanes));
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
