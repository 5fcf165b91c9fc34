using System.Collections;

namespace Nonlinear.Tensors;

/// <summary>
/// The dimensions of a <see cref="Tensor"/>, outermost first. Batch-first by convention: [N, features] for
/// dense data, [N, C, H, W] for images. Immutable.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>, IReadOnlyList<int>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape; every dimension must be non-negative and the element count must fit in an int.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the element count overflows.</exception>
    public TensorShape(params ReadOnlySpan<int> dims)
    {
        long length = 1;
        foreach (int d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Tensor dimensions must be non-negative; found {d} in [{string.Join(", ", dims.ToArray())}].", nameof(dims));
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"A tensor of shape [{string.Join(", ", dims.ToArray())}] has more elements than an array can hold.", nameof(dims));
            }
        }

        _dims = dims.ToArray();
        Length = (int)length;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Number of elements (the product of the dimensions; 1 for a scalar shape).</summary>
    public int Length { get; }

    /// <summary>Dimension <paramref name="index"/>; negative indices count from the end (-1 is the last).</summary>
    public int this[int index] => _dims is null ? throw new IndexOutOfRangeException() : _dims[index < 0 ? _dims.Length + index : index];

    int IReadOnlyCollection<int>.Count => Rank;

    /// <inheritdoc/>
    public bool Equals(TensorShape other) => ((ReadOnlySpan<int>)(_dims ?? [])).SequenceEqual(other._dims ?? []);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in _dims ?? [])
        {
            h.Add(d);
        }

        return h.ToHashCode();
    }

    /// <summary>Shapes are equal when their dimensions are.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Shapes differ when any dimension does.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>"[2, 3]".</summary>
    public override string ToString() => $"[{string.Join(", ", _dims ?? [])}]";

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_dims ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
