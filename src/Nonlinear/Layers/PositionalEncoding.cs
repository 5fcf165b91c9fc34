using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// Adds a vector that depends on the position t to each step of a sequence, y_t = x_t + P_t, so that attention,
/// which is blind to order, can tell the steps apart.
/// </summary>
/// <remarks>
/// <para>Shapes: per sample [T, D] → [T, D]; P is [T, D], the same for every sample.</para>
/// <para>Learned (GPT-2's position embedding wpe): P is the parameter "weight" [T, D] (saved in a model file as
/// "&lt;i&gt;.weight"), drawn from N(0, 0.02²); the model's initializer is ignored.</para>
/// <para>Sinusoidal (Vaswani et al. 2017, "Attention is all you need", §3.5): P[t, 2i] = sin(t / 10000^(2i/D)),
/// P[t, 2i+1] = cos(t / 10000^(2i/D)); no parameters. The table is computed in float64 and rounded once, so it is
/// exact to float32 precision even at large t, where an angle computed in float32 is off by up to ~t·6e-8.</para>
/// <para>Backward: dx = dy; for learned positions dW_t += Σ_n dy[n, t].</para>
/// </remarks>
/// <example><c>new PositionalEncoding(PositionalEncodingKind.Learned)</c> or the spec token <c>positions:learned</c>
/// (<c>embedding:27:64,positions:learned,transformer:d=64,heads=4,ff=256:causal,dense:27</c>).</example>
public sealed class PositionalEncoding : Layer
{
    /// <summary>The standard deviation of learned positions at initialisation (GPT-2's).</summary>
    public const double LearnedStandardDeviation = 0.02;

    private Parameter? _weight;
    private Tensor? _table;

    /// <summary>Position vectors of the given <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    public PositionalEncoding(PositionalEncodingKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected PositionalEncodingKind.Learned or PositionalEncodingKind.Sinusoidal.");
        }

        Kind = kind;
    }

    /// <summary>Learned or sinusoidal.</summary>
    public PositionalEncodingKind Kind { get; }

    /// <summary>The position vectors P [T, D] added to the input (the parameter's value when learned), once built.</summary>
    public Tensor Positions => _weight?.Value ?? _table ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override string Spec => Kind == PositionalEncodingKind.Learned ? "positions:learned" : "positions:sinusoidal";

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weight is null ? [] : [_weight];

    /// <summary>The sinusoidal table P [steps, dimension] of Vaswani et al., computed in float64.</summary>
    public static double[] Sinusoid(int steps, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var table = new double[steps * dimension];
        for (int k = 0; k < dimension; k += 2)
        {
            double frequency = 1 / Math.Pow(10000, (double)k / dimension);   // k = 2i
            for (int t = 0; t < steps; t++)
            {
                double angle = t * frequency;
                table[t * dimension + k] = Math.Sin(angle);
                if (k + 1 < dimension)
                {
                    table[t * dimension + k + 1] = Math.Cos(angle);
                }
            }
        }

        return table;
    }

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 2 || inputShape.Length == 0)
        {
            throw new ArgumentException($"{Spec} takes a sequence [T, D] per sample (e.g. after embedding); found per-sample shape {inputShape}.");
        }

        int t = inputShape[0], d = inputShape[1];
        if (Kind == PositionalEncodingKind.Learned)
        {
            _weight = new Parameter("weight", new Tensor(t, d));
            Initialization.Normal(_weight.Value.Span, LearnedStandardDeviation, random);
            _table = null;
        }
        else
        {
            var table = Sinusoid(t, d);
            _table = new Tensor(t, d);
            for (int i = 0; i < table.Length; i++)
            {
                _table.Span[i] = (float)table[i];
            }

            _weight = null;
        }

        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        var p = Positions.Span;
        var x = input.Span;
        var y = output.Span;
        for (int s = 0; s < input.BatchSize; s++)
        {
            TensorPrimitives.Add(x.Slice(s * p.Length, p.Length), p, y.Slice(s * p.Length, p.Length));
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var dy = outputGradient.Span;
        if (_weight is { } weight)
        {
            var dw = weight.Gradient.Span;
            for (int s = 0; s < outputGradient.BatchSize; s++)
            {
                TensorPrimitives.Add(dw, dy.Slice(s * dw.Length, dw.Length), dw);
            }
        }

        if (inputGradient is not null)
        {
            dy.CopyTo(inputGradient.Span);
        }
    }
}
