namespace Nonlinear.Data.Sequences;

/// <summary>
/// The 27 symbols of the character-level word model: the word boundary (id 0) and the letters a-z (ids 1-26).
/// </summary>
/// <remarks>
/// A word w of length L becomes L + 1 steps of next-character prediction: the inputs are the boundary followed by
/// the L letters, the targets are the L letters followed by the boundary (the model learns where words end). For
/// "cat": inputs [0, 3, 1, 20] ("^cat"), targets [3, 1, 20, 0] ("cat^").
/// </remarks>
public static class CharacterVocabulary
{
    /// <summary>The number of symbols: 26 letters and the word boundary.</summary>
    public const int SymbolCount = 27;

    /// <summary>The id of the word boundary (start and end of a word).</summary>
    public const int Boundary = 0;

    /// <summary>How the boundary is written by <see cref="Decode"/> and <see cref="SymbolName"/>.</summary>
    public const char BoundaryCharacter = '^';

    /// <summary>The id of a letter a-z: 'a' is 1, 'z' is 26.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The character is not a lower-case ASCII letter.</exception>
    public static int Id(char letter) => letter is >= 'a' and <= 'z'
        ? letter - 'a' + 1
        : throw new ArgumentOutOfRangeException(nameof(letter), letter, $"Only the letters a-z have ids; '{letter}' (U+{(int)letter:X4}) is not one.");

    /// <summary>The character of a symbol id: '^' for the boundary, else 'a'..'z'.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is not in 0..26.</exception>
    public static char SymbolName(int id) => id switch
    {
        Boundary => BoundaryCharacter,
        >= 1 and < SymbolCount => (char)('a' + id - 1),
        _ => throw new ArgumentOutOfRangeException(nameof(id), id, $"Symbol ids are 0..{SymbolCount - 1}; {id} is not one."),
    };

    /// <summary>
    /// Writes the next-character inputs (boundary, then the letters) and targets (the letters, then the boundary)
    /// of <paramref name="word"/>, <c>word.Length + 1</c> ids each.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than <c>word.Length + 1</c>, or the word holds a character outside a-z.</exception>
    public static void Encode(ReadOnlySpan<char> word, Span<int> inputs, Span<int> targets)
    {
        int steps = word.Length + 1;
        if (inputs.Length < steps || targets.Length < steps)
        {
            throw new ArgumentException($"Encoding a word of {word.Length} letters needs {steps} steps; the spans hold {inputs.Length} and {targets.Length}.");
        }

        inputs[0] = Boundary;
        for (int i = 0; i < word.Length; i++)
        {
            if (word[i] is < 'a' or > 'z')
            {
                throw new ArgumentException($"The word '{word}' holds '{word[i]}' at position {i}; only the letters a-z can be encoded.", nameof(word));
            }

            int id = word[i] - 'a' + 1;
            inputs[i + 1] = id;
            targets[i] = id;
        }

        targets[word.Length] = Boundary;
    }

    /// <summary>
    /// The word spelled by target ids: the letters up to the first boundary (or the end), e.g. [3, 1, 20, 0] → "cat".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id before the first boundary is not in 0..26.</exception>
    public static string Decode(ReadOnlySpan<int> ids)
    {
        var chars = new char[ids.Length];
        int n = 0;
        foreach (int id in ids)
        {
            if (id == Boundary)
            {
                break;
            }

            chars[n++] = SymbolName(id);
        }

        return new string(chars, 0, n);
    }
}
