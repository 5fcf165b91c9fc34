using System.Runtime.CompilerServices;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// 16 float partial sums held in one to four vectors of width <typeparamref name="T"/> (lane k of the 16 sums the
/// features whose index is k modulo 16): A0 only at 512 bits, A0–A1 at 256, A0–A3 at 128. The fields a width does
/// not use stay zero.
/// </summary>
/// <typeparam name="T">The vector width.</typeparam>
internal struct Lanes<T> where T : struct, ISimd<T>
{
    /// <summary>Lanes 0 … Count − 1.</summary>
    public T A0;

    /// <summary>The next Count lanes (widths below 512).</summary>
    public T A1;

    /// <summary>Lanes 8–11 (128 bits only).</summary>
    public T A2;

    /// <summary>Lanes 12–15 (128 bits only).</summary>
    public T A3;

    /// <summary>
    /// The sum of the 16 lanes in one fixed order, whatever the width: s[k] + s[k + 8], then + the lane 4 further,
    /// then pairs ((s0 + s2) + (s1 + s3)). <paramref name="scratch"/> holds 16 floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly unsafe float Reduce(float* scratch)
    {
        int n = T.Count;
        T.Store(A0, ref scratch[0]);
        if (n <= 8)
        {
            T.Store(A1, ref scratch[n]);
        }

        if (n == 4)
        {
            T.Store(A2, ref scratch[8]);
            T.Store(A3, ref scratch[12]);
        }

        float s0 = (scratch[0] + scratch[8]) + (scratch[4] + scratch[12]);
        float s1 = (scratch[1] + scratch[9]) + (scratch[5] + scratch[13]);
        float s2 = (scratch[2] + scratch[10]) + (scratch[6] + scratch[14]);
        float s3 = (scratch[3] + scratch[11]) + (scratch[7] + scratch[15]);
        return (s0 + s2) + (s1 + s3);
    }
}
