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
/// A product of one or two rows (batch-1 inference) is split by output units over the worker team when it is large
/// enough: every output is still one dot product computed by the same code, so the result does not depend on the
/// split. <see cref="Infer"/> is the inference form, which can also apply a following ReLU in the product's epilogue.
/// </remarks>
/// <example><c>new Dense(16)</c> or the spec token <c>dense:16</c>.</example>
public sealed class Dense : Layer
{
    private Parameter? _weight;
    private Parameter? _bias;
    private Tensor? _input;
    private Tensor? _inferenceOutput;
    private UnitSplit? _split;

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

    /// <summary>
    /// Below this many multiply-adds per row a product of one or two rows stays on one thread: the hand-off to a
    /// spinning worker costs about a microsecond (settable for tests; 0 splits every such product).
    /// </summary>
    internal static long SplitWork { get; set; } = 1 << 16;

    /// <summary>
    /// Inference: y = x W^T + b, then max(0, y) when <paramref name="relu"/> (in the product's epilogue, exactly
    /// as the relu activation computes it: NaN propagates, -0 stays -0), into a buffer of the layer's own. Nothing
    /// is kept for backward and <see cref="Layer.LastOutput"/> is not updated (it keeps the last
    /// <see cref="Layer.Forward"/>'s output); the result is valid until the next call.
    /// </summary>
    /// <exception cref="ArgumentException">The input does not have the layer's per-sample shape.</exception>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    internal Tensor Infer(Tensor input, bool relu)
    {
        CheckInput(input);

        var output = Buffer(ref _inferenceOutput, input.BatchSize, OutputShape);
        Product(input, output, relu);
        return output;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        Product(input, output, relu: false);
    }

    /// <summary>y = x W^T + b (then max(0, y)): one GEMM, or for one or two rows a split by output units over the team.</summary>
    private void Product(Tensor input, Tensor output, bool relu)
    {
        int inputs = Inputs, n = Rows(input.BatchSize);
        int parts = n <= Gemm.SmallRows && (long)inputs * Units >= SplitWork ? Math.Min(Engine.MaxThreads, Units / UnitSplit.Grain) : 1;
        if (parts > 1)
        {
            var job = _split ??= new UnitSplit(this);
            job.Set(input, output, n, parts, relu);
            try
            {
                WorkerPool.Run(parts, job);
            }
            finally
            {
                job.Set(null, null, 0, 0, false);
            }

            return;
        }

        // y = x W^T + b: W is read transposed in place by the GEMM's packing, the bias added in its epilogue.
        Gemm.Product(input.Span, false, Weight.Value.Span, true, output.Span, n, inputs, Units, accumulate: false, Bias.Value.Span, GemmBias.PerColumn, relu);
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

    /// <summary>
    /// A product of a few rows split by output units: part p computes units [first, last) of every row, a
    /// contiguous block of W's rows, each row of x against it (reused, so a split product allocates nothing).
    /// </summary>
    private sealed class UnitSplit(Dense layer) : IParallelJob
    {
        /// <summary>Units per part are a multiple of this (whole 256-bit vectors of outputs and of bias).</summary>
        public const int Grain = 16;

        private Tensor? _x, _y;
        private int _rows, _parts;
        private bool _relu;

        public void Set(Tensor? x, Tensor? y, int rows, int parts, bool relu) => (_x, _y, _rows, _parts, _relu) = (x, y, rows, parts, relu);

        public void Execute(int part)
        {
            int units = layer.Units, inputs = layer.Inputs, grains = units / Grain;
            int first = grains * part / _parts * Grain;
            int last = part == _parts - 1 ? units : grains * (part + 1) / _parts * Grain;
            int count = last - first;
            var w = layer.Weight.Value.Span.Slice(first * inputs, count * inputs);
            var b = layer.Bias.Value.Span.Slice(first, count);
            var x = _x!.Span;
            var y = _y!.Span;
            for (int r = 0; r < _rows; r++)
            {
                Gemm.Product(x.Slice(r * inputs, inputs), false, w, true, y.Slice(r * units + first, count), 1, inputs, count, accumulate: false, b, GemmBias.PerColumn, _relu);
            }
        }
    }
}
