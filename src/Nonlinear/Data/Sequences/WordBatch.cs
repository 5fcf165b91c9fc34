using Nonlinear.Tensors;

namespace Nonlinear.Data.Sequences;

/// <summary>
/// A padded batch of words for next-character prediction: input ids, target ids and a mask, each [N, T], where
/// T is the longest word of the batch + 1 (so at most the longest word of the list + 1) unless fixed.
/// </summary>
/// <remarks>
/// Row i holds word i's <c>L + 1</c> steps (see <see cref="CharacterVocabulary.Encode"/>) followed by padding:
/// inputs padded with the boundary id (a valid token, so an embedding never sees an out-of-range id), targets
/// padded with <see cref="Padding"/> (-1, like PyTorch's ignore_index), mask 1 on real steps and 0 on padding.
/// Ids are stored as floats, the library's one element type; they are exact integers.
/// </remarks>
public sealed class WordBatch
{
    private readonly string[] _words;
    /// <summary>The target id of a padded step: ignored by a masked loss.</summary>
    public const int Padding = -1;

    /// <summary>Creates a batch of <paramref name="words"/> (each letters a-z only, at least one).</summary>
    /// <param name="words">The words, one per row.</param>
    /// <param name="steps">
    /// The number of steps T; 0 (the default) takes the longest word of the batch + 1. A fixed T (e.g.
    /// <see cref="WordList.MaxSteps"/>) gives every batch the same shape, which a model built for one T needs.
    /// </param>
    /// <exception cref="ArgumentException">There are no words, a word holds a character outside a-z, or a word needs more than <paramref name="steps"/> steps.</exception>
    public WordBatch(IReadOnlyList<string> words, int steps = 0)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one word.", nameof(words));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int n = words.Count, needed = words.Max(w => w.Length) + 1;
        if (steps == 0)
        {
            steps = needed;
        }
        else if (steps < needed)
        {
            throw new ArgumentException($"The word '{words.First(w => w.Length + 1 > steps)}' needs {needed} steps (its letters and the boundary); the batch has {steps}.", nameof(steps));
        }

        _words = new string[n];
        Steps = steps;
        Lengths = new int[n];
        Inputs = new Tensor(n, steps);
        Targets = new Tensor(n, steps);
        Mask = new Tensor(n, steps);
        for (int i = 0; i < n; i++)
        {
            WriteRow(i, words[i]);
        }
    }

    /// <summary>The words of the batch, in row order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The number of words N.</summary>
    public int Count => Lengths.Length;

    /// <summary>The number of steps T: the longest word of the batch + 1, or the fixed number asked for.</summary>
    public int Steps { get; }

    /// <summary>The number of real (unpadded) steps of each row: its word's length + 1.</summary>
    public int[] Lengths { get; }

    /// <summary>Input ids [N, T]: boundary, the letters, then boundary padding.</summary>
    public Tensor Inputs { get; }

    /// <summary>Target ids [N, T]: the letters, the boundary, then <see cref="Padding"/>.</summary>
    public Tensor Targets { get; }

    /// <summary>[N, T]: 1 on real steps, 0 on padding.</summary>
    public Tensor Mask { get; }

    /// <summary>The number of real steps in the batch (the characters a loss averages over).</summary>
    public int RealSteps => Lengths.Sum();

    /// <summary>
    /// Overwrites the batch in place with the words <c>source[indices[i]]</c>, keeping its size and number of steps:
    /// no allocation, so a training loop can reuse one batch (see <see cref="WordList.Batches"/> with reuse).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="indices"/> does not hold <see cref="Count"/> indices, one is outside <paramref name="source"/>,
    /// or a word holds a character outside a-z or needs more than <see cref="Steps"/> steps.
    /// </exception>
    public void Refill(IReadOnlyList<string> source, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (indices.Length != Count)
        {
            throw new ArgumentException($"A batch of {Count} words is refilled with {Count} indices; found {indices.Length}.", nameof(indices));
        }

        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if ((uint)k >= (uint)source.Count)
            {
                throw new ArgumentException($"Index {k} (row {i}) is outside the {source.Count} words.", nameof(indices));
            }

            if (source[k].Length + 1 > Steps)
            {
                throw new ArgumentException($"The word '{source[k]}' needs {source[k].Length + 1} steps (its letters and the boundary); the batch has {Steps}.", nameof(source));
            }
        }

        for (int i = 0; i < indices.Length; i++)
        {
            WriteRow(i, source[indices[i]]);
        }
    }

    private void WriteRow(int i, string word)
    {
        int steps = Steps;
        Span<int> inputs = stackalloc int[steps], targets = stackalloc int[steps];
        CharacterVocabulary.Encode(word, inputs, targets);
        int len = word.Length + 1;
        _words[i] = word;
        Lengths[i] = len;
        var xi = Inputs.Row(i);
        var yi = Targets.Row(i);
        var mi = Mask.Row(i);
        for (int t = 0; t < steps; t++)
        {
            bool real = t < len;
            xi[t] = real ? inputs[t] : CharacterVocabulary.Boundary;
            yi[t] = real ? targets[t] : Padding;
            mi[t] = real ? 1f : 0f;
        }
    }
}
