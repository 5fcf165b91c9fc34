namespace Nonlinear;

/// <summary>Process-wide compute settings.</summary>
public static class Engine
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>
    /// How many threads a kernel may use (default: the number of logical processors). Kernels split work
    /// across threads only above a size threshold, where the split pays for itself. Set 1 for single-threaded.
    /// </summary>
    public static int MaxThreads
    {
        get => _maxThreads;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxThreads = value;
        }
    }
}
