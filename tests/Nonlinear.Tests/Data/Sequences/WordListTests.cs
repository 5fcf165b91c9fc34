using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Tests.Data;
using Xunit;

namespace Nonlinear.Tests.Data.Sequences;

public sealed class WordListTests : IDisposable
{
    private readonly DataFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Cleaning_lower_cases_drops_non_letters_and_deduplicates()
    {
        var words = WordList.Clean(["Apple", "apple", "apple's", "café", "x-ray", "B52", "  Zoo ", "", "a", "A", "naïve", "Élan", "elan"]);
        Assert.Equal(["a", "apple", "elan", "zoo"], words);
    }

    [Fact]
    public void The_split_is_80_10_10_disjoint_complete_and_fixed_by_the_seed()
    {
        var lines = Enumerable.Range(0, 1000).Select(Word).ToArray();
        var a = WordList.FromLines(lines, seed: 7);
        var b = WordList.FromLines(lines.Reverse(), seed: 7);    // file order does not matter
        var c = WordList.FromLines(lines, seed: 8);
        Assert.Equal((800, 100, 100), (a.Train.Count, a.Validation.Count, a.Test.Count));
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Train, c.Train);
        AssertDisjointAndComplete(a);
    }

    [Fact]
    public void Encoding_predicts_each_next_letter_and_the_end_and_round_trips()
    {
        Span<int> x = stackalloc int[4], y = stackalloc int[4];
        CharacterVocabulary.Encode("cat", x, y);
        Assert.Equal([0, 3, 1, 20], x.ToArray());
        Assert.Equal([3, 1, 20, 0], y.ToArray());
        Assert.Equal("cat", CharacterVocabulary.Decode(y));
        Assert.Equal(27, CharacterVocabulary.SymbolCount);
        Assert.Equal('^', CharacterVocabulary.SymbolName(0));
        Assert.Equal('z', CharacterVocabulary.SymbolName(26));
        for (char ch = 'a'; ch <= 'z'; ch++)
        {
            Assert.Equal(ch, CharacterVocabulary.SymbolName(CharacterVocabulary.Id(ch)));
        }

        var e = Assert.Throws<ArgumentException>(() => CharacterVocabulary.Encode("it's", new int[5], new int[5]));
        Assert.Contains("'''", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => CharacterVocabulary.SymbolName(27));
    }

    [Fact]
    public void A_batch_is_padded_to_its_longest_word_plus_one_with_a_mask()
    {
        var batch = new WordBatch(["cat", "a", "horse"]);
        Assert.Equal(6, batch.Steps);
        Assert.Equal([4, 2, 6], batch.Lengths);
        Assert.Equal(12, batch.RealSteps);
        Assert.Equal(new Nonlinear.Tensors.TensorShape(3, 6), batch.Inputs.Shape);
        Assert.Equal([0f, 3, 1, 20, 0, 0], batch.Inputs.Row(0).ToArray());
        Assert.Equal([3f, 1, 20, 0, -1, -1], batch.Targets.Row(0).ToArray());
        Assert.Equal([1f, 1, 1, 1, 0, 0], batch.Mask.Row(0).ToArray());
        Assert.Equal([1f, 0, -1, -1, -1, -1], batch.Targets.Row(1).ToArray());
        Assert.Equal([1f, 1, 1, 1, 1, 1], batch.Mask.Row(2).ToArray());
        for (int i = 0; i < batch.Count; i++)
        {
            var ids = batch.Targets.Row(i).ToArray().Select(v => (int)v).ToArray();
            Assert.Equal(batch.Words[i], CharacterVocabulary.Decode(ids));
        }
    }

    [Fact]
    public void Batches_cover_every_word_once_and_shuffle_deterministically()
    {
        var words = WordList.FromLines(Enumerable.Range(0, 300).Select(Word)).Train;   // 240 words
        var batches = WordList.Batches(words, 100, new Random(3)).ToList();
        Assert.Equal([100, 100, 40], batches.Select(b => b.Count));
        Assert.Equal(words.Order(StringComparer.Ordinal), batches.SelectMany(b => b.Words).Order(StringComparer.Ordinal));
        Assert.Equal(batches.SelectMany(b => b.Words), WordList.Batches(words, 100, new Random(3)).SelectMany(b => b.Words));
        Assert.Equal(words, WordList.Batches(words, 64).SelectMany(b => b.Words));
        Assert.All(batches, b => Assert.Equal(b.Words.Max(w => w.Length) + 1, b.Steps));
        Assert.Throws<ArgumentOutOfRangeException>(() => WordList.Batches(words, 0));
        Assert.All(WordList.Batches(words, 100, steps: 9), b => Assert.Equal(9, b.Steps));
    }

    [Fact]
    public void Reused_batches_are_refilled_in_place_with_the_same_words_and_encoding()
    {
        var words = WordList.FromLines(Enumerable.Range(0, 300).Select(Word)).Train;   // 240 words
        var fresh = WordList.Batches(words, 100, new Random(5), steps: 6).ToList();
        var seen = new List<WordBatch>();
        int b = 0;
        foreach (var batch in WordList.Batches(words, 100, new Random(5), steps: 6, reuse: true))
        {
            seen.Add(batch);
            Assert.Equal(fresh[b].Words, batch.Words);
            Assert.Equal(fresh[b].Inputs.Span.ToArray(), batch.Inputs.Span.ToArray());
            Assert.Equal(fresh[b].Targets.Span.ToArray(), batch.Targets.Span.ToArray());
            Assert.Equal(fresh[b].Mask.Span.ToArray(), batch.Mask.Span.ToArray());
            Assert.Equal(fresh[b].Lengths, batch.Lengths);
            b++;
        }

        Assert.Equal(3, b);
        Assert.Same(seen[0], seen[1]);
        Assert.NotSame(seen[1], seen[2]);   // the last, smaller batch has its own buffers
        Assert.Throws<ArgumentException>(() => WordList.Batches(words, 100, reuse: true));

        var one = new WordBatch(["ab", "c"], steps: 4);
        Assert.Contains("'abcd' needs 5 steps", Assert.Throws<ArgumentException>(() => one.Refill(["abcd", "x"], [0, 1])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => one.Refill(["x"], [0]));
        one.Refill(["zz", "x", "y"], [2, 0]);
        Assert.Equal(["y", "zz"], one.Words);
        Assert.Equal([25f, 0, -1, -1], one.Targets.Row(0).ToArray());
        string[] source = ["zz", "x", "y"];
        Span<int> indices = stackalloc int[2];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            indices[0] = i % 3;
            indices[1] = (i + 1) % 3;
            one.Refill(source, indices);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_fixed_number_of_steps_pads_further_and_must_fit_the_longest_word()
    {
        var batch = new WordBatch(["cat", "a"], steps: 7);
        Assert.Equal(new Nonlinear.Tensors.TensorShape(2, 7), batch.Targets.Shape);
        Assert.Equal([3f, 1, 20, 0, -1, -1, -1], batch.Targets.Row(0).ToArray());
        Assert.Equal([1f, 1, 0, 0, 0, 0, 0], batch.Mask.Row(1).ToArray());
        var e = Assert.Throws<ArgumentException>(() => new WordBatch(["cat", "horse"], steps: 5));
        Assert.Contains("'horse' needs 6 steps", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_split_written_to_files_reads_back_as_the_same_words()
    {
        var list = WordList.FromLines(Enumerable.Range(0, 50).Select(Word), seed: 4);
        var paths = WordList.FromLines(Enumerable.Range(0, 50).Select(Word), seed: 4).WriteSplit(_files.Path("split"));
        Assert.Equal(["train.txt", "validation.txt", "test.txt"], paths.Select(Path.GetFileName));
        Assert.Equal(list.Train, File.ReadAllLines(paths[0]));
        Assert.Equal(list.Validation, File.ReadAllLines(paths[1]));
        Assert.Equal(list.Test, File.ReadAllLines(paths[2]));
    }

    [Fact]
    public void A_missing_word_list_names_the_file_and_the_package()
    {
        string path = _files.Path("words");
        var e = Assert.Throws<DataFormatException>(() => WordList.Load(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains("sudo apt-get install wamerican", e.Message, StringComparison.Ordinal);
        Assert.Contains("/usr/share/dict/words", e.Message, StringComparison.Ordinal);

        var few = _files.WriteText("few", "it's\nA\na\n");
        Assert.Contains("1 word(s)", Assert.Throws<DataFormatException>(() => WordList.Load(few)).Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "FullData")]
    public void Debians_list_gives_73445_words_of_at_most_22_letters()
    {
        Assert.True(File.Exists(WordList.StandardPath),
            $"{WordList.StandardPath} is missing: sudo apt-get install {WordList.Package} (or run the suite with --filter \"Category!=FullData\").");
        var words = WordList.Load();
        Assert.Equal(73445, words.All.Count);
        Assert.Equal((58756, 7344, 7345), (words.Train.Count, words.Validation.Count, words.Test.Count));
        Assert.Equal(22, words.MaxLength);
        Assert.Equal(23, words.MaxSteps);
        AssertDisjointAndComplete(words);
        var again = WordList.Load();
        Assert.Equal(words.Test, again.Test);
    }

    private static void AssertDisjointAndComplete(WordList list)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in list.Train.Concat(list.Validation).Concat(list.Test))
        {
            Assert.True(seen.Add(w), $"'{w}' is in two splits");
        }

        Assert.Equal(list.All.Count, seen.Count);
        Assert.True(seen.SetEquals(list.All));
    }

    /// <summary>A distinct lower-case word for each n: its base-26 digits as letters.</summary>
    private static string Word(int n)
    {
        var s = "";
        do
        {
            s = (char)('a' + (n % 26)) + s;
            n /= 26;
        }
        while (n > 0);
        return s + "x";
    }
}
