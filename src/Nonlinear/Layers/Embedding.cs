using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// A lookup table of learned token vectors: token ids [N, T] → vectors [N, T, D], row id of the weight W [V, D]
/// (PyTorch's nn.Embedding: same layout, weights drawn from N(0, 1)).
/// </summary>
/// <remarks>
/// Shapes: input [N, T] of token ids (stored as floats, each an integer in 0..V-1), output [N, T, D].
/// Backward: dW[id] += dy[n, t] for every position holding that id (a dense gradient in which only the rows used
/// are non-zero); the ids have no gradient, so dLoss/dInput is zero. The model's initializer is ignored: an
/// embedding is not followed by an activation whose fan-in it must match.
/// </remarks>
/// <example><c>new Embedding(27, 32)</c> or the spec token <c>embedding:27:32</c>.</example>
public sealed class Embedding : Layer
{
    private Parameter? _weight;
    private Tensor? _input;

    /// <summary>An embedding of <paramref name="vocabularySize"/> tokens into <paramref name="dimension"/> dimensions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Embedding(int vocabularySize, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        VocabularySize = vocabularySize;
        Dimension = dimension;
    }

    /// <summary>The number of tokens V (valid ids are 0..V-1).</summary>
    public int VocabularySize { get; }

    /// <summary>The vector size D.</summary>
    public int Dimension { get; }

    /// <summary>W [V, D], once built.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override string Spec => string.Create(CultureInfo.InvariantCulture, $"embedding:{VocabularySize}:{Dimension}");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weight is null ? [] : [_weight];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 1 || inputShape[0] < 1)
        {
            throw new ArgumentException($"{Spec} takes a sequence of token ids per sample, [N, T] with T >= 1; found per-sample shape {inputShape}.");
        }

        _weight = new Parameter("weight", new Tensor(VocabularySize, Dimension));
        Initialization.Normal(_weight.Value.Span, 1.0, random);
        return new TensorShape(inputShape[0], Dimension);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        var ids = input.Span;
        var w = Weight.Value.Span;
        var y = output.Span;
        int d = Dimension;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = TokenId(ids[i], i);
            w.Slice(id * d, d).CopyTo(y.Slice(i * d, d));
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException($"{Spec}: backward called before forward.");
        var ids = input.Span;
        var dw = Weight.Gradient.Span;
        var dy = outputGradient.Span;
        int d = Dimension;
        for (int i = 0; i < ids.Length; i++)
        {
            var row = dw.Slice((int)ids[i] * d, d);   // validated by the forward pass
            TensorPrimitives.Add(row, dy.Slice(i * d, d), row);
        }

        inputGradient?.Span.Clear();
    }

    private int TokenId(float value, int position)
    {
        if (!(value >= 0 && value < VocabularySize) || value != MathF.Floor(value))
        {
            int steps = InputShape[0];
            throw new ArgumentOutOfRangeException(
                "input",
                value,
                string.Create(CultureInfo.InvariantCulture,
                    $"{Spec}: token id {value} at sample {position / steps}, step {position % steps} is not in the vocabulary: ids are integers 0..{VocabularySize - 1} (V = {VocabularySize})."));
        }

        return (int)value;
    }
}
