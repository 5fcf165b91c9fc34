using System.Globalization;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// 2-D max pooling with square windows and no padding (PyTorch's nn.MaxPool2d):
/// y[n, c, i, j] = max over u, v &lt; k of x[n, c, i·s + u, j·s + v].
/// </summary>
/// <remarks>
/// Shapes: input [N, C, H, W], output [N, C, OH, OW] with OH = (H − k) / s + 1, OW = (W − k) / s + 1, floored
/// (a 5x5 input pooled by 2 gives 2x2; the last row and column are dropped). The position of each maximum is
/// kept; backward routes the gradient there: dx[argmax] += dy, zero elsewhere. Ties go to the first position in
/// row-major window order, and a NaN in a window wins, as in PyTorch. No parameters.
/// </remarks>
/// <example><c>new MaxPool2D(2)</c> or the spec tokens <c>pool:2</c>, <c>pool:3:s2</c> (alias <c>maxpool:2</c>).</example>
public sealed class MaxPool2D : Layer
{
    private Tensor? _input;
    private Tensor? _reluGradient;
    private Tensor? _inferOutput;
    private int[] _inferArgmax = [];
    private int[] _argmax = [];
    private int _planes;

    /// <summary>Windows of <paramref name="size"/>² moved by <paramref name="stride"/> (default: the size, so windows do not overlap).</summary>
    public MaxPool2D(int size, int? stride = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride ?? size, 1);
        Size = size;
        Stride = stride ?? size;
    }

    /// <summary>The window's height and width k.</summary>
    public int Size { get; }

    /// <summary>The step s between windows.</summary>
    public int Stride { get; }

    /// <inheritdoc/>
    public override string Spec => Stride == Size
        ? $"pool:{Size.ToString(CultureInfo.InvariantCulture)}"
        : $"pool:{Size.ToString(CultureInfo.InvariantCulture)}:s{Stride.ToString(CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 3)
        {
            throw new ArgumentException($"{Spec} takes images [C, H, W] per sample; found per-sample shape {inputShape}.");
        }

        if (inputShape[1] < Size || inputShape[2] < Size)
        {
            throw new ArgumentException($"the {Size}x{Size} window is larger than the {inputShape[1]}x{inputShape[2]} input (pool less, or pool earlier).");
        }

        return new TensorShape(
            inputShape[0],
            Im2Col.OutputSize(inputShape[1], Size, Stride, 0),
            Im2Col.OutputSize(inputShape[2], Size, Stride, 0));
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        _planes = input.BatchSize * InputShape[0];
        if (_argmax.Length != output.Length)
        {
            _argmax = new int[output.Length];
        }

        Pooling.MaxForward(input.Span, output.Span, _argmax, _planes, InputShape[1], InputShape[2], Size, Stride, OutputShape[1], OutputShape[2]);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        if (_input is null)
        {
            throw new InvalidOperationException($"{Spec}: backward called before forward.");
        }

        if (inputGradient is not null)
        {
            Pooling.MaxBackward(outputGradient.Span, _argmax, inputGradient.Span, _planes, InputShape[1], InputShape[2], OutputShape[1], OutputShape[2]);
        }
    }

    /// <summary>
    /// Inference of a relu followed by this layer (used by <see cref="Models.Sequential.Infer"/>): the pooled max(0, x),
    /// bit for bit as the two layers' evaluation forward passes, without writing max(0, x) out (see
    /// <see cref="Pooling.MaxForwardRelu"/>). Returns a tensor owned by the layer (valid until the next call);
    /// <see cref="Layer.LastOutput"/> and the backward state are not touched.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    /// <exception cref="ArgumentException">The input does not have the layer's per-sample input shape.</exception>
    internal Tensor InferAfterRelu(Tensor input)
    {
        CheckInput(input);

        var output = Buffer(ref _inferOutput, input.BatchSize, OutputShape);
        if (_inferArgmax.Length < output.Length)
        {
            _inferArgmax = new int[output.Length];
        }

        Pooling.MaxForwardRelu(input.Span, output.Span, _inferArgmax.AsSpan(0, output.Length), input.BatchSize * InputShape[0], InputShape[1], InputShape[2], Size, Stride, OutputShape[1], OutputShape[2]);
        return output;
    }

    /// <summary>
    /// The backward pass of this layer and of the ReLU before it, in one pass (used by <see cref="Models.Sequential"/>):
    /// dLoss/d(the ReLU's input), given dLoss/d(this layer's output), when this layer's last forward input was that
    /// ReLU's output. Bit for bit equal to the ReLU's backward applied to this layer's (see
    /// <see cref="Pooling.MaxBackward(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float}, int, int, int, int, int)"/>):
    /// the mask is read from this layer's output, which holds the ReLU's output at each maximum. The returned tensor
    /// is owned by the layer (valid until the next call).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called before a forward pass.</exception>
    /// <exception cref="ArgumentException">The gradient does not have the last output's shape.</exception>
    internal Tensor BackwardThroughRelu(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var output = LastOutput;
        if (_input is null || output is null)
        {
            throw new InvalidOperationException($"{Spec}: backward called before forward.");
        }

        if (outputGradient.BatchSize != output.BatchSize || outputGradient.Length != output.Length)
        {
            throw new ArgumentException($"The output gradient has shape {outputGradient.Shape}; expected {output.Shape}.", nameof(outputGradient));
        }

        var inputGradient = Buffer(ref _reluGradient, outputGradient.BatchSize, InputShape);
        Pooling.MaxBackward(outputGradient.Span, _argmax, output.Span, inputGradient.Span, _planes, InputShape[1], InputShape[2], OutputShape[1], OutputShape[2]);
        return inputGradient;
    }
}
