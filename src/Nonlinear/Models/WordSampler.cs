using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Activations;
using Nonlinear.Data.Sequences;
using Nonlinear.Tensors;

namespace Nonlinear.Models;

/// <summary>
/// Samples words from a character-level word model: a built <see cref="Sequential"/> that maps T token ids
/// (<see cref="CharacterVocabulary"/>: boundary 0, letters 1-26) to next-symbol logits [T, 27], as trained by
/// <c>nonlinear train --data words</c>.
/// </summary>
/// <remarks>
/// <para>
/// A word starts as the boundary followed by the prefix; the rest of the T inputs are padding (id 0, as in
/// training). One forward pass gives the logits z at the last filled step; the next symbol is drawn from
/// softmax(z / temperature) (the catalog's stable <see cref="Softmax"/> kernel) and written into the next input
/// step; the word ends when the boundary is drawn, or is cut at T letters (T = the model's steps) when the
/// inputs are full. A causal model (recurrent, or attention with a causal mask) never sees the padding ahead of
/// the current step, so the result does not depend on it.
/// </para>
/// <para>
/// Temperature: 1 samples the model's own distribution; below 1 sharpens it (entropy falls, towards the most
/// likely letter), above 1 flattens it (towards uniform). Temperature 0 is the limit: greedy decoding, always the
/// arg-max (the lowest id on ties), with no randomness. Every word has its own random stream, seeded from the
/// sampler seed, so the same seed, count, prefix and temperature give the same words.
/// </para>
/// </remarks>
/// <example><code>
/// var sampler = new WordSampler(ModelFile.Load("words.nlm").Model);
/// var words = sampler.Sample(count: 20, temperature: 0.8, seed: 1, prefix: "st");
/// var next = sampler.NextDistribution("st", temperature: 0.5);   // 27 probabilities, index = symbol id
/// </code></example>
public sealed class WordSampler
{
    private readonly Sequential _model;

    /// <summary>A sampler over <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The model is not built, or does not map [T] token ids to [T, 27] logits (the message names its shapes).
    /// </exception>
    public WordSampler(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt)
        {
            throw new ArgumentException("Build the model before sampling from it.", nameof(model));
        }

        var input = model.InputShape;
        var output = model.OutputShape;
        if (input.Rank != 1 || output.Rank != 2 || output[0] != input[0] || output[1] != CharacterVocabulary.SymbolCount)
        {
            throw new ArgumentException(
                $"Not a character-level word model: it maps {input} to {output}; a word model maps [T] token ids to [T, {CharacterVocabulary.SymbolCount}] next-symbol logits (train one with 'nonlinear train --data words').",
                nameof(model));
        }

        _model = model;
        Steps = input[0];
    }

    /// <summary>T, the model's input steps: the longest word it can write has T letters (prefix included).</summary>
    public int Steps { get; }

    /// <summary>
    /// The model's next-symbol logits after the boundary and <paramref name="prefix"/> (27 values, index = symbol id).
    /// </summary>
    /// <exception cref="ArgumentException">The prefix holds a character outside a-z or has T letters or more.</exception>
    public float[] NextLogits(string prefix)
    {
        CheckPrefix(prefix);
        var input = Inputs(1, prefix);
        var output = _model.Forward(input, training: false);
        return output.Span.Slice(prefix.Length * CharacterVocabulary.SymbolCount, CharacterVocabulary.SymbolCount).ToArray();
    }

    /// <summary>The next-symbol probabilities softmax(z / temperature) after the boundary and <paramref name="prefix"/>.</summary>
    /// <exception cref="ArgumentException">The prefix holds a character outside a-z or has T letters or more.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is negative or not finite.</exception>
    public float[] NextDistribution(string prefix, double temperature)
    {
        CheckTemperature(temperature);
        var logits = NextLogits(prefix);
        var probabilities = new float[logits.Length];
        Distribution(logits, temperature, probabilities);
        return probabilities;
    }

    /// <summary>
    /// <paramref name="count"/> words, each <paramref name="prefix"/> followed by sampled letters until the model
    /// draws the boundary or the word reaches <see cref="Steps"/> letters.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive, or the temperature is negative or not finite.</exception>
    /// <exception cref="ArgumentException">The prefix holds a character outside a-z or has T letters or more.</exception>
    public IReadOnlyList<SampledWord> Sample(int count, double temperature, int seed, string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        CheckTemperature(temperature);
        CheckPrefix(prefix);
        const int k = CharacterVocabulary.SymbolCount;
        var input = Inputs(count, prefix);
        var master = new Random(seed);
        var streams = new Random[count];
        var letters = new char[count][];
        var lengths = new int[count];
        var ended = new bool[count];
        for (int i = 0; i < count; i++)
        {
            streams[i] = new Random(master.Next());
            letters[i] = new char[Steps];
            prefix.CopyTo(letters[i]);
            lengths[i] = prefix.Length;
        }

        Span<float> probabilities = stackalloc float[k];
        int active = count;
        for (int t = prefix.Length; t < Steps && active > 0; t++)
        {
            var output = _model.Forward(input, training: false).Span;
            for (int i = 0; i < count; i++)
            {
                if (ended[i])
                {
                    continue;
                }

                var logits = output.Slice(((i * Steps) + t) * k, k);
                int id;
                if (temperature == 0)
                {
                    id = TensorPrimitives.IndexOfMax(logits);
                }
                else
                {
                    Distribution(logits, temperature, probabilities);
                    id = Draw(probabilities, streams[i]);
                }

                if (id == CharacterVocabulary.Boundary)
                {
                    ended[i] = true;
                    active--;
                    continue;
                }

                letters[i][lengths[i]++] = CharacterVocabulary.SymbolName(id);
                if (t + 1 < Steps)
                {
                    input.Span[(i * Steps) + t + 1] = id;
                }
                else
                {
                    active--;
                }
            }
        }

        var words = new SampledWord[count];
        for (int i = 0; i < count; i++)
        {
            words[i] = new SampledWord(new string(letters[i], 0, lengths[i]), ended[i]);
        }

        return words;
    }

    /// <summary>
    /// softmax(z / temperature) into <paramref name="probabilities"/>, with the catalog's stable softmax; at
    /// temperature 0, the limit: 1 at the arg-max (the lowest index on ties), 0 elsewhere.
    /// </summary>
    /// <remarks>
    /// The logits are shifted by their maximum m before dividing, (z - m) / temperature in double, so that a tiny
    /// temperature sends the others to -inf (probability 0) instead of overflowing to +inf.
    /// </remarks>
    /// <exception cref="ArgumentException">The spans are empty or of different lengths, or a logit is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is negative or not finite.</exception>
    public static void Distribution(ReadOnlySpan<float> logits, double temperature, Span<float> probabilities)
    {
        CheckTemperature(temperature);
        if (logits.Length == 0 || probabilities.Length != logits.Length)
        {
            throw new ArgumentException($"Logits ({logits.Length}) and probabilities ({probabilities.Length}) must have the same non-zero length.", nameof(probabilities));
        }

        if (!TensorPrimitives.IsFiniteAll(logits))
        {
            throw new ArgumentException("The logits hold NaN or infinity: the model's weights are not finite.", nameof(logits));
        }

        if (temperature == 0)
        {
            probabilities.Clear();
            probabilities[TensorPrimitives.IndexOfMax(logits)] = 1;
            return;
        }

        double m = TensorPrimitives.Max(logits);
        for (int i = 0; i < logits.Length; i++)
        {
            probabilities[i] = (float)((logits[i] - m) / temperature);
        }

        SoftmaxKernel.Forward(probabilities, probabilities, logits.Length, log: false);
    }

    /// <summary>The entropy -sum p ln p of a distribution, in nats (0 ln 0 = 0), accumulated in double.</summary>
    public static double Entropy(ReadOnlySpan<float> probabilities) => SoftmaxKernel.Entropy(probabilities);

    /// <summary>Inverse-CDF draw: the first id whose cumulative probability exceeds u ~ U[0, 1) times the total.</summary>
    private static int Draw(ReadOnlySpan<float> probabilities, Random random)
    {
        // Scaling u by the float sum (1 up to rounding) keeps the last id with a non-zero probability reachable.
        double total = 0;
        foreach (float p in probabilities)
        {
            total += p;
        }

        double u = random.NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0)
            {
                continue;
            }

            cumulative += probabilities[i];
            last = i;
            if (u < cumulative)
            {
                return i;
            }
        }

        return last;
    }

    /// <summary>Token ids [count, T]: the boundary, the prefix's letters, then padding (id 0).</summary>
    private Tensor Inputs(int count, string prefix)
    {
        var input = new Tensor(count, Steps);
        var span = input.Span;
        for (int i = 0; i < count; i++)
        {
            span[i * Steps] = CharacterVocabulary.Boundary;
            for (int j = 0; j < prefix.Length; j++)
            {
                span[(i * Steps) + 1 + j] = CharacterVocabulary.Id(prefix[j]);
            }
        }

        return input;
    }

    private void CheckPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (char c in prefix)
        {
            if (c is < 'a' or > 'z')
            {
                throw new ArgumentException($"The prefix '{prefix}' holds '{c}'; a word model knows only the letters a-z.", nameof(prefix));
            }
        }

        if (prefix.Length >= Steps)
        {
            throw new ArgumentException($"The prefix '{prefix}' has {prefix.Length} letters; this model writes words of at most {Steps} letters, so a prefix can have at most {Steps - 1}.", nameof(prefix));
        }
    }

    private static void CheckTemperature(double temperature)
    {
        if (!(temperature >= 0 && double.IsFinite(temperature)))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be finite and >= 0 (0: always the most likely symbol; 1: the model's own distribution).");
        }
    }
}
