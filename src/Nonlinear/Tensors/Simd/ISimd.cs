namespace Nonlinear.Tensors.Simd;

/// <summary>
/// The few vector operations Nonlinear's kernels are written in, implemented once per width
/// (<see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/>). A kernel is written once, generic over
/// <typeparamref name="TSelf"/>; the JIT specialises it per width, so there is no abstraction cost.
/// </summary>
/// <remarks>
/// Masks are vectors whose lanes are all-ones (true) or all-zeros (false).
/// <see cref="MinNative"/> and <see cref="MaxNative"/> follow x86 MINPS/MAXPS: when either operand is NaN,
/// or both are zeros, the second operand is returned. Kernels rely on this to propagate NaN:
/// <c>MaxNative(lo, x)</c> returns x when x is NaN.
/// </remarks>
internal interface ISimd<TSelf> where TSelf : struct, ISimd<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Load(ref float source);
    static abstract void Store(TSelf value, ref float destination);

    /// <summary>Stores to a vector-aligned address without reading the line into the cache first.</summary>
    static abstract void StoreAlignedNonTemporal(TSelf value, ref float destination);
    static abstract TSelf Create(float value);
    static abstract TSelf FromBits(uint bits);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf operator &(TSelf a, TSelf b);
    static abstract TSelf operator |(TSelf a, TSelf b);

    /// <summary>a * b + c with a single rounding (exact: error-free transformations rely on it).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>
    /// a * b + c, fused where the hardware has an FMA (then the same bits as <see cref="MultiplyAdd"/>), else a
    /// multiply then an add (two roundings), as <c>Vector128.MultiplyAddEstimate</c>. For polynomials and other
    /// sums whose last bit may vary: on x86 without FMA (<see cref="V128"/> under SSE) an exact FMA costs ~20
    /// instructions, which would make every exponential several times slower.
    /// </summary>
    static abstract TSelf MultiplyAddEstimate(TSelf a, TSelf b, TSelf c);
    static abstract TSelf Abs(TSelf x);

    /// <summary>The square root, correctly rounded (IEEE 754), so the same bits as MathF.Sqrt.</summary>
    static abstract TSelf Sqrt(TSelf x);
    static abstract TSelf MinNative(TSelf a, TSelf b);
    static abstract TSelf MaxNative(TSelf a, TSelf b);

    /// <summary>Round to the nearest integer, ties to even.</summary>
    static abstract TSelf Round(TSelf x);
    static abstract TSelf Floor(TSelf x);
    static abstract TSelf Equal(TSelf a, TSelf b);
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf LessThanOrEqual(TSelf a, TSelf b);
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    static abstract TSelf IsNaN(TSelf x);

    /// <summary>Whether any lane of the mask is true.</summary>
    static abstract bool Any(TSelf mask);

    /// <summary>Per lane: mask ? ifTrue : ifFalse.</summary>
    static abstract TSelf Select(TSelf mask, TSelf ifTrue, TSelf ifFalse);

    /// <summary>2^n for lanes holding an integral n in [-126, 127].</summary>
    static abstract TSelf Pow2(TSelf n);

    /// <summary>x 2^n for lanes holding an integral n, rounded once (subnormal results, overflow to inf).</summary>
    /// <remarks>
    /// With AVX-512 (VSCALEFPS) for every x. The portable form (<see cref="V256"/> without AVX-512VL,
    /// <see cref="V128"/>), which scales in steps of at most 2^75, rounds once for |x| in [2^-24, 2^25) (and
    /// keeps 0, ±inf, NaN) whenever the exact result is at least 2^-150 in magnitude; below that it gives 0 or the
    /// smallest subnormal, possibly the wrong one of the two, and smaller or larger x may round twice. The
    /// kernels only scale values near 1 (exponentials: 1 + expm1(r), logarithms' mantissas) or a bounded factor
    /// times one, inside that domain.
    /// </remarks>
    static abstract TSelf ScaleB(TSelf x, TSelf n);

    /// <summary>floor(log2 |x|) as a float, for finite non-zero normal x.</summary>
    static abstract TSelf Exponent(TSelf x);

    /// <summary>Per lane: table[index] from a 16-entry table, for lanes holding an integral index in [0, 15].</summary>
    static abstract TSelf Lookup16(ReadOnlySpan<float> table, TSelf index);

    /// <summary>Sum of all lanes.</summary>
    static abstract float Sum(TSelf x);

    /// <summary>Largest lane (NaN lanes may be ignored).</summary>
    static abstract float Max(TSelf x);
}
