using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Data;

/// <summary>
/// An affine input normalisation x' = (x - mean) / std, either per feature (one mean and std per element of a
/// sample) or per channel (one per channel of samples shaped [C, ...], like torchvision's Normalize). Fitted on
/// the training split only and saved with the model (<c>ModelMetadata.NormalizationMean/Std</c>), so that
/// evaluation and prediction see inputs transformed exactly as in training.
/// </summary>
/// <remarks>
/// <para>
/// Which form applies follows from the number of constants and the sample shape: <see cref="Count"/> equal to the
/// sample's element count is per feature (element i uses constant i); otherwise, for samples of rank 2 or more,
/// <see cref="Count"/> equal to the first dimension C is per channel (element i of a sample uses constant
/// i / (length / C), i.e. the channel of a channels-first sample). When both hold (every channel has one
/// element) the two are the same.
/// </para>
/// <para>
/// Constant features: a standard deviation of 0 (a feature or channel that never varies in the training data)
/// is replaced by 1, so that the feature is only centred rather than divided by zero; so is one too small to be a
/// normal float. The stored standard deviations are therefore always finite and positive.
/// </para>
/// <para>
/// The arithmetic is the subtraction then the division, each rounded once in float (vectorised, with the same
/// results as the scalar expression), and is the one implementation used for training data and by
/// <c>SavedModel.Predict</c>.
/// </para>
/// </remarks>
/// <example><code>
/// var norm = Normalization.FitStandardization(train, perChannel: true);   // images [N, 1, 28, 28]: one mean, one std
/// var (trainN, testN) = (norm.Apply(train), norm.Apply(test));
/// var metadata = new ModelMetadata { ..., NormalizationMean = norm.Mean, NormalizationStd = norm.Std };
/// </code></example>
public sealed class Normalization
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>A normalisation with the given constants (e.g. read back from a model file).</summary>
    /// <exception cref="ArgumentException">The lists are empty or of different lengths, a mean is not finite, or a standard deviation is not finite and positive.</exception>
    public Normalization(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0 || mean.Count != std.Count)
        {
            throw new ArgumentException($"A normalisation needs as many means as standard deviations, at least one; got {mean.Count} and {std.Count}.", nameof(std));
        }

        _mean = [.. mean];
        _std = [.. std];
        for (int i = 0; i < _mean.Length; i++)
        {
            if (!float.IsFinite(_mean[i]))
            {
                throw new ArgumentException($"Mean {i} is {_mean[i]}; it must be finite.", nameof(mean));
            }

            if (!(float.IsFinite(_std[i]) && _std[i] > 0))
            {
                throw new ArgumentException($"Standard deviation {i} is {_std[i]}; it must be finite and positive.", nameof(std));
            }
        }
    }

    /// <summary>The values subtracted, one per feature or per channel.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The values divided by after subtracting, one per feature or per channel; all finite and positive.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>The number of constants: features for a per-feature normalisation, channels for a per-channel one.</summary>
    public int Count => _mean.Length;

    /// <summary>
    /// Fits the mean and the population standard deviation (divisor N, as scikit-learn's StandardScaler) of the
    /// training features, accumulated in double, so that the normalised training data has mean 0 and standard
    /// deviation 1 per feature or per channel (0 for a constant one, whose std is taken as 1).
    /// </summary>
    /// <param name="train">The training split only: statistics of held-out data must not leak into the model.</param>
    /// <param name="perChannel">One mean/std per channel (features [N, C, ...] of rank 3 or more) instead of one per feature.</param>
    /// <exception cref="ArgumentException"><paramref name="perChannel"/> is set but the samples have no channel dimension (features of rank 2).</exception>
    public static Normalization FitStandardization(Dataset train, bool perChannel = false)
    {
        var (groups, block) = Layout(train, perChannel);
        ReadOnlySpan<float> x = train.Features.Span;
        var sums = new double[groups];
        for (int start = 0, g = 0; start < x.Length; start += block, g = g + 1 == groups ? 0 : g + 1)
        {
            double sum = 0;
            foreach (float v in x.Slice(start, block))
            {
                sum += v;
            }

            sums[g] += sum;
        }

        double perGroup = (double)x.Length / groups;
        var means = sums.Select(sum => sum / perGroup).ToArray();
        var squares = new double[groups];
        for (int start = 0, g = 0; start < x.Length; start += block, g = g + 1 == groups ? 0 : g + 1)
        {
            double m = means[g], sq = 0;
            foreach (float v in x.Slice(start, block))
            {
                double d = v - m;
                sq += d * d;
            }

            squares[g] += sq;
        }

        return new Normalization(
            means.Select(m => (float)m).ToArray(),
            squares.Select(sq => Positive(Math.Sqrt(sq / perGroup))).ToArray());
    }

    /// <summary>
    /// Fits min-max scaling: mean = the minimum and std = max - min of the training features, per feature or per
    /// channel, so that the training data maps onto [0, 1] (a constant feature maps to 0: its range is taken as 1).
    /// </summary>
    /// <param name="train">The training split only.</param>
    /// <param name="perChannel">One minimum and range per channel (features [N, C, ...] of rank 3 or more) instead of per feature.</param>
    /// <exception cref="ArgumentException"><paramref name="perChannel"/> is set but the samples have no channel dimension.</exception>
    public static Normalization FitMinMax(Dataset train, bool perChannel = false)
    {
        var (groups, block) = Layout(train, perChannel);
        ReadOnlySpan<float> x = train.Features.Span;
        var lo = Enumerable.Repeat(float.PositiveInfinity, groups).ToArray();
        var hi = Enumerable.Repeat(float.NegativeInfinity, groups).ToArray();
        for (int start = 0, g = 0; start < x.Length; start += block, g = g + 1 == groups ? 0 : g + 1)
        {
            var values = x.Slice(start, block);
            lo[g] = Math.Min(lo[g], TensorPrimitives.Min(values));
            hi[g] = Math.Max(hi[g], TensorPrimitives.Max(values));
        }

        return new Normalization(lo, lo.Select((l, g) => Positive((double)hi[g] - l)).ToArray());
    }

    /// <summary>
    /// Whether <paramref name="count"/> constants fit samples of shape <paramref name="sampleShape"/>: one per
    /// element (per feature), or, for a sample of rank 2 or more, one per channel (its first dimension).
    /// </summary>
    public static bool Fits(int count, TensorShape sampleShape)
        => count > 0 && (count == sampleShape.Length || (sampleShape.Rank >= 2 && count == sampleShape[0]));

    /// <summary>Whether this normalisation fits samples of shape <paramref name="sampleShape"/>; see <see cref="Fits(int, TensorShape)"/>.</summary>
    public bool Fits(TensorShape sampleShape) => Fits(Count, sampleShape);

    /// <summary>A new tensor holding the normalised <paramref name="features"/> [N, ...sample shape].</summary>
    /// <exception cref="ArgumentException">The features are not batch-first or do not fit (see <see cref="Fits(TensorShape)"/>).</exception>
    public Tensor Apply(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var result = features.Clone();
        ApplyInPlace(result);
        return result;
    }

    /// <summary>Normalises <paramref name="features"/> [N, ...sample shape] in place.</summary>
    /// <exception cref="ArgumentException">The features are not batch-first or do not fit (see <see cref="Fits(TensorShape)"/>).</exception>
    public void ApplyInPlace(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank < 2)
        {
            throw new ArgumentException($"Features must be batch-first [N, ...]; got {features.Shape}.", nameof(features));
        }

        var sample = new TensorShape(((IEnumerable<int>)features.Shape).Skip(1).ToArray());
        if (!Fits(sample))
        {
            string channels = sample.Rank >= 2 ? $" or its {sample[0]} channels" : "";
            throw new ArgumentException($"The normalisation has {Count} constants; samples of shape {sample} need one per each of its {sample.Length} features{channels}.", nameof(features));
        }

        int length = sample.Length;
        var span = features.Span;
        if (Count == length)
        {
            for (int start = 0; start < span.Length; start += length)
            {
                var row = span.Slice(start, length);
                TensorPrimitives.Subtract(row, _mean, row);
                TensorPrimitives.Divide(row, _std, row);
            }

            return;
        }

        int inner = length / Count;
        for (int start = 0, c = 0; start < span.Length; start += inner, c = c + 1 == Count ? 0 : c + 1)
        {
            var block = span.Slice(start, inner);
            TensorPrimitives.Subtract(block, _mean[c], block);
            TensorPrimitives.Divide(block, _std[c], block);
        }
    }

    /// <summary>A new dataset with normalised features (targets copied; name, task, classes and feature and label names kept).</summary>
    /// <exception cref="ArgumentException">The features do not fit (see <see cref="Fits(TensorShape)"/>).</exception>
    public Dataset Apply(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Dataset(data.Name, Apply(data.Features), data.Targets.Clone(), data.Task, data.ClassCount, data.ClassNames)
        {
            FeatureNames = data.FeatureNames,
            LabelName = data.LabelName,
        };
    }

    // The features, sample after sample, are consecutive blocks that cycle through the groups: blocks of one
    // element per feature, or of H*W... elements per channel.
    private static (int Groups, int Block) Layout(Dataset train, bool perChannel)
    {
        ArgumentNullException.ThrowIfNull(train);
        int length = train.FeatureShape.Length;
        if (train.Count == 0 || length == 0)
        {
            throw new ArgumentException($"Cannot fit a normalisation on dataset '{train.Name}' with no feature values.", nameof(train));
        }

        if (!perChannel)
        {
            return (length, 1);
        }

        if (train.FeatureShape.Rank < 2)
        {
            throw new ArgumentException($"Per-channel normalisation needs samples [C, ...] of rank 2 or more; dataset '{train.Name}' has samples {train.FeatureShape}.", nameof(perChannel));
        }

        int channels = train.FeatureShape[0];
        return (channels, length / channels);
    }

    private static float Positive(double std)
    {
        float s = (float)std;
        return float.IsNormal(s) && s > 0 ? s : 1f;
    }
}
