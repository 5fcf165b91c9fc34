namespace Nonlinear.Tensors;

/// <summary>
/// Max pooling over planes [H, W] (one per sample and channel), with square windows and no padding:
/// y[y0, x0] = max over the window at (y0·s, x0·s) of size k, and the position of that maximum, which the
/// backward pass routes the gradient to.
/// </summary>
/// <remarks>
/// Ties go to the first position in row-major window order and NaN wins (a NaN input gives a NaN output), as in
/// PyTorch's CPU kernel. Planes are split over the worker team when there are enough of them.
/// </remarks>
internal static unsafe class Pooling
{
    /// <summary>Below this many input elements the work is not split.</summary>
    private const int ParallelElements = 1 << 16;

    /// <summary>
    /// Pools <paramref name="planes"/> planes of x [planes, h, w] into y [planes, outH, outW]; <paramref name="argmax"/>
    /// [planes, outH, outW] receives each maximum's index within its input plane (row·w + column).
    /// </summary>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int planes, int h, int w, int k, int stride, int outH, int outW)
    {
        Check(x.Length, (long)planes * h * w, "input");
        Check(y.Length, (long)planes * outH * outW, "output");
        Check(argmax.Length, (long)planes * outH * outW, "argmax");
        fixed (float* px = x, py = y)
        fixed (int* pi = argmax)
        {
            int parts = Parts(x.Length, planes);
            WorkerPool.Run(parts, PoolJob.Get(px, py, pi, planes, h, w, k, stride, outH, outW, parts, forward: true));
        }
    }

    /// <summary>dx = 0, then dx[plane, argmax] += dy for every output (adds where windows overlap).</summary>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, int planes, int h, int w, int outH, int outW)
    {
        Check(dx.Length, (long)planes * h * w, "input gradient");
        Check(dy.Length, (long)planes * outH * outW, "output gradient");
        Check(argmax.Length, (long)planes * outH * outW, "argmax");
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = argmax)
        {
            int parts = Parts(dx.Length, planes);
            WorkerPool.Run(parts, PoolJob.Get(pdx, pdy, pi, planes, h, w, 0, 0, outH, outW, parts, forward: false));
        }
    }

    private static int Parts(int elements, int planes) => elements < ParallelElements ? 1 : Math.Min(Engine.MaxThreads, planes);

    private static void Check(int length, long expected, string name)
    {
        if (length != expected)
        {
            throw new ArgumentException($"The pooling {name} must hold {expected} floats; found {length}.");
        }
    }

    private static void Forward(float* x, float* y, int* argmax, int first, int last, int h, int w, int k, int stride, int outH, int outW)
    {
        for (int p = first; p < last; p++)
        {
            float* plane = x + (long)p * h * w;
            float* o = y + (long)p * outH * outW;
            int* a = argmax + (long)p * outH * outW;
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    int top = oy * stride, left = ox * stride;
                    int best = top * w + left;
                    float max = float.NegativeInfinity;
                    for (int i = 0; i < k; i++)
                    {
                        float* row = plane + (top + i) * w;
                        for (int j = 0; j < k; j++)
                        {
                            float v = row[left + j];
                            if (v > max || float.IsNaN(v))
                            {
                                max = v;
                                best = (top + i) * w + left + j;
                            }
                        }
                    }

                    o[oy * outW + ox] = max;
                    a[oy * outW + ox] = best;
                }
            }
        }
    }

    private static void Backward(float* dx, float* dy, int* argmax, int first, int last, int h, int w, int outH, int outW)
    {
        int plane = h * w, outPlane = outH * outW;
        new Span<float>(dx + (long)first * plane, (last - first) * plane).Clear();
        for (int p = first; p < last; p++)
        {
            float* d = dx + (long)p * plane;
            float* g = dy + (long)p * outPlane;
            int* a = argmax + (long)p * outPlane;
            for (int i = 0; i < outPlane; i++)
            {
                d[a[i]] += g[i];
            }
        }
    }

    /// <summary>One reusable job per calling thread: the parallel path allocates nothing per call.</summary>
    private sealed class PoolJob : IParallelJob
    {
        [ThreadStatic]
        private static PoolJob? _cached;

        private float* _a, _b;
        private int* _argmax;
        private int _planes, _h, _w, _k, _stride, _outH, _outW, _parts;
        private bool _forward;

        /// <summary>Forward: a = x, b = y. Backward: a = dx, b = dy.</summary>
        public static PoolJob Get(float* a, float* b, int* argmax, int planes, int h, int w, int k, int stride, int outH, int outW, int parts, bool forward)
        {
            var job = _cached ??= new PoolJob();
            job._a = a;
            job._b = b;
            job._argmax = argmax;
            (job._planes, job._h, job._w, job._k, job._stride, job._outH, job._outW, job._forward) = (planes, h, w, k, stride, outH, outW, forward);
            job._parts = parts;
            return job;
        }

        public void Execute(int part)
        {
            int per = (_planes + _parts - 1) / _parts;
            int first = Math.Min(_planes, part * per), last = Math.Min(_planes, first + per);
            if (_forward)
            {
                Forward(_a, _b, _argmax, first, last, _h, _w, _k, _stride, _outH, _outW);
            }
            else
            {
                Backward(_a, _b, _argmax, first, last, _h, _w, _outH, _outW);
            }
        }
    }
}
