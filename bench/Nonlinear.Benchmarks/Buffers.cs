using System.Runtime.InteropServices;

namespace Nonlinear.Benchmarks;

/// <summary>
/// A float buffer for the side-by-side run: 64-byte-aligned native memory (what PyTorch's CPU allocator
/// gives), or with <c>--array</c> a pinned float[] (what <see cref="Nonlinear.Tensors.Tensor"/> uses; only
/// 8-byte aligned, so AVX-512 loads may split cache lines).
/// </summary>
internal sealed unsafe class Buffer : IDisposable
{
    private readonly float[]? _array;
    private float* _pointer;

    public Buffer(int length, bool array)
    {
        Length = length;
        if (array)
        {
            _array = GC.AllocateArray<float>(length, pinned: true);
            _pointer = (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
        }
        else
        {
            _pointer = (float*)NativeMemory.AlignedAlloc((nuint)length * sizeof(float), 64);
            new Span<float>(_pointer, length).Clear(); // touch every page before timing
        }
    }

    public int Length { get; }

    public float* Pointer => _pointer;

    /// <summary>Offset of the first element from a 64-byte boundary.</summary>
    public int Misalignment => (int)((nint)_pointer & 63);

    public Span<float> Span(int count) => new(_pointer, count);

    public void Dispose()
    {
        if (_array is null && _pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
        }

        _pointer = null;
    }
}

internal static class Buffers
{
    /// <summary>Standard normal floats (Box-Muller), the distribution of torch.randn; fixed seed.</summary>
    public static void FillNormal(Span<float> values, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        }
    }
}
