using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// PReLU, a Leaky ReLU whose negative slope is learned: y = x for x &gt; 0, a x otherwise, with one a shared by
/// all features or one per channel (the feature dimension of [N, F], the channel dimension of [N, C, ...]).
/// </summary>
/// <remarks>
/// Initial slope 0.25 (He et al. 2015, PyTorch's default); no weight decay on it. Derivatives:
/// dy/dx = 1 or a (a at x = 0, as Leaky ReLU), dy/da = x for x &lt;= 0, else 0.
/// </remarks>
/// <example>The spec tokens <c>prelu</c> (shared) and <c>prelu:channel</c>.</example>
public sealed class PRelu(bool perChannel = false) : Layer
{
    private Parameter? _slope;
    private Tensor? _input;

    /// <summary>One slope per channel (true) or one for all (false).</summary>
    public bool PerChannel { get; } = perChannel;

    /// <summary>The learned slopes, once built.</summary>
    public Parameter Slope => _slope ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override string Spec => PerChannel ? "prelu:channel" : "prelu";

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _slope is null ? [] : [_slope];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank == 0)
        {
            throw new ArgumentException("prelu needs at least one dimension per sample.");
        }

        _slope = new Parameter("slope", new Tensor(PerChannel ? inputShape[0] : 1), decays: false);
        _slope.Value.Fill(0.25f);
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        var x = input.Span;
        var y = output.Span;
        var a = Slope.Value.Span;
        int perSample = InputShape.Length, inner = PerChannel ? perSample / InputShape[0] : perSample;
        for (int i = 0; i < x.Length; i++)
        {
            float slope = a[PerChannel ? i % perSample / inner : 0];
            y[i] = x[i] > 0 ? x[i] : slope * x[i];
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var x = (_input ?? throw new InvalidOperationException("prelu: backward called before forward.")).Span;
        var dy = outputGradient.Span;
        var dx = inputGradient is null ? default : inputGradient.Span;
        bool wantInput = inputGradient is not null;
        var a = Slope.Value.Span;
        var da = Slope.Gradient.Span;
        int perSample = InputShape.Length, inner = PerChannel ? perSample / InputShape[0] : perSample;
        for (int i = 0; i < x.Length; i++)
        {
            int c = PerChannel ? i % perSample / inner : 0;
            if (x[i] > 0)
            {
                if (wantInput)
                {
                    dx[i] = dy[i];
                }
            }
            else
            {
                if (wantInput)
                {
                    dx[i] = a[c] * dy[i];
                }

                da[c] += x[i] * dy[i];
            }
        }
    }
}
