using Nonlinear.Activations;
using Nonlinear.Layers.Attention;
using Nonlinear.Models;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Why attention divides its scores by √d: with q and k of d entries of similar size, q·k is a sum of d products, so
/// its variance grows with d (about d/4 with the layer's PyTorch initialisation and unit-variance inputs). Unscaled,
/// the softmax of such scores saturates: each row puts almost all its weight on one position (entropy near 0 instead of
/// ln T), and the softmax's Jacobian diag(p) − p pᵀ vanishes, so hardly any gradient reaches the queries and keys.
/// That is sigmoid's and tanh's saturation, inside a transformer. Divided by √d, the scores keep the same spread at
/// every d, and so do the entropy and the gradient.
/// </summary>
/// <remarks>
/// Everything is read from the engine: a one-head <see cref="MultiHeadAttention"/> (<c>attention:heads=1</c>, and the
/// same weights with <c>:unscaled</c>) run forward and backward, its <see cref="MultiHeadAttention.AttentionWeights"/>
/// and parameter gradients, and the catalog's <see cref="Softmax"/> backward kernel for the gradient through the softmax.
/// </remarks>
public static class AttentionScaleExperiment
{
    /// <summary>The head widths of the default table.</summary>
    public static IReadOnlyList<int> DefaultDimensions { get; } = [16, 32, 64, 128, 256, 512];

    /// <summary>
    /// For each d, two rows (scaled, unscaled) measured on the same <paramref name="samples"/> sequences of
    /// <paramref name="steps"/> positions with standard-normal entries [samples, steps, d], the same layer weights
    /// (seed <paramref name="seed"/>), and the same standard-normal upstream gradients.
    /// </summary>
    /// <param name="dimensions">The head widths d (one head, so the model width is d too).</param>
    /// <param name="steps">T, the positions per sequence: the length of every attention row (uniform rows have entropy ln T).</param>
    /// <param name="samples">Sequences in the batch.</param>
    /// <param name="seed">Seed of the inputs, the weights and the upstream gradients.</param>
    /// <param name="unitQueries">
    /// True (the default): in_proj_weight drawn from N(0, 1/d) (LeCun normal), so that the queries and keys have
    /// unit-variance entries and q·k has variance d, the assumption behind the 1/√d of Vaswani et al. (2017); false:
    /// the layer's own PyTorch initialisation (Glorot uniform over [3d, d], entries of q and k of variance 1/2, q·k of
    /// variance d/4): the same effect, weaker by a factor 4 in d.
    /// </param>
    public static IReadOnlyList<AttentionScaleRow> Run(IEnumerable<int> dimensions, int steps = 32, int samples = 8, int seed = 1, bool unitQueries = true)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var rows = new List<AttentionScaleRow>();
        foreach (int d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d, 1, nameof(dimensions));
            var rng = new Random(seed);
            var x = Normal(rng, samples, steps, d);
            var dp = Normal(rng, samples, steps, steps);
            rows.Add(Measure(x, dp, d, scaled: true, seed, unitQueries));
            rows.Add(Measure(x, dp, d, scaled: false, seed, unitQueries));
        }

        return rows;
    }

    /// <summary>The entropy of one probability row in nats (0 · ln 0 = 0).</summary>
    public static double Entropy(ReadOnlySpan<float> p) => SoftmaxKernel.Entropy(p);

    private static AttentionScaleRow Measure(Tensor x, Tensor dp, int d, bool scaled, int seed, bool unitQueries)
    {
        var model = Sequential.Parse(scaled ? "attention:heads=1" : "attention:heads=1:unscaled");
        model.Build(new TensorShape(x.Shape[1], d), seed);
        var attention = (MultiHeadAttention)model.Layers[0];
        if (unitQueries)
        {
            // LeCun normal: entries N(0, 1/d), so each entry of q = W_q x (x with unit-variance entries) has variance 1.
            var w = attention.InProjectionWeight.Value.Span;
            var rng = new Random(unchecked((seed * 7919) + 1)); // not the inputs' stream
            FillNormal(w, 1 / Math.Sqrt(d), rng);
        }

        return Measure(model, x, dp);
    }

    /// <summary>
    /// Measures a built one-head attention model (<c>attention:heads=1[:unscaled]</c>, nothing else) on the batch
    /// <paramref name="x"/> [N, T, d]: a forward pass, the attention rows it keeps, and the catalog softmax's backward
    /// for the upstream gradient <paramref name="upstream"/> [N, T, T] (dL/dP).
    /// </summary>
    /// <exception cref="ArgumentException">The model is not a single one-head attention layer, or the shapes do not fit.</exception>
    public static AttentionScaleRow Measure(Sequential model, Tensor x, Tensor upstream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(upstream);
        if (model.Layers.Count != 1 || model.Layers[0] is not MultiHeadAttention { Heads: 1 } attention || !model.IsBuilt)
        {
            throw new ArgumentException($"A built model of one one-head attention layer is expected; found '{model.Spec}'.", nameof(model));
        }

        if (x.Shape.Rank != 3 || x.Shape[1] != model.InputShape[0] || x.Shape[2] != model.InputShape[1])
        {
            throw new ArgumentException($"Inputs [N, {model.InputShape[0]}, {model.InputShape[1]}] expected; found {x.Shape}.", nameof(x));
        }

        int n = x.Shape[0], t = x.Shape[1], d = x.Shape[2];
        if (upstream.Length != n * t * t)
        {
            throw new ArgumentException($"The upstream gradient must hold N·T·T = {n * t * t} values; found {upstream.Length}.", nameof(upstream));
        }

        bool scaled = attention.Scaled;
        var dp = upstream;
        model.Forward(x, training: false);
        var p = attention.AttentionWeights.ToArray();

        double entropy = 0, max = 0;
        int oneHot = 0, rowCount = n * t;
        for (int r = 0; r < rowCount; r++)
        {
            var row = p.AsSpan(r * t, t);
            entropy += Entropy(row);
            float m = TensorPrimitives.Max<float>(row);
            max += m;
            oneHot += m > 0.99f ? 1 : 0;
        }

        // The gradient through the softmax, with the catalog's kernel: dS = P ⊙ (dP − rowsum(dP ⊙ P)).
        var ds = new float[p.Length];
        new Softmax().Backward(p, p, dp.Span, ds, t);
        double gradientRatio = TensorPrimitives.Norm<float>(ds) / (double)TensorPrimitives.Norm<float>(dp.Span);
        var perRow = new double[rowCount];
        for (int r = 0; r < rowCount; r++)
        {
            perRow[r] = TensorPrimitives.Norm<float>(ds.AsSpan(r * t, t)) / (double)TensorPrimitives.Norm<float>(dp.Span.Slice(r * t, t));
        }

        Array.Sort(perRow);
        double median = rowCount % 2 == 1 ? perRow[rowCount / 2] : (perRow[(rowCount / 2) - 1] + perRow[rowCount / 2]) / 2;

        return new AttentionScaleRow(d, scaled, ScoreStd(attention, x, scaled), entropy / rowCount, max / rowCount, oneHot / (double)rowCount, gradientRatio, median);
    }

    /// <summary>Standard deviation of the softmax inputs of the first sample, q_t·k_u (÷ √d when scaled), in float64.</summary>
    private static double ScoreStd(MultiHeadAttention attention, Tensor x, bool scaled)
    {
        int t = x.Shape[1], d = x.Shape[2];
        var w = attention.InProjectionWeight.Value.Span;
        var b = attention.InProjectionBias.Value.Span;
        var q = new double[t, d];
        var k = new double[t, d];
        for (int s = 0; s < t; s++)
        {
            var xs = x.Span.Slice(s * d, d);
            for (int j = 0; j < d; j++)
            {
                q[s, j] = TensorPrimitives.Dot<float>(w.Slice(j * d, d), xs) + b[j];
                k[s, j] = TensorPrimitives.Dot<float>(w.Slice((d + j) * d, d), xs) + b[d + j];
            }
        }

        double scale = scaled ? 1 / Math.Sqrt(d) : 1;
        double sum = 0, squares = 0;
        for (int s = 0; s < t; s++)
        {
            for (int u = 0; u < t; u++)
            {
                double score = 0;
                for (int j = 0; j < d; j++)
                {
                    score += q[s, j] * k[u, j];
                }

                sum += score * scale;
                squares += score * scale * score * scale;
            }
        }

        double mean = sum / (t * t);
        return Math.Sqrt(Math.Max(0, (squares / (t * t)) - (mean * mean)));
    }

    private static Tensor Normal(Random rng, params int[] shape)
    {
        var tensor = new Tensor(shape);
        FillNormal(tensor.Span, 1, rng);
        return tensor;
    }

    /// <summary>N(0, std²) by Box-Muller, one cosine draw per value (std · r · cos: with std = 1 exactly r · cos).</summary>
    private static void FillNormal(Span<float> values, double std, Random rng)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        }
    }
}
