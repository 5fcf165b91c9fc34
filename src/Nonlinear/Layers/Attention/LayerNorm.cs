using Nonlinear.Tensors;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// Layer normalisation (Ba, Kiros and Hinton 2016) with PyTorch's nn.LayerNorm semantics over the last dimension:
/// y = γ (x − μ) / √(σ² + ε) + β, with μ and the biased variance σ² taken over the D features of each position.
/// </summary>
/// <remarks>
/// <para>Shapes: output = input; per sample [T, D] (a sequence, every position normalised on its own) or [D].
/// Unlike batch normalisation there are no running statistics: training and evaluation compute the same thing,
/// so a sample's output does not depend on the rest of the batch. ε = 1e-5 (PyTorch's default).</para>
/// <para>Parameters γ ("weight" [D], initially 1) and β ("bias" [D], initially 0), not weight-decayed.</para>
/// <para>Backward, per row with x̂ = (x − μ) / √(σ² + ε) and g = γ dy: dγ += Σ_rows dy x̂, dβ += Σ_rows dy,
/// dx = (g − mean(g) − x̂ mean(g x̂)) / √(σ² + ε). Row sums are accumulated in double.</para>
/// </remarks>
/// <example><c>new LayerNorm()</c> (spec token <c>layernorm</c>, once registered).</example>
public sealed class LayerNorm : Layer
{
    /// <summary>ε, added to the variance (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    private Parameter? _gamma;
    private Parameter? _beta;
    private Tensor? _input;
    private float[] _mean = [];
    private float[] _invStd = [];
    private int _features;

    /// <inheritdoc/>
    public override string Spec => "layernorm";

    /// <summary>γ [D], the scale ("weight"), once built.</summary>
    public Parameter Gamma => _gamma ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>β [D], the shift ("bias"), once built.</summary>
    public Parameter Beta => _beta ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _gamma is null ? [] : [_gamma, _beta!];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank is < 1 or > 2 || inputShape.Length == 0)
        {
            throw new ArgumentException($"layernorm takes a sequence [T, D] or features [D] per sample; found {inputShape}.");
        }

        _features = inputShape[inputShape.Rank - 1];
        _gamma = new Parameter("weight", new Tensor(_features), decays: false);
        _gamma.Value.Fill(1f);
        _beta = new Parameter("bias", new Tensor(_features), decays: false);
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        int d = _features, rows = input.Length / d;
        if (_mean.Length != rows)
        {
            _mean = new float[rows];
            _invStd = new float[rows];
        }

        var x = input.Span;
        var y = output.Span;
        var gamma = Gamma.Value.Span;
        var beta = Beta.Value.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * d, d);
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                sum += xr[j];
            }

            double mean = sum / d, squares = 0;
            for (int j = 0; j < d; j++)
            {
                double c = xr[j] - mean;
                squares += c * c;
            }

            double invStd = 1 / Math.Sqrt(squares / d + Epsilon);
            _mean[r] = (float)mean;
            _invStd[r] = (float)invStd;
            var yr = y.Slice(r * d, d);
            for (int j = 0; j < d; j++)
            {
                yr[j] = (float)((xr[j] - mean) * invStd) * gamma[j] + beta[j];
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("layernorm: backward called before forward.");
        int d = _features, rows = input.Length / d;
        var x = input.Span;
        var dy = outputGradient.Span;
        var gamma = Gamma.Value.Span;
        var dGamma = Gamma.Gradient.Span;
        var dBeta = Beta.Gradient.Span;
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * d, d);
            var dyr = dy.Slice(r * d, d);
            float mean = _mean[r], invStd = _invStd[r];
            double sumG = 0, sumGx = 0;
            for (int j = 0; j < d; j++)
            {
                float xhat = (xr[j] - mean) * invStd;
                dGamma[j] += dyr[j] * xhat;
                dBeta[j] += dyr[j];
                double g = (double)gamma[j] * dyr[j];
                sumG += g;
                sumGx += g * xhat;
            }

            if (inputGradient is null)
            {
                continue;
            }

            var dxr = inputGradient.Span.Slice(r * d, d);
            double meanG = sumG / d, meanGx = sumGx / d;
            for (int j = 0; j < d; j++)
            {
                double xhat = (xr[j] - mean) * (double)invStd;
                dxr[j] = (float)((gamma[j] * (double)dyr[j] - meanG - xhat * meanGx) * invStd);
            }
        }
    }
}
