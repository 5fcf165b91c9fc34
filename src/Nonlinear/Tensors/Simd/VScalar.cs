using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nonlinear.Tensors.Simd;

/// <summary>One float lane: the same kernels, evaluated one value at a time (used for single values).</summary>
internal readonly struct VScalar(float value) : ISimd<VScalar>
{
    public readonly float Value = value;

    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Load(ref float source) => new(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(VScalar value, ref float destination) => destination = value.Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Create(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar FromBits(uint bits) => new(BitConverter.UInt32BitsToSingle(bits));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator +(VScalar a, VScalar b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator -(VScalar a, VScalar b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator *(VScalar a, VScalar b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator /(VScalar a, VScalar b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator -(VScalar a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator &(VScalar a, VScalar b) => FromBits(Bits(a) & Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar operator |(VScalar a, VScalar b) => FromBits(Bits(a) | Bits(b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar MultiplyAdd(VScalar a, VScalar b, VScalar c) => new(MathF.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Abs(VScalar x) => new(MathF.Abs(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar MinNative(VScalar a, VScalar b) => a.Value < b.Value ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar MaxNative(VScalar a, VScalar b) => a.Value > b.Value ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Round(VScalar x) => new(MathF.Round(x.Value, MidpointRounding.ToEven));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Floor(VScalar x) => new(MathF.Floor(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Equal(VScalar a, VScalar b) => Mask(a.Value == b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar LessThan(VScalar a, VScalar b) => Mask(a.Value < b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar LessThanOrEqual(VScalar a, VScalar b) => Mask(a.Value <= b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar GreaterThan(VScalar a, VScalar b) => Mask(a.Value > b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar IsNaN(VScalar x) => Mask(float.IsNaN(x.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VScalar Select(VScalar mask, VScalar ifTrue, VScalar ifFalse) => Bits(mask) != 0 ? ifTrue : ifFalse;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VScalar Pow2(VScalar n) => FromBits((uint)((int)n.Value + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VScalar Lookup8(Vector256<float> table, VScalar index) => new(table.GetElement((int)index.Value & 7));

    public static float Sum(VScalar x) => x.Value;
    public static float Max(VScalar x) => x.Value;

    private static uint Bits(VScalar v) => BitConverter.SingleToUInt32Bits(v.Value);
    private static VScalar Mask(bool condition) => FromBits(condition ? 0xFFFF_FFFFu : 0u);
}
