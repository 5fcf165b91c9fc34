using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Cuts a <see cref="Dataset"/> into mini-batches, epoch after epoch, without allocating per batch: every batch
/// is copied into tensors owned by the iterator and reused for every later batch and epoch.
/// </summary>
/// <remarks>
/// <para>
/// Buffers: one features/targets pair of <see cref="BatchSize"/> rows for full batches and, when
/// <c>Count % BatchSize != 0</c>, one smaller pair for the final partial batch, all allocated in the constructor.
/// A returned tensor is overwritten by the next batch of the same size: clone it to keep it.
/// </para>
/// <para>
/// Order: with <c>shuffle</c>, epoch <c>e</c> visits the samples in a permutation that depends only on
/// (seed, e): a Fisher-Yates pass over the identity, driven by a SplitMix64 stream whose state is seeded from
/// both numbers. Epochs can therefore be visited in any order (e.g. resuming at epoch 37 after a checkpoint)
/// and the same seed reproduces the same batches bit for bit. SplitMix64 is used instead of
/// <see cref="Random"/> because it is a value held in a local, so reshuffling at an epoch boundary allocates
/// nothing either. Without <c>shuffle</c> every epoch is in dataset order.
/// </para>
/// <para>
/// API: the primitive is <see cref="Fill"/> (random access, no state beyond the cached permutation of the
/// current epoch); <see cref="Epoch"/> wraps it in a struct enumerable for <c>foreach</c>. A C# <c>yield</c>
/// iterator is deliberately not used: it allocates an enumerator object per epoch and, returned as
/// <see cref="IEnumerable{T}"/>, boxes on every <c>foreach</c>. Not thread-safe.
/// </para>
/// </remarks>
/// <example><code>
/// var batches = new BatchIterator(train, batchSize: 32, shuffle: true, seed: 1);
/// for (int epoch = 0; epoch &lt; 100; epoch++)
/// {
///     foreach (var (x, y) in batches.Epoch(epoch)) { /* forward, backward, step */ }
/// }
/// </code></example>
public sealed class BatchIterator
{
    private readonly int[] _order;
    private readonly Tensor? _fullFeatures;
    private readonly Tensor? _fullTargets;
    private readonly Tensor? _lastFeatures;
    private readonly Tensor? _lastTargets;
    private int _orderEpoch = -1;

    /// <summary>Prepares batches of <paramref name="batchSize"/> samples of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples; read, never modified.</param>
    /// <param name="batchSize">Rows per batch (the last batch of an epoch may be smaller); at least 1.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a fresh seeded permutation.</param>
    /// <param name="seed">Seeds the permutations; ignored without <paramref name="shuffle"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public BatchIterator(Dataset dataset, int batchSize, bool shuffle, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;

        int n = dataset.Count;
        _order = new int[n];
        for (int i = 0; i < n; i++)
        {
            _order[i] = i;
        }

        int full = n / batchSize, rest = n % batchSize;
        BatchesPerEpoch = full + (rest > 0 ? 1 : 0);
        if (full > 0)
        {
            (_fullFeatures, _fullTargets) = (Buffer(dataset.Features, batchSize), Buffer(dataset.Targets, batchSize));
        }

        if (rest > 0)
        {
            (_lastFeatures, _lastTargets) = (Buffer(dataset.Features, rest), Buffer(dataset.Targets, rest));
        }
    }

    /// <summary>The dataset being iterated.</summary>
    public Dataset Dataset { get; }

    /// <summary>Rows per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch uses a fresh seeded permutation.</summary>
    public bool Shuffle { get; }

    /// <summary>The seed of the permutations.</summary>
    public int Seed { get; }

    /// <summary>ceil(Count / BatchSize): the full batches plus a partial one when the size does not divide.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>
    /// Copies batch <paramref name="batchIndex"/> of epoch <paramref name="epoch"/> into the iterator's buffers
    /// and returns them. They stay valid until the next call that returns a batch of the same size.
    /// </summary>
    /// <remarks>Changing epoch recomputes the permutation (O(N), no allocation); calls within one epoch are O(batch).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative or <paramref name="batchIndex"/> is outside [0, BatchesPerEpoch).</exception>
    public void Fill(int epoch, int batchIndex, out Tensor features, out Tensor targets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if ((uint)batchIndex >= (uint)BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(batchIndex), batchIndex, $"Batch index must be in [0, {BatchesPerEpoch}).");
        }

        if (Shuffle && epoch != _orderEpoch)
        {
            Permute(epoch);
        }

        int start = batchIndex * BatchSize;
        int rows = Math.Min(BatchSize, _order.Length - start);
        bool full = rows == BatchSize;
        features = full ? _fullFeatures! : _lastFeatures!;
        targets = full ? _fullTargets! : _lastTargets!;

        int fl = Dataset.Features.SampleLength, tl = Dataset.Targets.SampleLength;
        ReadOnlySpan<float> srcF = Dataset.Features.Span, srcT = Dataset.Targets.Span;
        Span<float> dstF = features.Span, dstT = targets.Span;
        for (int r = 0; r < rows; r++)
        {
            int k = _order[start + r];
            srcF.Slice(k * fl, fl).CopyTo(dstF.Slice(r * fl, fl));
            srcT.Slice(k * tl, tl).CopyTo(dstT.Slice(r * tl, tl));
        }
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>, for <c>foreach</c>; a struct, so iterating allocates nothing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public EpochBatches Epoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return new EpochBatches(this, epoch);
    }

    private static Tensor Buffer(Tensor source, int rows)
    {
        var dims = ((IEnumerable<int>)source.Shape).ToArray();
        dims[0] = rows;
        return new Tensor(dims);
    }

    private void Permute(int epoch)
    {
        // Restart from the identity so the permutation is a function of (seed, epoch) alone, not of which
        // epochs were visited before.
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        ulong state = ((ulong)(uint)Seed << 32) | (uint)epoch;
        for (int i = _order.Length - 1; i > 0; i--)
        {
            // Lemire's multiply-shift maps 32 random bits onto [0, i]; its bias (< i / 2^32) is irrelevant for shuffling.
            int j = (int)(((NextSplitMix64(ref state) >> 32) * (ulong)(i + 1)) >> 32);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        _orderEpoch = epoch;
    }

    private static ulong NextSplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
