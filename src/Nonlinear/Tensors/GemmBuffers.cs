namespace Nonlinear.Tensors;

/// <summary>
/// Per-thread packing buffers of the blocked GEMM: pinned, 64-byte aligned, grown on demand and then reused, so
/// steady-state products allocate nothing (worker threads are persistent, so theirs live as long as the team).
/// </summary>
internal sealed unsafe class GemmBuffers
{
    [ThreadStatic]
    private static GemmBuffers? _current;

    private float[]? _a, _b, _shared;
    private float* _alignedA, _alignedB, _alignedShared;

    public static GemmBuffers ForThisThread => _current ??= new GemmBuffers();

    /// <summary>Room for at least <paramref name="floats"/> floats of packed A (contents undefined).</summary>
    public float* A(long floats) => Ensure(ref _a, ref _alignedA, floats);

    /// <summary>Room for at least <paramref name="floats"/> floats of packed B (contents undefined).</summary>
    public float* B(long floats) => Ensure(ref _b, ref _alignedB, floats);

    /// <summary>
    /// Room for all of op(B) packed once and read by every thread of a row-split product (the calling thread's buffer;
    /// contents undefined; separate from <see cref="B"/>, which the calling thread's own part may use meanwhile).
    /// </summary>
    public float* Shared(long floats) => Ensure(ref _shared, ref _alignedShared, floats);

    private static float* Ensure(ref float[]? array, ref float* aligned, long floats)
    {
        if (array is null || array.Length - 16 < floats)
        {
            // Pinned (allocated on the pinned object heap), so the aligned pointer stays valid for the array's life.
            array = GC.AllocateUninitializedArray<float>((int)Math.Max(floats, 4096) + 16, pinned: true);
            fixed (float* p = array)
            {
                aligned = (float*)(((nint)p + 63) & ~(nint)63);
            }
        }

        return aligned;
    }
}
