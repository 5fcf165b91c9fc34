using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Nonlinear.Tensors.Simd;

namespace Nonlinear.Optimizers;

/// <summary>
/// The vector loops of the SGD and Adam updates, written once over <see cref="ISimd{TSelf}"/> and run at
/// <see cref="Elementwise.Width"/> (512, 256 or 128 bits). Each does the same operations in the same order as its
/// optimizer's scalar loop (no fused multiply-adds; division and square root are correctly rounded everywhere), so
/// every element gets the same bits whichever loop, and whichever width, handles it: only faster. Each returns how
/// many leading elements it updated; the optimizer's scalar loop does the rest.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>Whether the vector loops run (tests switch them off to compare with the scalar loops).</summary>
    internal static bool UseVector { get; set; } = true;

    /// <summary>Vectors pay where the hardware has them; with no SIMD at all the scalar loops are faster.</summary>
    private static bool Vectorised => UseVector && Vector128.IsHardwareAccelerated;

    /// <summary>p -= lr (scale g + wd p).</summary>
    public static int SgdPlain(Span<float> p, ReadOnlySpan<float> grad, float lr, float wd, float scale)
    {
        if (!Vectorised)
        {
            return 0;
        }

        return Elementwise.Width switch
        {
            512 => SgdPlain<V512>(p, grad, lr, wd, scale),
            256 => SgdPlain<V256>(p, grad, lr, wd, scale),
            _ => SgdPlain<V128>(p, grad, lr, wd, scale),
        };
    }

    /// <summary>g = scale grad + wd p; b = first ? g : mu b + g; p -= lr (nesterov ? g + mu b : b).</summary>
    public static int SgdMomentum(Span<float> p, ReadOnlySpan<float> grad, Span<float> buffer, float lr, float wd, float mu, float scale, bool firstStep, bool nesterov)
    {
        if (!Vectorised)
        {
            return 0;
        }

        return Elementwise.Width switch
        {
            512 => SgdMomentum<V512>(p, grad, buffer, lr, wd, mu, scale, firstStep, nesterov),
            256 => SgdMomentum<V256>(p, grad, buffer, lr, wd, mu, scale, firstStep, nesterov),
            _ => SgdMomentum<V128>(p, grad, buffer, lr, wd, mu, scale, firstStep, nesterov),
        };
    }

    /// <summary>
    /// g = scale grad + wd p; m = b1 m + c1 g; v = b2 v + c2 g g; p -= step m / (sqrt(v) / correction + eps).
    /// </summary>
    public static int Adam(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamConstants k)
    {
        if (!Vectorised)
        {
            return 0;
        }

        return Elementwise.Width switch
        {
            512 => Adam<V512>(p, grad, m, v, k),
            256 => Adam<V256>(p, grad, m, v, k),
            _ => Adam<V128>(p, grad, m, v, k),
        };
    }

    private static int SgdPlain<T>(Span<float> p, ReadOnlySpan<float> grad, float lr, float wd, float scale) where T : struct, ISimd<T>
    {
        var vlr = T.Create(lr);
        var vwd = T.Create(wd);
        var vscale = T.Create(scale);
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        int i = 0, w = T.Count;
        for (; i <= p.Length - w; i += w)
        {
            var pv = T.Load(ref Unsafe.Add(ref pr, i));
            T.Store(pv - (vlr * ((vscale * T.Load(ref Unsafe.Add(ref gr, i))) + (vwd * pv))), ref Unsafe.Add(ref pr, i));
        }

        return i;
    }

    private static int SgdMomentum<T>(Span<float> p, ReadOnlySpan<float> grad, Span<float> buffer, float lr, float wd, float mu, float scale, bool firstStep, bool nesterov)
        where T : struct, ISimd<T>
    {
        var vlr = T.Create(lr);
        var vwd = T.Create(wd);
        var vmu = T.Create(mu);
        var vscale = T.Create(scale);
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float br = ref MemoryMarshal.GetReference(buffer);
        int i = 0, w = T.Count;
        for (; i <= p.Length - w; i += w)
        {
            var pv = T.Load(ref Unsafe.Add(ref pr, i));
            var g = (vscale * T.Load(ref Unsafe.Add(ref gr, i))) + (vwd * pv);
            var b = firstStep ? g : (vmu * T.Load(ref Unsafe.Add(ref br, i))) + g;
            T.Store(b, ref Unsafe.Add(ref br, i));
            T.Store(pv - (vlr * (nesterov ? g + (vmu * b) : b)), ref Unsafe.Add(ref pr, i));
        }

        return i;
    }

    private static int Adam<T>(Span<float> p, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, in AdamConstants k) where T : struct, ISimd<T>
    {
        var vb1 = T.Create(k.Beta1);
        var vb2 = T.Create(k.Beta2);
        var vc1 = T.Create(k.OneMinusBeta1);
        var vc2 = T.Create(k.OneMinusBeta2);
        var vwd = T.Create(k.WeightDecay);
        var vscale = T.Create(k.GradientScale);
        var vstep = T.Create(k.StepSize);
        var vcorrection = T.Create(k.Correction2);
        var veps = T.Create(k.Epsilon);
        ref float pr = ref MemoryMarshal.GetReference(p);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        int i = 0, w = T.Count;
        for (; i <= p.Length - w; i += w)
        {
            var pv = T.Load(ref Unsafe.Add(ref pr, i));
            var g = (vscale * T.Load(ref Unsafe.Add(ref gr, i))) + (vwd * pv);
            var mi = (vb1 * T.Load(ref Unsafe.Add(ref mr, i))) + (vc1 * g);
            var vi = (vb2 * T.Load(ref Unsafe.Add(ref vr, i))) + (vc2 * g * g);
            T.Store(mi, ref Unsafe.Add(ref mr, i));
            T.Store(vi, ref Unsafe.Add(ref vr, i));
            T.Store(pv - (vstep * mi / ((T.Sqrt(vi) / vcorrection) + veps)), ref Unsafe.Add(ref pr, i));
        }

        return i;
    }
}
