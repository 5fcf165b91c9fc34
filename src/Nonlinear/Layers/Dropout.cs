using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nonlinear.Tensors;
using Nonlinear.Tensors.Simd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers;

/// <summary>
/// Inverted dropout: in training, y = x · m / (1 − p) with m ~ Bernoulli(1 − p) drawn afresh for every element of
/// every batch; in evaluation, y = x.
/// </summary>
/// <remarks>
/// Shapes: output = input (any rank). Scaling the kept activations at training time (PyTorch's convention) keeps
/// their expected value, so evaluation needs no correction. Backward uses the mask of the forward pass it follows:
/// dx = dy · m / (1 − p) (dx = dy after an evaluation forward). The masks come from a SplitMix64 generator seeded
/// from the model's initialisation generator at build time: the same model seed gives the same masks, batch
/// after batch. No parameters.
/// </remarks>
/// <example><c>new Dropout(0.25)</c> or the spec token <c>dropout:0.25</c>.</example>
public sealed class Dropout : Layer
{
    private Tensor? _mask;
    private ulong _state;
    private bool _masked;

    /// <summary>Drops each element with probability <paramref name="rate"/>, in [0, 1).</summary>
    public Dropout(double rate)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        }

        Rate = rate;
    }

    /// <summary>The probability p that an element is zeroed during training.</summary>
    public double Rate { get; }

    /// <summary>
    /// The mask generator's state (SplitMix64's counter): the next batch's masks follow from it alone, so a checkpoint
    /// saves and restores it to resume with the same masks.
    /// </summary>
    internal ulong GeneratorState
    {
        get => _state;
        set => _state = value;
    }

    /// <inheritdoc/>
    public override string Spec => $"dropout:{Rate.ToString("R", CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        _state = (ulong)random.NextInt64();
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _masked = training && Rate > 0;
        if (!_masked)
        {
            input.Span.CopyTo(output.Span);
            return;
        }

        var mask = Buffer(ref _mask, input.BatchSize, InputShape).Span;
        float scale = (float)(1 / (1 - Rate));
        uint threshold = (uint)Math.Min(Math.Round(Rate * 4294967296.0), uint.MaxValue);
        ReadOnlySpan<float> x = input.Span;
        var y = output.Span;
        ulong state = _state;
        int i = 0;
        if (UseVector)
        {
            i = VectorWidth switch
            {
                512 => MaskVector(x, y, mask, ref state, threshold, scale),
                256 => MaskVector256(x, y, mask, ref state, threshold, scale),
                128 => MaskVector128(x, y, mask, ref state, threshold, scale),
                _ => 0,
            };
        }

        for (; i + 2 <= mask.Length; i += 2)
        {
            ulong r = SplitMix(ref state);
            mask[i] = Keep((uint)r, threshold, scale);
            mask[i + 1] = Keep((uint)(r >> 32), threshold, scale);
            y[i] = x[i] * mask[i];
            y[i + 1] = x[i + 1] * mask[i + 1];
        }

        if (i < mask.Length)
        {
            mask[i] = Keep((uint)SplitMix(ref state), threshold, scale);
            y[i] = x[i] * mask[i];
        }

        _state = state;
    }

    /// <summary>Whether masks are drawn by a vector loop (tests switch it off to compare with the scalar path).</summary>
    internal static bool UseVector { get; set; } = true;

    /// <summary>
    /// The vector loop's width: <see cref="Elementwise.Width"/> where the hardware has the instructions it needs
    /// (512: AVX-512 DQ's 64-bit multiply; 256: AVX2), else the next narrower; 128 wherever Vector128 is
    /// accelerated (SSE2's 32x32-bit multiplies on x86); 0 (scalar) with no SIMD.
    /// </summary>
    private static int VectorWidth
        => Elementwise.Width == 512 && Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported ? 512
        : Elementwise.Width >= 256 && Avx2.IsSupported ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>
    /// The masks of whole 16-element chunks, and y = x · m, with AVX-512; returns how many elements were done and
    /// advances <paramref name="state"/> past the draws used. SplitMix64 is counter-based (draw j mixes
    /// state + (j + 1)·γ), so 8 lanes compute 8 consecutive draws exactly as the scalar loop does, and a draw's two
    /// 32-bit halves, low then high, lie in memory order when the 64-bit lanes are read as 32-bit ones: the same
    /// masks bit for bit.
    /// </summary>
    /// <remarks>
    /// Why SIMD: the scalar loop mispredicts its keep-or-drop branch on half the elements at rate 0.5 (1.9 ms for
    /// a [128, 1600] batch under load); the vector form has no branch, and multiplies x by the mask in the same pass.
    /// 64-bit lane multiplies need AVX-512 DQ.
    /// </remarks>
    private static int MaskVector(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, ref ulong state, uint threshold, float scale)
    {
        int chunks = mask.Length / 16;
        var counter = Vector512.Create(state) + Vector512.Create(1UL, 2, 3, 4, 5, 6, 7, 8) * Vector512.Create(Gamma);
        var step = Vector512.Create(unchecked(8 * Gamma));
        var limit = Vector512.Create(threshold);
        var kept = Vector512.Create(scale);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pm = ref MemoryMarshal.GetReference(mask);
        for (int c = 0; c < chunks; c++)
        {
            var z = counter;
            z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
            z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
            z ^= Vector512.ShiftRightLogical(z, 31);
            var m = Vector512.ConditionalSelect(Vector512.LessThan(z.AsUInt32(), limit).AsSingle(), Vector512<float>.Zero, kept);
            nuint at = (nuint)(c * 16);
            m.StoreUnsafe(ref pm, at);
            (Vector512.LoadUnsafe(ref px, at) * m).StoreUnsafe(ref py, at);
            counter += step;
        }

        state += (ulong)chunks * 8 * Gamma;
        return chunks * 16;
    }

    /// <summary>
    /// <see cref="MaskVector"/> on 256-bit vectors (4 draws, 8 masks a step). AVX2 has no 64-bit lane multiply:
    /// the low 64 bits of each product are formed from 32x32-bit ones (<see cref="MultiplyLow(Vector256{ulong}, ulong)"/>).
    /// </summary>
    private static int MaskVector256(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, ref ulong state, uint threshold, float scale)
    {
        int chunks = mask.Length / 8;
        var counter = Vector256.Create(state) + Vector256.Create(1UL * Gamma, unchecked(2 * Gamma), unchecked(3 * Gamma), unchecked(4 * Gamma));
        var step = Vector256.Create(unchecked(4 * Gamma));
        var limit = Vector256.Create(threshold);
        var kept = Vector256.Create(scale);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pm = ref MemoryMarshal.GetReference(mask);
        for (int c = 0; c < chunks; c++)
        {
            var z = counter;
            z = MultiplyLow(z ^ Vector256.ShiftRightLogical(z, 30), 0xBF58476D1CE4E5B9UL);
            z = MultiplyLow(z ^ Vector256.ShiftRightLogical(z, 27), 0x94D049BB133111EBUL);
            z ^= Vector256.ShiftRightLogical(z, 31);
            var m = Vector256.ConditionalSelect(Vector256.LessThan(z.AsUInt32(), limit).AsSingle(), Vector256<float>.Zero, kept);
            nuint at = (nuint)(c * 8);
            m.StoreUnsafe(ref pm, at);
            (Vector256.LoadUnsafe(ref px, at) * m).StoreUnsafe(ref py, at);
            counter += step;
        }

        state += (ulong)chunks * 4 * Gamma;
        return chunks * 8;
    }

    /// <summary><see cref="MaskVector"/> on 128-bit vectors (2 draws, 4 masks a step): SSE2 or NEON.</summary>
    private static int MaskVector128(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, ref ulong state, uint threshold, float scale)
    {
        int chunks = mask.Length / 4;
        var counter = Vector128.Create(state) + Vector128.Create(Gamma, unchecked(2 * Gamma));
        var step = Vector128.Create(unchecked(2 * Gamma));
        var limit = Vector128.Create(threshold);
        var kept = Vector128.Create(scale);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pm = ref MemoryMarshal.GetReference(mask);
        for (int c = 0; c < chunks; c++)
        {
            var z = counter;
            z = MultiplyLow(z ^ Vector128.ShiftRightLogical(z, 30), 0xBF58476D1CE4E5B9UL);
            z = MultiplyLow(z ^ Vector128.ShiftRightLogical(z, 27), 0x94D049BB133111EBUL);
            z ^= Vector128.ShiftRightLogical(z, 31);
            var m = Vector128.ConditionalSelect(Vector128.LessThan(z.AsUInt32(), limit).AsSingle(), Vector128<float>.Zero, kept);
            nuint at = (nuint)(c * 4);
            m.StoreUnsafe(ref pm, at);
            (Vector128.LoadUnsafe(ref px, at) * m).StoreUnsafe(ref py, at);
            counter += step;
        }

        state += (ulong)chunks * 2 * Gamma;
        return chunks * 4;
    }

    /// <summary>
    /// The low 64 bits of a b per lane, from 32x32-bit multiplies (VPMULUDQ):
    /// a_lo b_lo + ((a_hi b_lo + a_lo b_hi) &lt;&lt; 32); the a_hi b_hi term only reaches bits 64 and up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> MultiplyLow(Vector256<ulong> a, ulong b)
    {
        var bv = Vector256.Create(b).AsUInt32();
        var bh = Vector256.Create(b >> 32).AsUInt32();
        var cross = Avx2.Multiply(Vector256.ShiftRightLogical(a, 32).AsUInt32(), bv) + Avx2.Multiply(a.AsUInt32(), bh);
        return Avx2.Multiply(a.AsUInt32(), bv) + Vector256.ShiftLeft(cross, 32);
    }

    /// <summary>As the 256-bit <see cref="MultiplyLow(Vector256{ulong}, ulong)"/> with SSE2's PMULUDQ; elsewhere (NEON) the portable multiply.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> MultiplyLow(Vector128<ulong> a, ulong b)
    {
        if (!Sse2.IsSupported)
        {
            return a * Vector128.Create(b);
        }

        var bv = Vector128.Create(b).AsUInt32();
        var bh = Vector128.Create(b >> 32).AsUInt32();
        var cross = Sse2.Multiply(Vector128.ShiftRightLogical(a, 32).AsUInt32(), bv) + Sse2.Multiply(a.AsUInt32(), bh);
        return Sse2.Multiply(a.AsUInt32(), bv) + Vector128.ShiftLeft(cross, 32);
    }

    private static float Keep(uint draw, uint threshold, float scale) => draw < threshold ? 0f : scale;

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (inputGradient is null)
        {
            return;
        }

        if (_masked)
        {
            TensorPrimitives.Multiply(outputGradient.Span, _mask!.Span, inputGradient.Span);
        }
        else
        {
            outputGradient.Span.CopyTo(inputGradient.Span);
        }
    }

    /// <summary>SplitMix64's increment γ.</summary>
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014): 64 well-mixed bits per step, two masks' worth.</summary>
    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += Gamma;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
