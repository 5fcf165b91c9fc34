using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nonlinear.Layers;

/// <summary>
/// The per-row kernels of <see cref="BatchNorm"/>: a row is one channel of one sample (contiguous, H·W values for
/// BatchNorm2d). Each kernel reads its row once from memory (a row of a few thousand floats stays in L1 between the
/// two loops of <see cref="RowMoments"/>), so a training forward is one read for the statistics plus one read and one
/// write for the output, and a backward one read of x and dy for the sums plus one more for dx.
/// </summary>
/// <remarks>
/// Vectorised on <see cref="Vector{T}"/> (256 bits on x86 with AVX2 or AVX-512, 128 on SSE-only x86 and ARM64 NEON;
/// the kernels are memory-bound, so 512-bit vectors would not pay), several accumulators per loop to hide the add
/// latency, multiply then add (never fused), so that a value does not depend on whether the machine has FMA.
/// Within a row sums are taken in float, across rows in double.
/// </remarks>
internal static class BatchNormKernels
{
    /// <summary>Rows shorter than this are summed in scalar double (the vector loops would not fill a register).</summary>
    internal static int ShortRow => 2 * Vector<float>.Count;

    /// <summary>
    /// The mean and the sum of squared deviations M2 = Σ (x − mean)² of one row. Two loops over the row: a float sum
    /// gives a pivot p close to the mean, then Σ (x − p) and Σ (x − p)² give mean = p + Σ(x − p)/n and
    /// M2 = Σ (x − p)² − (Σ (x − p))² / n. x − p is exact when x and p are within a factor 2 of each other (Sterbenz),
    /// so a large common offset (values 10⁴ ± 1) costs no precision, unlike a one-pass Σx² − (Σx)²/n.
    /// </summary>
    public static void RowMoments(ReadOnlySpan<float> x, out double mean, out double m2)
    {
        int n = x.Length;
        if (n < ShortRow)
        {
            double s = 0;
            for (int i = 0; i < n; i++)
            {
                s += x[i];
            }

            mean = n == 0 ? 0 : s / n;
            double q = 0;
            for (int i = 0; i < n; i++)
            {
                double d = x[i] - mean;
                q += d * d;
            }

            m2 = q;
            return;
        }

        float pivot = (float)(Sum(x) / n);
        var p = new Vector<float>(pivot);
        ref float r = ref MemoryMarshal.GetReference(x);
        int w = Vector<float>.Count, i0 = 0;
        Vector<float> s0 = default, s1 = default, q0 = default, q1 = default;
        for (; i0 + 2 * w <= n; i0 += 2 * w)
        {
            var d0 = Load(ref r, i0) - p;
            var d1 = Load(ref r, i0 + w) - p;
            s0 += d0;
            s1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
        }

        double sum = Vector.Sum(s0 + s1), squares = Vector.Sum(q0 + q1);
        for (; i0 < n; i0++)
        {
            double d = x[i0] - pivot;
            sum += d;
            squares += d * d;
        }

        mean = pivot + sum / n;
        m2 = Math.Max(0, squares - sum * sum / n);
    }

    /// <summary>Σ x in float with four accumulators (the row is at least <see cref="ShortRow"/> long).</summary>
    private static double Sum(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        int w = Vector<float>.Count, n = x.Length, i = 0;
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (; i + 4 * w <= n; i += 4 * w)
        {
            a0 += Load(ref r, i);
            a1 += Load(ref r, i + w);
            a2 += Load(ref r, i + 2 * w);
            a3 += Load(ref r, i + 3 * w);
        }

        for (; i + w <= n; i += w)
        {
            a0 += Load(ref r, i);
        }

        double sum = Vector.Sum((a0 + a1) + (a2 + a3));
        for (; i < n; i++)
        {
            sum += x[i];
        }

        return sum;
    }

    /// <summary>
    /// Chan et al.'s pairwise update: merges a block of <paramref name="countB"/> values (mean, M2) into the running
    /// (count, mean, M2), in double.
    /// </summary>
    public static void Merge(ref long count, ref double mean, ref double m2, long countB, double meanB, double m2B)
    {
        long total = count + countB;
        if (total == 0)
        {
            return;
        }

        double delta = meanB - mean;
        mean += delta * countB / total;
        m2 += m2B + delta * delta * ((double)count * countB / total);
        count = total;
    }

    /// <summary>y = (x − mean) · scale + shift (<paramref name="y"/> may be <paramref name="x"/>).</summary>
    public static void Normalise(ReadOnlySpan<float> x, Span<float> y, float mean, float scale, float shift)
    {
        if (y.Length < x.Length)
        {
            throw new ArgumentException("The output row is shorter than the input row.", nameof(y));
        }

        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        var m = new Vector<float>(mean);
        var a = new Vector<float>(scale);
        var b = new Vector<float>(shift);
        int w = Vector<float>.Count, n = x.Length, i = 0;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            var y0 = (Load(ref rx, i) - m) * a + b;
            var y1 = (Load(ref rx, i + w) - m) * a + b;
            Store(y0, ref ry, i);
            Store(y1, ref ry, i + w);
        }

        for (; i + w <= n; i += w)
        {
            Store((Load(ref rx, i) - m) * a + b, ref ry, i);
        }

        for (; i < n; i++)
        {
            y[i] = (x[i] - mean) * scale + shift;
        }
    }

    /// <summary>Σ dy and Σ dy · (x − mean) over one row, in one loop.</summary>
    public static void GradientSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, out double sumDy, out double sumDyCentred)
    {
        if (x.Length < dy.Length)
        {
            throw new ArgumentException("The input row is shorter than the gradient row.", nameof(x));
        }

        ref float rg = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        var m = new Vector<float>(mean);
        int w = Vector<float>.Count, n = dy.Length, i = 0;
        Vector<float> s0 = default, s1 = default, c0 = default, c1 = default;
        for (; i + 2 * w <= n; i += 2 * w)
        {
            var g0 = Load(ref rg, i);
            var g1 = Load(ref rg, i + w);
            s0 += g0;
            s1 += g1;
            c0 += g0 * (Load(ref rx, i) - m);
            c1 += g1 * (Load(ref rx, i + w) - m);
        }

        double s = Vector.Sum(s0 + s1), c = Vector.Sum(c0 + c1);
        for (; i < n; i++)
        {
            s += dy[i];
            c += (double)dy[i] * (x[i] - mean);
        }

        sumDy = s;
        sumDyCentred = c;
    }

    /// <summary>
    /// dx = a · dy + b · (x − mean) + d. With b = 0 the x term is left out entirely, so that an infinite x (after
    /// an evaluation forward, where b is 0) cannot turn into 0 · ∞ = NaN.
    /// </summary>
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, float a, float b, float mean, float d)
    {
        if (x.Length < dy.Length || dx.Length < dy.Length)
        {
            throw new ArgumentException("The rows must be as long as the gradient row.", nameof(dx));
        }

        ref float rg = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rd = ref MemoryMarshal.GetReference(dx);
        var va = new Vector<float>(a);
        var vd = new Vector<float>(d);
        int w = Vector<float>.Count, n = dy.Length, i = 0;
        if (b == 0)
        {
            for (; i + w <= n; i += w)
            {
                Store(va * Load(ref rg, i) + vd, ref rd, i);
            }

            for (; i < n; i++)
            {
                dx[i] = a * dy[i] + d;
            }

            return;
        }

        var vb = new Vector<float>(b);
        var m = new Vector<float>(mean);
        for (; i + w <= n; i += w)
        {
            Store(va * Load(ref rg, i) + (vb * (Load(ref rx, i) - m) + vd), ref rd, i);
        }

        for (; i < n; i++)
        {
            dx[i] = a * dy[i] + (b * (x[i] - mean) + d);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float r, int i) => Vector.LoadUnsafe(ref r, (nuint)i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector<float> v, ref float r, int i) => v.StoreUnsafe(ref r, (nuint)i);
}
