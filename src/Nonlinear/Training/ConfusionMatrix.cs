using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Data;
using Nonlinear.Tensors;

namespace Nonlinear.Training;

/// <summary>
/// Counts of (actual class, predicted class) pairs for a classifier, with accuracy and per-class precision,
/// recall and F1 derived from them.
/// </summary>
/// <remarks>
/// Row = actual class, column = predicted class (scikit-learn's convention). Precision of class c = correct c /
/// predicted c; recall = correct c / actual c; a class never predicted (or never present) has precision (or
/// recall) NaN rather than a made-up 0, and F1 is NaN when either is.
/// </remarks>
/// <example><code>
/// var matrix = ConfusionMatrix.FromOutputs(probabilities, test.Targets, TaskKind.Multiclass, 10);
/// Console.WriteLine($"{matrix.Accuracy:P1}, shirt recall {matrix.Recall(6):P1}");
/// </code></example>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    /// <summary>An empty matrix for <paramref name="classCount"/> classes (at least 2).</summary>
    public ConfusionMatrix(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>The number of classes, K.</summary>
    public int ClassCount { get; }

    /// <summary>The number of samples counted.</summary>
    public long Total { get; private set; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[(Index(actual) * ClassCount) + Index(predicted)];

    /// <summary>Share of samples predicted correctly (NaN when empty).</summary>
    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int c = 0; c < ClassCount; c++)
            {
                correct += this[c, c];
            }

            return Total == 0 ? double.NaN : (double)correct / Total;
        }
    }

    /// <summary>Counts one sample.</summary>
    public void Add(int actual, int predicted)
    {
        _counts[(Index(actual) * ClassCount) + Index(predicted)]++;
        Total++;
    }

    /// <summary>Samples of class <paramref name="c"/> (the row sum).</summary>
    public long Actual(int c)
    {
        long sum = 0;
        for (int j = 0; j < ClassCount; j++)
        {
            sum += this[c, j];
        }

        return sum;
    }

    /// <summary>Samples predicted as class <paramref name="c"/> (the column sum).</summary>
    public long Predicted(int c)
    {
        long sum = 0;
        for (int i = 0; i < ClassCount; i++)
        {
            sum += this[i, c];
        }

        return sum;
    }

    /// <summary>Correct predictions of <paramref name="c"/> over all predictions of <paramref name="c"/> (NaN if never predicted).</summary>
    public double Precision(int c) => Ratio(this[c, c], Predicted(c));

    /// <summary>Correct predictions of <paramref name="c"/> over all samples of <paramref name="c"/> (NaN if absent).</summary>
    public double Recall(int c) => Ratio(this[c, c], Actual(c));

    /// <summary>Harmonic mean of precision and recall (NaN if either is NaN, 0 if both are 0).</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return double.IsNaN(p) || double.IsNaN(r) ? double.NaN : p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>
    /// Builds the matrix from model outputs and targets: Multiclass outputs [N, K] (logits or probabilities: the
    /// arg-max is the prediction) against class indices [N]; Binary outputs [N, 1] against 0/1 targets, where the
    /// prediction is 1 when the output exceeds <paramref name="binaryThreshold"/> (0.5 for probabilities, 0 for logits).
    /// </summary>
    /// <exception cref="ArgumentException">The task is regression, or the shapes do not agree.</exception>
    public static ConfusionMatrix FromOutputs(Tensor outputs, Tensor targets, TaskKind task, int classCount, float binaryThreshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        var matrix = new ConfusionMatrix(task == TaskKind.Binary ? 2 : classCount);
        matrix.AddOutputs(outputs, targets, task, binaryThreshold);
        return matrix;
    }

    /// <summary>Adds a batch of outputs and targets (see <see cref="FromOutputs"/>).</summary>
    /// <exception cref="ArgumentException">The task is regression or sequence, or the shapes do not agree.</exception>
    public void AddOutputs(Tensor outputs, Tensor targets, TaskKind task, float binaryThreshold = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (task is TaskKind.Regression or TaskKind.Sequence)
        {
            throw new ArgumentException($"A confusion matrix needs one class per sample (binary or multiclass); this task is {task}.", nameof(task));
        }

        int n = outputs.BatchSize;
        if (targets.Shape[0] != n)
        {
            throw new ArgumentException($"{n} outputs but {targets.Shape[0]} targets.", nameof(targets));
        }

        int k = outputs.SampleLength;
        int expected = task == TaskKind.Binary ? 1 : ClassCount;
        if (k != expected)
        {
            throw new ArgumentException($"Outputs have {k} value(s) per sample; a {task} matrix with {ClassCount} classes needs {expected}.", nameof(outputs));
        }

        for (int i = 0; i < n; i++)
        {
            int actual = (int)targets.Span[i * targets.SampleLength];
            int predicted = task == TaskKind.Binary
                ? (outputs.Span[i] > binaryThreshold ? 1 : 0)
                : TensorPrimitives.IndexOfMax(outputs.Span.Slice(i * k, k));
            Add(actual, predicted);
        }
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;

    private int Index(int c)
    {
        if ((uint)c >= (uint)ClassCount)
        {
            throw new ArgumentOutOfRangeException(nameof(c), c, $"Class indices run from 0 to {ClassCount - 1}.");
        }

        return c;
    }
}
