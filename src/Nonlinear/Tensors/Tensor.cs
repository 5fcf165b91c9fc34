namespace Nonlinear.Tensors;

/// <summary>
/// A dense float32 tensor: a shape and contiguous row-major storage. Batch-first: [N, features] for dense
/// data, [N, C, H, W] for images; the last dimension varies fastest.
/// </summary>
/// <remarks>
/// Storage is a plain array that is never reallocated, so kernels work on <see cref="Span"/> without copying
/// or allocating. <see cref="Reshape"/> returns a view that shares the storage.
/// </remarks>
/// <example><code>
/// var x = new Tensor(2, 3);          // zeros, shape [2, 3]
/// x[1, 2] = 5f;
/// Span&lt;float&gt; row = x.Row(1);    // the 3 features of sample 1
/// </code></example>
public sealed class Tensor
{
    private readonly float[] _data;

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public Tensor(params ReadOnlySpan<int> shape)
        : this(new TensorShape(shape))
    {
    }

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public Tensor(TensorShape shape)
    {
        Shape = shape;
        _data = new float[shape.Length];
    }

    private Tensor(float[] data, TensorShape shape)
    {
        Shape = shape;
        _data = data;
    }

    /// <summary>The dimensions, outermost first.</summary>
    public TensorShape Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>All elements, row-major.</summary>
    public Span<float> Span => _data.AsSpan(0, Shape.Length);

    /// <summary>The number of samples: the first dimension.</summary>
    public int BatchSize => Shape[0];

    /// <summary>Elements per sample: the product of all dimensions but the first.</summary>
    public int SampleLength => Shape.Rank == 0 ? 1 : Shape[0] == 0 ? 0 : Shape.Length / Shape[0];

    /// <summary>Wraps <paramref name="data"/> without copying; its length must equal the shape's element count.</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = new TensorShape(shape);
        if (s.Length != data.Length)
        {
            throw new ArgumentException($"Shape {s} needs {s.Length} elements; the array has {data.Length}.", nameof(data));
        }

        return new Tensor(data, s);
    }

    /// <summary>A view with another shape over the same storage (same element count).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        var s = new TensorShape(shape);
        if (s.Length != Length)
        {
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {s} ({s.Length} elements).", nameof(shape));
        }

        return new Tensor(_data, s);
    }

    /// <summary>The elements of sample <paramref name="index"/> (a slice of the first dimension).</summary>
    public Span<float> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BatchSize);
        int n = SampleLength;
        return _data.AsSpan(index * n, n);
    }

    /// <summary>Element at [i, j] of a rank-2 tensor.</summary>
    public float this[int i, int j]
    {
        get => _data[Offset(i, j)];
        set => _data[Offset(i, j)] = value;
    }

    /// <summary>Element at the given indices (one per dimension).</summary>
    public float this[params int[] indices]
    {
        get => _data[Offset(indices)];
        set => _data[Offset(indices)] = value;
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])_data.Clone(), Shape);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>"Tensor[2, 3]".</summary>
    public override string ToString() => $"Tensor{Shape}";

    private int Offset(int i, int j)
    {
        if (Rank != 2)
        {
            throw new InvalidOperationException($"Two indices given for a tensor of rank {Rank} {Shape}.");
        }

        if ((uint)i >= (uint)Shape[0] || (uint)j >= (uint)Shape[1])
        {
            throw new IndexOutOfRangeException($"Index [{i}, {j}] is outside shape {Shape}.");
        }

        return i * Shape[1] + j;
    }

    private int Offset(int[] indices)
    {
        if (indices.Length != Rank)
        {
            throw new InvalidOperationException($"{indices.Length} indices given for a tensor of rank {Rank} {Shape}.");
        }

        int offset = 0;
        for (int d = 0; d < indices.Length; d++)
        {
            if ((uint)indices[d] >= (uint)Shape[d])
            {
                throw new IndexOutOfRangeException($"Index [{string.Join(", ", indices)}] is outside shape {Shape}.");
            }

            offset = offset * Shape[d] + indices[d];
        }

        return offset;
    }
}
