using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// The batches of one epoch of a <see cref="BatchIterator"/>, for <c>foreach</c>. Obtain it from
/// <see cref="BatchIterator.Epoch"/>.
/// </summary>
/// <remarks>
/// A struct that is its own enumerator, so <c>foreach</c> binds to it by pattern and neither it nor the
/// enumerator is ever allocated. Each <see cref="Current"/> holds the iterator's reused buffers: they are
/// overwritten when the loop advances.
/// </remarks>
public struct EpochBatches
{
    private readonly BatchIterator _iterator;
    private readonly int _epoch;
    private int _index;

    internal EpochBatches(BatchIterator iterator, int epoch)
    {
        _iterator = iterator;
        _epoch = epoch;
        _index = -1;
        Current = default;
    }

    /// <summary>The epoch whose batches are produced.</summary>
    public readonly int EpochIndex => _epoch;

    /// <summary>The batch after the last <see cref="MoveNext"/>: features [B, ...] and targets [B, ...].</summary>
    public (Tensor Features, Tensor Targets) Current { readonly get; private set; }

    /// <summary>Returns a fresh copy positioned before the first batch; <c>foreach</c> calls this.</summary>
    public readonly EpochBatches GetEnumerator() => new(_iterator, _epoch);

    /// <summary>Fills the next batch into <see cref="Current"/>; false after the last one.</summary>
    public bool MoveNext()
    {
        if (_iterator is null || _index + 1 >= _iterator.BatchesPerEpoch)
        {
            return false;
        }

        _index++;
        _iterator.Fill(_epoch, _index, out var features, out var targets);
        Current = (features, targets);
        return true;
    }
}
