using System.Diagnostics;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>The timing and input helpers of the per-layer harnesses (conv-layers, cnn-layers).</summary>
internal static class LayerTiming
{
    /// <summary>
    /// Milliseconds of one call: on one thread, the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID, Linux), which
    /// leaves out the time other processes hold the core; otherwise (and elsewhere) wall-clock time.
    /// </summary>
    public static double Time(Action action)
    {
        if (Engine.MaxThreads == 1 && OperatingSystem.IsLinux())
        {
            double t0 = ThreadCpuMs();
            action();
            return ThreadCpuMs() - t0;
        }

        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>A tensor of <paramref name="shape"/> whose first <paramref name="length"/> values are uniform in [-1, 1).</summary>
    public static Tensor Random(int length, int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < length; i++)
        {
            t.Span[i] = (float)(rng.NextDouble() * 2 - 1);
        }

        return t;
    }

    /// <summary>The calling thread's CPU time in milliseconds (CLOCK_THREAD_CPUTIME_ID; Linux only).</summary>
    public static unsafe double ThreadCpuMs()
    {
        long* ts = stackalloc long[2];
        _ = ClockGetTime(3, ts); // CLOCK_THREAD_CPUTIME_ID
        return ts[0] * 1e3 + ts[1] / 1e6;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int ClockGetTime(int clock, long* timespec);
}
