using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

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
/// dx = (g − mean(g) − x̂ mean(g x̂)) / √(σ² + ε).</para>
/// <para>Speed: rows in 256-bit vectors (two-pass statistics: the mean, then the squared deviations from it, so no
/// cancellation), split over the worker team in row ranges for large inputs; dγ and dβ are summed per range, then
/// the ranges are added in order.</para>
/// </remarks>
/// <example><c>new LayerNorm()</c> (spec token <c>layernorm</c>, once registered).</example>
public sealed class LayerNorm : Layer
{
    /// <summary>ε, added to the variance (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    private Parameter? _gamma;
    private Parameter? _beta;
    /// <summary>Below this many elements the rows stay on one thread (settable for tests).</summary>
    internal static long ParallelElements { get; set; } = 1 << 16;

    private Tensor? _input, _output;
    private float[][] _partSums = [];
    private RowJob? _job;
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
        _output = output;
        int rows = input.Length / _features;
        if (_mean.Length != rows)
        {
            _mean = new float[rows];
            _invStd = new float[rows];
        }

        Run(rows, backward: false, dy: null, dx: null);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("layernorm: backward called before forward.");
        int d = _features, rows = input.Length / d;
        int parts = Run(rows, backward: true, outputGradient, inputGradient);
        // Each part summed dγ and dβ over its own rows; the parts are added in order (deterministic for a thread count).
        var dGamma = Gamma.Gradient.Span;
        var dBeta = Beta.Gradient.Span;
        for (int part = 0; part < parts; part++)
        {
            var sums = _partSums[part];
            TensorPrimitives.Add(dGamma, sums.AsSpan(0, d), dGamma);
            TensorPrimitives.Add(dBeta, sums.AsSpan(d, d), dBeta);
        }
    }

    /// <summary>Forward or backward over all rows, split over the worker team in row ranges above a size threshold.</summary>
    private int Run(int rows, bool backward, Tensor? dy, Tensor? dx)
    {
        int parts = rows * (long)_features < ParallelElements ? 1 : Math.Min(Engine.MaxThreads, rows);
        if (_partSums.Length < parts)
        {
            Array.Resize(ref _partSums, parts);
        }

        for (int i = 0; i < parts; i++)
        {
            if (_partSums[i] is not { } sums || sums.Length != 2 * _features)
            {
                _partSums[i] = new float[2 * _features];
            }
        }

        _job ??= new RowJob(this);
        (_job.Parts, _job.Rows, _job.Backward, _job.OutputGradient, _job.InputGradient) = (parts, rows, backward, dy, dx);
        WorkerPool.Run(parts, _job);
        _job.OutputGradient = _job.InputGradient = null;
        return parts;
    }

    /// <summary>Rows first … last − 1 of the forward: statistics in 256-bit vectors, two passes (mean, then squared deviations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ForwardRows(int first, int last)
    {
        int d = _features;
        fixed (float* x = _input!.Span, y = _output!.Span, gamma = Gamma.Value.Span, beta = Beta.Value.Span, means = _mean, invStds = _invStd)
        {
            for (int r = first; r < last; r++)
            {
                float* xr = x + (long)r * d;
                float* yr = y + (long)r * d;
                float mean = Sum(xr, d) / d;
                float squares = SquaredDeviations(xr, mean, d);
                float invStd = (float)(1 / Math.Sqrt((double)squares / d + Epsilon));
                means[r] = mean;
                invStds[r] = invStd;
                var vm = Vector256.Create(mean);
                var vs = Vector256.Create(invStd);
                int j = 0;
                for (; j + 8 <= d; j += 8)
                {
                    var xhat = (Vector256.Load(xr + j) - vm) * vs;
                    Vector256.FusedMultiplyAdd(xhat, Vector256.Load(gamma + j), Vector256.Load(beta + j)).Store(yr + j);
                }

                for (; j < d; j++)
                {
                    yr[j] = MathF.FusedMultiplyAdd((xr[j] - mean) * invStd, gamma[j], beta[j]);
                }
            }
        }
    }

    /// <summary>
    /// Rows first … last − 1 of the backward: dγ and dβ summed into this part's <paramref name="sums"/> ([dγ | dβ],
    /// cleared first); dx when <paramref name="dxTensor"/> is given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void BackwardRows(int first, int last, Tensor dyTensor, Tensor? dxTensor, float[] sums)
    {
        int d = _features;
        Array.Clear(sums);
        fixed (float* x = _input!.Span, dy = dyTensor.Span, dx = dxTensor is null ? default : dxTensor.Span, gamma = Gamma.Value.Span,
               means = _mean, invStds = _invStd, dGamma = sums)
        {
            float* dBeta = dGamma + d;
            for (int r = first; r < last; r++)
            {
                float* xr = x + (long)r * d;
                float* dyr = dy + (long)r * d;
                float mean = means[r], invStd = invStds[r];
                var vm = Vector256.Create(mean);
                var vs = Vector256.Create(invStd);
                Vector256<float> sumG = default, sumGx = default;
                int j = 0;
                for (; j + 8 <= d; j += 8)
                {
                    var xhat = (Vector256.Load(xr + j) - vm) * vs;
                    var g = Vector256.Load(dyr + j);
                    Vector256.FusedMultiplyAdd(g, xhat, Vector256.Load(dGamma + j)).Store(dGamma + j);
                    (Vector256.Load(dBeta + j) + g).Store(dBeta + j);
                    g *= Vector256.Load(gamma + j);
                    sumG += g;
                    sumGx = Vector256.FusedMultiplyAdd(g, xhat, sumGx);
                }

                float tailG = 0, tailGx = 0;
                for (int k = j; k < d; k++)
                {
                    float xhat = (xr[k] - mean) * invStd;
                    dGamma[k] = MathF.FusedMultiplyAdd(dyr[k], xhat, dGamma[k]);
                    dBeta[k] += dyr[k];
                    float g = gamma[k] * dyr[k];
                    tailG += g;
                    tailGx = MathF.FusedMultiplyAdd(g, xhat, tailGx);
                }

                if (dx == null)
                {
                    continue;
                }

                float meanG = (Vector256.Sum(sumG) + tailG) / d, meanGx = (Vector256.Sum(sumGx) + tailGx) / d;
                float* dxr = dx + (long)r * d;
                var vg = Vector256.Create(meanG);
                var vgx = Vector256.Create(meanGx);
                for (j = 0; j + 8 <= d; j += 8)
                {
                    var xhat = (Vector256.Load(xr + j) - vm) * vs;
                    var g = Vector256.Load(gamma + j) * Vector256.Load(dyr + j);
                    ((g - vg - xhat * vgx) * vs).Store(dxr + j);
                }

                for (; j < d; j++)
                {
                    float xhat = (xr[j] - mean) * invStd;
                    dxr[j] = (gamma[j] * dyr[j] - meanG - xhat * meanGx) * invStd;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Sum(float* x, int d)
    {
        Vector256<float> s0 = default, s1 = default;
        int j = 0;
        for (; j + 16 <= d; j += 16)
        {
            s0 += Vector256.Load(x + j);
            s1 += Vector256.Load(x + j + 8);
        }

        for (; j + 8 <= d; j += 8)
        {
            s0 += Vector256.Load(x + j);
        }

        float sum = Vector256.Sum(s0 + s1);
        for (; j < d; j++)
        {
            sum += x[j];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float SquaredDeviations(float* x, float mean, int d)
    {
        var vm = Vector256.Create(mean);
        Vector256<float> s0 = default, s1 = default;
        int j = 0;
        for (; j + 16 <= d; j += 16)
        {
            var c0 = Vector256.Load(x + j) - vm;
            var c1 = Vector256.Load(x + j + 8) - vm;
            s0 = Vector256.FusedMultiplyAdd(c0, c0, s0);
            s1 = Vector256.FusedMultiplyAdd(c1, c1, s1);
        }

        for (; j + 8 <= d; j += 8)
        {
            var c0 = Vector256.Load(x + j) - vm;
            s0 = Vector256.FusedMultiplyAdd(c0, c0, s0);
        }

        float sum = Vector256.Sum(s0 + s1);
        for (; j < d; j++)
        {
            float c = x[j] - mean;
            sum = MathF.FusedMultiplyAdd(c, c, sum);
        }

        return sum;
    }

    /// <summary>The reusable parallel job over row ranges (no allocation per call).</summary>
    private sealed class RowJob(LayerNorm layer) : IParallelJob
    {
        public int Parts { get; set; }

        public int Rows { get; set; }

        public bool Backward { get; set; }

        public Tensor? OutputGradient { get; set; }

        public Tensor? InputGradient { get; set; }

        public void Execute(int part)
        {
            int first = (int)((long)Rows * part / Parts), last = (int)((long)Rows * (part + 1) / Parts);
            if (Backward)
            {
                layer.BackwardRows(first, last, OutputGradient!, InputGradient, layer._partSums[part]);
            }
            else
            {
                layer.ForwardRows(first, last);
            }
        }
    }
}
