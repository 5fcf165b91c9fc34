namespace Nonlinear.Data.Sequences;

/// <summary>
/// English words from Debian's word list (package <c>wamerican</c>, <c>/usr/share/dict/words</c>) for a
/// character-level model: cleaned, deduplicated and split 80/10/10 into training, validation and test words with
/// a fixed seed.
/// </summary>
/// <remarks>
/// Cleaning (<see cref="Clean"/>): each line is trimmed and lower-cased (invariant culture); a word is kept only if
/// every character is then an ASCII letter a-z (words with an apostrophe, a hyphen, a digit or an accented letter
/// such as "café" are dropped, not transliterated); duplicates (e.g. "Apple" and "apple") are kept once. With
/// wamerican 2020.12.07-2 this leaves 73,445 of 104,334 lines, the longest word 22 letters (23 steps).
/// Split (<see cref="Split"/>): the cleaned words are sorted (ordinal), shuffled by a Fisher-Yates pass driven by
/// <c>new Random(seed)</c>, and cut into round(0.8 N) training words, floor(0.1 N) validation words and the rest
/// for testing (58,756 / 7,344 / 7,345); the same seed and list give the same split on every run.
/// </remarks>
/// <example><code>
/// var words = WordList.Load();                         // /usr/share/dict/words, seed 1
/// foreach (var batch in WordList.Batches(words.Train, 128, new Random(1))) { /* batch.Inputs [N, T] ... */ }
/// </code></example>
public sealed class WordList
{
    /// <summary>Where Debian's word list lives.</summary>
    public const string StandardPath = "/usr/share/dict/words";

    /// <summary>The Debian package that installs <see cref="StandardPath"/>.</summary>
    public const string Package = "wamerican";

    /// <summary>The seed of the default split.</summary>
    public const int DefaultSeed = 1;

    private WordList(string source, IReadOnlyList<string> all, string[] train, string[] validation, string[] test, int seed)
    {
        Source = source;
        All = all;
        Train = train;
        Validation = validation;
        Test = test;
        Seed = seed;
        MaxLength = all.Count == 0 ? 0 : all.Max(w => w.Length);
    }

    /// <summary>The file the words were read from ("&lt;words&gt;" when built from a list).</summary>
    public string Source { get; }

    /// <summary>Every cleaned word, sorted (ordinal).</summary>
    public IReadOnlyList<string> All { get; }

    /// <summary>The training words (80%), in shuffled order.</summary>
    public IReadOnlyList<string> Train { get; }

    /// <summary>The validation words (10%).</summary>
    public IReadOnlyList<string> Validation { get; }

    /// <summary>The test words (the remaining 10%).</summary>
    public IReadOnlyList<string> Test { get; }

    /// <summary>The seed of the split.</summary>
    public int Seed { get; }

    /// <summary>The length of the longest word.</summary>
    public int MaxLength { get; }

    /// <summary>The most steps a batch can have: <see cref="MaxLength"/> + 1 (the boundary).</summary>
    public int MaxSteps => MaxLength + 1;

    /// <summary>
    /// Reads, cleans and splits the word list at <paramref name="path"/> (default <see cref="StandardPath"/>).
    /// </summary>
    /// <exception cref="DataFormatException">
    /// The file is missing (the message names it and says to install the package <see cref="Package"/>), or no
    /// word survives the cleaning.
    /// </exception>
    public static WordList Load(string? path = null, int seed = DefaultSeed)
    {
        string file = string.IsNullOrWhiteSpace(path) ? StandardPath : path;
        if (!File.Exists(file))
        {
            throw new DataFormatException(
                file,
                $"the word list is missing. On Debian or Ubuntu install it with 'sudo apt-get install {Package}' (it provides {StandardPath}), "
                + "or give the path of another list with one word per line");
        }

        var words = Clean(File.ReadLines(file));
        if (words.Count < 3)
        {
            throw new DataFormatException(file, $"{words.Count} word(s) of letters a-z after cleaning; at least 3 are needed for a training, validation and test split");
        }

        return Split(file, words, seed);
    }

    /// <summary>Cleans and splits <paramref name="lines"/> (one word per line) as <see cref="Load"/> does a file.</summary>
    /// <exception cref="ArgumentException">Fewer than 3 words survive the cleaning.</exception>
    public static WordList FromLines(IEnumerable<string> lines, int seed = DefaultSeed)
    {
        var words = Clean(lines);
        if (words.Count < 3)
        {
            throw new ArgumentException($"{words.Count} word(s) of letters a-z after cleaning; at least 3 are needed for a split.", nameof(lines));
        }

        return Split("<words>", words, seed);
    }

    /// <summary>
    /// Writes the split to <paramref name="directory"/> as <c>train.txt</c>, <c>validation.txt</c> and
    /// <c>test.txt</c> (one word per line, in split order, "\n" line ends) so that another program (the PyTorch
    /// side of a benchmark) trains and tests on exactly the same words. Returns the three paths.
    /// </summary>
    public IReadOnlyList<string> WriteSplit(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var paths = new List<string>(3);
        foreach (var (name, words) in new[] { ("train.txt", Train), ("validation.txt", Validation), ("test.txt", Test) })
        {
            string path = Path.Combine(directory, name);
            File.WriteAllText(path, string.Join('\n', words) + "\n");
            paths.Add(path);
        }

        return paths;
    }

    /// <summary>
    /// <paramref name="words"/> as a <see cref="TaskKind.Sequence"/> data set for next-character prediction:
    /// features [N, T] of input ids (boundary, the letters, boundary padding), targets [N, T] of the next symbol's id
    /// (-1 on padded steps), <see cref="CharacterVocabulary.SymbolCount"/> classes named "^", "a", ..., "z".
    /// </summary>
    /// <param name="words">The words (letters a-z only), e.g. <see cref="Train"/>.</param>
    /// <param name="name">The data set's name, e.g. "words".</param>
    /// <param name="steps">T; 0 takes the longest word + 1. A model keeps one T: use the list's <see cref="MaxSteps"/> for all three splits.</param>
    /// <exception cref="ArgumentException">There are no words, a word holds a character outside a-z, or a word needs more than <paramref name="steps"/> steps.</exception>
    public static Dataset ToDataset(IReadOnlyList<string> words, string name, int steps = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        var batch = new WordBatch(words, steps);
        return new Dataset(name, batch.Inputs, batch.Targets, TaskKind.Sequence, CharacterVocabulary.SymbolCount, SymbolNames);
    }

    /// <summary>
    /// The three splits as sequence data sets (see <see cref="ToDataset"/>), all with <see cref="MaxSteps"/> steps
    /// and the name <paramref name="name"/>.
    /// </summary>
    public (Dataset Train, Dataset Validation, Dataset Test) ToDatasets(string name = "words")
        => (ToDataset(Train, name, MaxSteps), ToDataset(Validation, name, MaxSteps), ToDataset(Test, name, MaxSteps));

    /// <summary>The names of the <see cref="CharacterVocabulary.SymbolCount"/> symbols in id order: "^" (the boundary), then "a" to "z".</summary>
    public static IReadOnlyList<string> SymbolNames { get; } =
        Enumerable.Range(0, CharacterVocabulary.SymbolCount).Select(i => CharacterVocabulary.SymbolName(i).ToString()).ToArray();

    /// <summary>
    /// The cleaning rule: trim, lower-case (invariant), keep only words made entirely of a-z, deduplicate; sorted
    /// in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> Clean(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            string w = line.Trim().ToLowerInvariant();
            if (w.Length > 0 && IsLetters(w))
            {
                set.Add(w);
            }
        }

        var sorted = set.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        return sorted;
    }

    /// <summary>
    /// Batches of <paramref name="batchSize"/> words (the last may be smaller), shuffled when <paramref name="shuffle"/>
    /// is given, each padded to its longest word + 1 steps, or to <paramref name="steps"/> when that is positive.
    /// With <paramref name="reuse"/> (which needs a fixed <paramref name="steps"/>) the same batch object is refilled
    /// in place (<see cref="WordBatch.Refill"/>; a second one for a smaller last batch): a batch is valid only until
    /// the next is drawn, and steady-state training allocates nothing per batch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive or <paramref name="steps"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="reuse"/> without a fixed number of steps.</exception>
    public static IEnumerable<WordBatch> Batches(IReadOnlyList<string> words, int batchSize, Random? shuffle = null, int steps = 0, bool reuse = false)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (reuse && steps == 0)
        {
            throw new ArgumentException("Reusing batches needs a fixed number of steps (e.g. WordList.MaxSteps), so that every batch has the same shape.", nameof(reuse));
        }

        return reuse ? IterateReused(words, batchSize, shuffle, steps) : Iterate(words, batchSize, shuffle, steps);
    }

    private static IEnumerable<WordBatch> IterateReused(IReadOnlyList<string> words, int batchSize, Random? shuffle, int steps)
    {
        var order = new int[words.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        shuffle?.Shuffle(order);
        WordBatch? full = null, last = null;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, order.Length - start);
            var indices = order.AsSpan(start, n);
            ref WordBatch? batch = ref n == batchSize ? ref full : ref last;
            if (batch is null)
            {
                var first = new string[n];
                for (int i = 0; i < n; i++)
                {
                    first[i] = words[indices[i]];
                }

                batch = new WordBatch(first, steps);
            }
            else
            {
                batch.Refill(words, indices);
            }

            yield return batch;
        }
    }

    private static IEnumerable<WordBatch> Iterate(IReadOnlyList<string> words, int batchSize, Random? shuffle, int steps)
    {
        var order = Enumerable.Range(0, words.Count).ToArray();
        shuffle?.Shuffle(order);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            int n = Math.Min(batchSize, order.Length - start);
            var batch = new string[n];
            for (int i = 0; i < n; i++)
            {
                batch[i] = words[order[start + i]];
            }

            yield return new WordBatch(batch, steps);
        }
    }

    private static bool IsLetters(string w)
    {
        foreach (char c in w)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    private static WordList Split(string source, IReadOnlyList<string> sorted, int seed)
    {
        var order = sorted.ToArray();
        var rng = new Random(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        int n = order.Length;
        int train = Math.Clamp((int)Math.Round(0.8 * n, MidpointRounding.AwayFromZero), 1, n - 2);
        int validation = Math.Clamp((int)Math.Floor(0.1 * n), 1, n - train - 1);
        return new WordList(source, sorted, order[..train], order[train..(train + validation)], order[(train + validation)..], seed);
    }
}
