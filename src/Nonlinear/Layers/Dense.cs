using System.Globalization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// Fully connected layer: y = x W^T + b, with W [units, inputs] (PyTorch's layout) and b [units].
/// </summary>
/// <remarks>
/// Shapes: input [N, inputs] (a flat feature vector per sample), output [N, units]; or a sequence [N, T, inputs],
/// output [N, T, units]: the same W and b apply at every time step (PyTorch's nn.Linear on the last dimension),
/// computed as one matrix product over the N·T rows. Higher ranks (images [C, H, W]) are refused: flatten first.
/// Backward: dW += dy^T x, db += sum over the rows of dy, dx = dy W (rows = samples, or samples × steps).
/// </remarks>
/// <example><c>new Dense(16)</c> or the spec token <c>dense:16</c>.</example>
public sealed class Dense : Layer
{
    private Parameter? _weight;
    private Parameter? _bias;
    private Tensor? _input;

    /// <summary>A dense layer with <paramref name="units"/> outputs; <paramref name="initializer"/> overrides the automatic choice.</summary>
    public Dense(int units, Initializer initializer = Initializer.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        Initializer = initializer;
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>The initializer asked for (Auto: chosen by the model from the activation that follows).</summary>
    public Initializer Initializer { get; }

    /// <summary>W [units, inputs], once built.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>b [units], once built.</summary>
    public Parameter Bias => _bias ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override string Spec => Initializer == Initializer.Auto
        ? $"dense:{Units.ToString(CultureInfo.InvariantCulture)}"
        : $"dense:{Units.ToString(CultureInfo.InvariantCulture)}:{Initializer.ToString().ToLowerInvariant()}";

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weight is null ? [] : [_weight, _bias!];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank is not (1 or 2))
        {
            throw new ArgumentException($"dense:{Units} takes a flat feature vector per sample, or a sequence [T, F] (applied at each step); found per-sample shape {inputShape} (add 'flatten' before it).");
        }

        int inputs = inputShape[-1];
        _weight = new Parameter("weight", new Tensor(Units, inputs));
        _bias = new Parameter("bias", new Tensor(Units), decays: false);
        var init = Initializer == Initializer.Auto ? initializer : Initializer;
        Initialization.Fill(_weight.Value.Span, init == Initializer.Auto ? Initializer.Glorot : init, inputs, Units, random);
        return inputShape.Rank == 1 ? new TensorShape(Units) : new TensorShape(inputShape[0], Units);
    }

    /// <summary>Features per row (the last input dimension).</summary>
    private int Inputs => InputShape[-1];

    /// <summary>Rows of the matrix product: one per sample, or one per sample and time step.</summary>
    private int Rows(int batch) => InputShape.Rank == 1 ? batch : batch * InputShape[0];

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        int inputs = Inputs, n = Rows(input.BatchSize);
        // y = x W^T + b: W is read transposed in place by the GEMM's packing, the bias added in its epilogue.
        Gemm.Product(input.Span, false, Weight.Value.Span, true, output.Span, n, inputs, Units, accumulate: false, Bias.Value.Span, GemmBias.PerColumn, relu: false);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("dense: backward called before forward.");
        int inputs = Inputs, n = Rows(outputGradient.BatchSize);
        Gemm.AddTransposedAB(outputGradient.Span, input.Span, Weight.Gradient.Span, n, Units, inputs, []);
        var db = Bias.Gradient.Span;
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Add(db, outputGradient.Span.Slice(i * Units, Units), db);
        }

        if (inputGradient is not null)
        {
            Gemm.MatMul(outputGradient.Span, Weight.Value.Span, inputGradient.Span, n, Units, inputs);
        }
    }
}
