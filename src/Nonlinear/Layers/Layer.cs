using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// One step of a model: forward maps a batch [N, ...] to a batch [N, ...]; backward maps dLoss/dOutput to
/// dLoss/dInput and accumulates the gradients of the layer's parameters.
/// </summary>
/// <remarks>
/// Buffers: a layer owns its output and input-gradient tensors and reuses them while the batch shape stays
/// the same, so steady-state training allocates nothing. A returned tensor is valid until the layer's next
/// forward (or backward). A layer keeps what its backward needs (usually a reference to its input, which is the
/// previous layer's output buffer), so backward must follow the forward it belongs to.
/// </remarks>
public abstract class Layer
{
    private Tensor? _output;
    private Tensor? _inputGradient;

    /// <summary>The spec token that builds this layer, e.g. "dense:16" or "tanh".</summary>
    public abstract string Spec { get; }

    /// <summary>Trainable parameters (empty for parameter-free layers); available once built.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>
    /// Non-trainable state that the layer updates itself and that a saved model must keep (e.g. batch
    /// normalisation's running mean and variance); empty for most layers. Optimizers never see it.
    /// </summary>
    public virtual IReadOnlyList<StateTensor> State => [];

    /// <summary>Per-sample input shape, once built.</summary>
    public TensorShape InputShape { get; private set; }

    /// <summary>Per-sample output shape, once built.</summary>
    public TensorShape OutputShape { get; private set; }

    /// <summary>Whether <see cref="Build"/> has run.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>The output of the most recent forward pass (null before the first); diagnostics read it.</summary>
    public Tensor? LastOutput => _output;

    /// <summary>
    /// Fixes the per-sample input shape and creates the parameters, drawing initial values from
    /// <paramref name="random"/> with <paramref name="initializer"/> (layers without weights ignore both).
    /// </summary>
    /// <exception cref="ArgumentException">The layer cannot take inputs of this shape.</exception>
    public void Build(TensorShape inputShape, Initializer initializer, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        OutputShape = OnBuild(inputShape, initializer, random);
        InputShape = inputShape;
        IsBuilt = true;
    }

    /// <summary>Forward pass over a batch [N, ...InputShape]; returns [N, ...OutputShape] (layer-owned).</summary>
    public Tensor Forward(Tensor input, bool training)
    {
        ArgumentNullException.ThrowIfNull(input);
        EnsureBuilt();
        CheckSample(input, InputShape, "input");
        var output = Buffer(ref _output, input.BatchSize, OutputShape);
        OnForward(input, output, training);
        return output;
    }

    /// <summary>Backward pass: dLoss/dInput (layer-owned) from dLoss/dOutput; adds to parameter gradients.</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        EnsureBuilt();
        CheckSample(outputGradient, OutputShape, "output gradient");
        var inputGradient = Buffer(ref _inputGradient, outputGradient.BatchSize, InputShape);
        OnBackward(outputGradient, inputGradient);
        return inputGradient;
    }

    /// <summary>
    /// Backward pass for the parameters only: accumulates their gradients without computing dLoss/dInput
    /// (which nothing needs for a model's first layer; for a dense layer that saves a whole matrix product).
    /// </summary>
    public void BackwardParameters(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        EnsureBuilt();
        CheckSample(outputGradient, OutputShape, "output gradient");
        OnBackward(outputGradient, null);
    }

    /// <summary>The spec token.</summary>
    public override string ToString() => Spec;

    /// <summary>Validates the input shape, creates parameters, returns the per-sample output shape.</summary>
    protected abstract TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random);

    /// <summary>Computes <paramref name="output"/> from <paramref name="input"/>, keeping what backward needs.</summary>
    protected abstract void OnForward(Tensor input, Tensor output, bool training);

    /// <summary>Accumulates parameter gradients and computes <paramref name="inputGradient"/> unless it is null (not needed).</summary>
    protected abstract void OnBackward(Tensor outputGradient, Tensor? inputGradient);

    /// <summary>A tensor [batch, ...sample] reused while the batch size is unchanged.</summary>
    protected static Tensor Buffer(ref Tensor? buffer, int batch, TensorShape sample)
    {
        if (buffer is null || buffer.BatchSize != batch)
        {
            Span<int> dims = stackalloc int[sample.Rank + 1];
            dims[0] = batch;
            for (int i = 0; i < sample.Rank; i++)
            {
                dims[i + 1] = sample[i];
            }

            buffer = new Tensor(dims);
        }

        return buffer;
    }

    /// <summary>
    /// The checks of a forward pass outside <see cref="Forward"/> (the fused inference entries and views): the layer
    /// is built and <paramref name="input"/> is a batch of its per-sample input shape.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    /// <exception cref="ArgumentException">The input does not have the layer's per-sample input shape.</exception>
    internal void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        EnsureBuilt();
        CheckSample(input, InputShape, "input", nameof(input));
    }

    private void EnsureBuilt()
    {
        if (!IsBuilt)
        {
            throw new InvalidOperationException($"Layer '{Spec}' is not built: call Build (or build the model) before forward or backward.");
        }
    }

    private static void CheckSample(Tensor t, TensorShape expected, string what, string? paramName = null)
    {
        bool ok = t.Rank == expected.Rank + 1;
        for (int i = 0; ok && i < expected.Rank; i++)
        {
            ok = t.Shape[i + 1] == expected[i];
        }

        if (!ok)
        {
            throw new ArgumentException($"The {what} has shape {t.Shape}; expected [N, {string.Join(", ", expected)}].", paramName);
        }
    }
}
