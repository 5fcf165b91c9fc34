using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// A labelled set of samples: a features tensor [N, ...] (batch-first) and a targets tensor whose shape depends
/// on the <see cref="TaskKind"/>: Binary [N, 1] holding 0/1, Multiclass [N] holding class indices 0..K-1 as
/// floats, Regression [N, T], Sequence [N, T] holding a class index or -1 (padding) per step.
/// </summary>
/// <remarks>
/// Everything is validated once, in the constructor, so that training code can trust the data without
/// re-checking it per batch. The tensors are kept, not copied: mutating them afterwards bypasses that
/// validation. <see cref="Subset"/> and <see cref="Split"/> copy.
/// </remarks>
/// <example><code>
/// var data = SyntheticData.Moons(400, noise: 0.1, seed: 1);
/// var (train, test) = data.Split(0.25, seed: 7);   // 300 training, 100 held-out samples
/// </code></example>
public sealed class Dataset
{
    private readonly string[]? _classNames;
    private readonly string[]? _featureNames;

    /// <summary>Creates a dataset after checking that the tensors agree with each other and with <paramref name="task"/>.</summary>
    /// <param name="name">A label for reports, e.g. "moons".</param>
    /// <param name="features">[N, ...]: rank 2 or more, every element finite.</param>
    /// <param name="targets">
    /// Binary [N, 1] of 0/1; Multiclass [N] of integral class indices; Regression [N, T] finite; Sequence [N, T] of
    /// integral class indices or -1 on padded steps, at least one real step per sample, T (at least 1) equal to the
    /// features' second dimension when the features are [N, T] token ids or [N, T, F] steps of features.
    /// </param>
    /// <param name="task">How to read <paramref name="targets"/>.</param>
    /// <param name="classCount">
    /// K for Multiclass and Sequence (at least 2; 0 takes it from <paramref name="classNames"/>); 0 or 2 for Binary; 0 for Regression.
    /// It is given rather than inferred from the labels, because a subset may lack a class and still needs K outputs.
    /// </param>
    /// <param name="classNames">Optional display names, one per class; not allowed for Regression.</param>
    /// <exception cref="ArgumentException">Shapes, counts or values are inconsistent; the message names the row, value and expectation.</exception>
    public Dataset(string name, Tensor features, Tensor targets, TaskKind task, int classCount = 0, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (!Enum.IsDefined(task))
        {
            throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task kind.");
        }

        Name = name;
        Task = task;
        ClassCount = ResolveClassCount(task, classCount, classNames);
        _classNames = classNames?.ToArray();

        if (features.Rank < 2)
        {
            throw new ArgumentException($"Features must be batch-first with rank >= 2, [N, ...]; got {features.Shape}.", nameof(features));
        }

        int n = features.Shape[0];
        if (targets.Rank == 0 || targets.Shape[0] != n)
        {
            throw new ArgumentException($"Features have {n} samples {features.Shape} but targets have shape {targets.Shape}; the first dimensions must match.", nameof(targets));
        }

        CheckTargetShape(task, targets);
        if (task == TaskKind.Sequence && features.Shape[1] != targets.Shape[1])
        {
            throw new ArgumentException(
                $"Sequence features {features.Shape} have {features.Shape[1]} steps but the targets {targets.Shape} have {targets.Shape[1]}; "
                + "every sample needs one target per step (pad ragged sequences to one length, with target -1 on the padded steps).",
                nameof(targets));
        }

        CheckFeatures(features);
        CheckTargets(task, targets, ClassCount);

        Features = features;
        Targets = targets;
        FeatureShape = new TensorShape(((IEnumerable<int>)features.Shape).Skip(1).ToArray());
    }

    /// <summary>A label for reports, e.g. "moons".</summary>
    public string Name { get; }

    /// <summary>The inputs, [N, ...].</summary>
    public Tensor Features { get; }

    /// <summary>The targets: Binary [N, 1], Multiclass [N], Regression [N, T], Sequence [N, T] (-1 on padded steps).</summary>
    public Tensor Targets { get; }

    /// <summary>The number of samples, N.</summary>
    public int Count => Features.Shape[0];

    /// <summary>How <see cref="Targets"/> is to be read.</summary>
    public TaskKind Task { get; }

    /// <summary>0 for regression, 2 for binary, K for multiclass and for sequences (K classes at every step).</summary>
    public int ClassCount { get; }

    /// <summary>The shape of one sample's features: the features' shape without its first dimension.</summary>
    public TensorShape FeatureShape { get; }

    /// <summary>Display names, one per class, or null when none were given.</summary>
    public IReadOnlyList<string>? ClassNames => _classNames;

    /// <summary>
    /// Names of the features, one per feature value (e.g. a CSV file's column names), or null when unknown.
    /// Kept by <see cref="Subset"/>, <see cref="Split"/> and <see cref="Normalization.Apply(Dataset)"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a list whose length is not the number of feature values per sample.</exception>
    public IReadOnlyList<string>? FeatureNames
    {
        get => _featureNames;
        init
        {
            if (value is not null && value.Count != FeatureShape.Length)
            {
                throw new ArgumentException($"{value.Count} feature names for samples of {FeatureShape.Length} values {FeatureShape}.", nameof(value));
            }

            _featureNames = value?.ToArray();
        }
    }

    /// <summary>The name of what the targets are (e.g. a CSV file's label column), or null when unknown.</summary>
    public string? LabelName { get; init; }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var featureDims = ((IEnumerable<int>)Features.Shape).ToArray();
        var targetDims = ((IEnumerable<int>)Targets.Shape).ToArray();
        featureDims[0] = indices.Length;
        targetDims[0] = indices.Length;
        var features = new Tensor(featureDims);
        var targets = new Tensor(targetDims);
        int fl = Features.SampleLength, tl = Targets.SampleLength;
        ReadOnlySpan<float> srcF = Features.Span, srcT = Targets.Span;
        Span<float> dstF = features.Span, dstT = targets.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if ((uint)k >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), k, $"Index {k} at position {i} is outside the dataset's {Count} samples.");
            }

            srcF.Slice(k * fl, fl).CopyTo(dstF.Slice(i * fl, fl));
            srcT.Slice(k * tl, tl).CopyTo(dstT.Slice(i * tl, tl));
        }

        // The rows were validated when this dataset was built, but re-running the constructor keeps a single
        // code path for the invariants; it is O(N) and happens once per split, not per batch.
        return new Dataset(Name, features, targets, Task, ClassCount, _classNames) { FeatureNames = _featureNames, LabelName = LabelName };
    }

    /// <summary>
    /// Shuffles the samples with <paramref name="seed"/> and splits them: the first part (a 1 - <paramref name="fraction"/>
    /// share) is for training, the second (a <paramref name="fraction"/> share) is held out for validation or testing.
    /// </summary>
    /// <remarks>
    /// The held-out size is round(fraction * N), kept within [1, N - 1] so neither part is empty. The shuffle is a
    /// Fisher-Yates pass driven by <c>new Random(seed)</c>, so the same seed gives the same split. Not stratified.
    /// Both parts keep <see cref="Name"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is not strictly between 0 and 1.</exception>
    /// <exception cref="InvalidOperationException">The dataset has fewer than 2 samples.</exception>
    public (Dataset First, Dataset Second) Split(double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The held-out fraction must be strictly between 0 and 1.");
        }

        if (Count < 2)
        {
            throw new InvalidOperationException($"Cannot split dataset '{Name}' of {Count} sample(s) into two non-empty parts.");
        }

        var order = new int[Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var rng = new Random(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        int held = Math.Clamp((int)Math.Round(fraction * Count, MidpointRounding.AwayFromZero), 1, Count - 1);
        int kept = Count - held;
        return (Subset(order.AsSpan(0, kept)), Subset(order.AsSpan(kept)));
    }

    /// <summary>"moons: 400 samples [2] -> Binary (2 classes)".</summary>
    public override string ToString() => Task switch
    {
        TaskKind.Regression => $"{Name}: {Count} samples {FeatureShape} -> Regression {Targets.Shape}",
        TaskKind.Sequence => $"{Name}: {Count} samples {FeatureShape} -> Sequence ({Targets.Shape[1]} steps, {ClassCount} classes per step)",
        _ => $"{Name}: {Count} samples {FeatureShape} -> {Task} ({ClassCount} classes)",
    };

    private static int ResolveClassCount(TaskKind task, int classCount, IReadOnlyList<string>? classNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        switch (task)
        {
            case TaskKind.Regression:
                if (classCount != 0 || classNames is not null)
                {
                    throw new ArgumentException("A regression dataset has no classes: classCount must be 0 and classNames null.", nameof(classCount));
                }

                return 0;
            case TaskKind.Binary:
                if (classCount is not (0 or 2))
                {
                    throw new ArgumentException($"A binary dataset has 2 classes; classCount was {classCount}.", nameof(classCount));
                }

                classCount = 2;
                break;
            default:
                if (classCount == 0 && classNames is not null)
                {
                    classCount = classNames.Count;
                }

                if (classCount < 2)
                {
                    throw new ArgumentException($"A {(task == TaskKind.Sequence ? "sequence" : "multiclass")} dataset needs classCount >= 2 (or class names); got {classCount}.", nameof(classCount));
                }

                break;
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"{classNames.Count} class names given for {classCount} classes.", nameof(classNames));
        }

        return classCount;
    }

    private static void CheckTargetShape(TaskKind task, Tensor targets)
    {
        bool ok = task switch
        {
            TaskKind.Binary => targets.Rank == 2 && targets.Shape[1] == 1,
            TaskKind.Multiclass => targets.Rank == 1,
            TaskKind.Sequence => targets.Rank == 2 && targets.Shape[1] >= 1,
            _ => targets.Rank == 2 && targets.Shape[1] >= 1,
        };
        if (!ok)
        {
            string expected = task switch
            {
                TaskKind.Binary => "[N, 1]",
                TaskKind.Multiclass => "[N] (class indices)",
                TaskKind.Sequence => "[N, T] (a class index or -1 per step) with T >= 1 steps",
                _ => "[N, T] with T >= 1",
            };
            throw new ArgumentException($"{task} targets must have shape {expected}; got {targets.Shape}.", nameof(targets));
        }
    }

    private static void CheckFeatures(Tensor features)
    {
        ReadOnlySpan<float> x = features.Span;
        int len = features.SampleLength;
        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                throw new ArgumentException($"Feature {i % len} of sample {i / len} is {x[i]}; features must be finite.", nameof(features));
            }
        }
    }

    private static void CheckTargets(TaskKind task, Tensor targets, int classCount)
    {
        ReadOnlySpan<float> y = targets.Span;
        int len = targets.SampleLength;
        if (task == TaskKind.Sequence)
        {
            CheckSequenceTargets(y, len, classCount);
            return;
        }

        for (int i = 0; i < y.Length; i++)
        {
            float v = y[i];
            switch (task)
            {
                case TaskKind.Binary when v is not (0f or 1f):
                    throw new ArgumentException($"Target of sample {i} is {v}; a binary target must be 0 or 1.", nameof(targets));
                case TaskKind.Multiclass when !(v >= 0 && v < classCount && v == MathF.Floor(v)):
                    throw new ArgumentException($"Target of sample {i} is {v}; a multiclass target must be an integer class index in 0..{classCount - 1}.", nameof(targets));
                case TaskKind.Regression when !float.IsFinite(v):
                    throw new ArgumentException($"Target {i % len} of sample {i / len} is {v}; regression targets must be finite.", nameof(targets));
                default:
                    break;
            }
        }
    }

    private static void CheckSequenceTargets(ReadOnlySpan<float> y, int steps, int classCount)
    {
        for (int start = 0; start < y.Length; start += steps)
        {
            int real = 0;
            for (int t = 0; t < steps; t++)
            {
                float v = y[start + t];
                if (v == Losses.SequenceCrossEntropy.IgnoreIndex)
                {
                    continue;
                }

                if (!(v >= 0 && v < classCount && v == MathF.Floor(v)))
                {
                    throw new ArgumentException(
                        $"Target of sample {start / steps}, step {t} is {v}; a sequence target must be an integer class index in 0..{classCount - 1}, or {Losses.SequenceCrossEntropy.IgnoreIndex} on a padded step.",
                        "targets");
                }

                real++;
            }

            if (real == 0)
            {
                throw new ArgumentException(
                    $"Sample {start / steps} has no real step: all its {steps} targets are padding ({Losses.SequenceCrossEntropy.IgnoreIndex}); every sequence needs at least one target.",
                    "targets");
            }
        }
    }
}
